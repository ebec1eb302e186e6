"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export const STATUS_COLORS: Record<string, string> = {
  QUEUED: "#94a3b8",
  PROCESSING: "#38bdf8",
  SENT: "#0ea5e9",
  DELIVERED: "#10b981",
  READ: "#047857",
  RECEIVED: "#a855f7",
  FAILED: "#ef4444",
  DEAD_LETTERED: "#991b1b",
  EXPIRED: "#f59e0b",
  CANCELLED: "#cbd5e1",
};

/** Messages per hour, stacked by status. */
export function MessagesPerHourChart({
  hourly,
}: {
  hourly: { hour: Date; status: string; count: number }[];
}) {
  const statuses = [...new Set(hourly.map((h) => h.status))];
  const byHour = new Map<string, Record<string, number | string>>();
  for (const h of hourly) {
    const key = new Date(h.hour).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    const row = byHour.get(key) ?? { hour: key };
    row[h.status] = h.count;
    byHour.set(key, row);
  }
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={[...byHour.values()]} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="hour" tick={{ fontSize: 12 }} />
        <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {statuses.map((s) => (
          <Bar key={s} dataKey={s} stackId="status" fill={STATUS_COLORS[s] ?? "#64748b"} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Waiting / active / delayed / failed jobs per queue. */
export function QueueDepthChart({
  rows,
}: {
  rows: { name: string; waiting: number; active: number; delayed: number; failed: number }[];
}) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(160, rows.length * 36 + 60)}>
      <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 8, bottom: 0, left: 24 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="name" width={120} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="waiting" stackId="q" fill="#94a3b8" />
        <Bar dataKey="active" stackId="q" fill="#0ea5e9" />
        <Bar dataKey="delayed" stackId="q" fill="#f59e0b" />
        <Bar dataKey="failed" stackId="q" fill="#ef4444" />
      </BarChart>
    </ResponsiveContainer>
  );
}
