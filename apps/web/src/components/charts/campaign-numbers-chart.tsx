"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { humanize } from "@/components/status";
import { STATUS_COLORS } from "./messages-chart";

/** A campaign's messages per sending number, stacked by status. */
export function CampaignNumbersChart({
  rows,
}: {
  rows: { label: string; counts: Record<string, number> }[];
}) {
  const statuses = [...new Set(rows.flatMap((r) => Object.keys(r.counts)))];
  const data = rows.map((r) => ({ label: r.label, ...r.counts }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(140, rows.length * 40 + 70)}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 8, bottom: 0, left: 24 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="label" width={140} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v: string) => humanize(v)} />
        {statuses.map((s) => (
          <Bar key={s} dataKey={s} stackId="status" fill={STATUS_COLORS[s] ?? "#64748b"} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
