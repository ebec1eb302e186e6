"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { FilterSelect, LoadMore } from "@/components/list-controls";
import { humanize } from "@/components/status";
import {
  Badge,
  type BadgeTone,
  Card,
  EmptyState,
  ErrorNote,
  formatDate,
  Input,
  PageHeader,
  SkeletonRows,
  TableHeadRow,
  td,
} from "@/components/ui";
import { useTRPC } from "@/lib/trpc";

const CATEGORIES = [
  "SESSION",
  "MESSAGE",
  "CAMPAIGN",
  "CONTACT",
  "LIMIT",
  "WEBHOOK",
  "AUTH",
  "SYSTEM",
] as const;
const SEVERITIES = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"] as const;
const severityTone: Record<string, BadgeTone> = {
  DEBUG: "gray",
  INFO: "blue",
  WARN: "yellow",
  ERROR: "red",
  CRITICAL: "red",
};

export default function EventsPage() {
  const trpc = useTRPC();
  const [category, setCategory] = useState<(typeof CATEGORIES)[number] | "">("");
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number] | "">("");
  const [type, setType] = useState("");
  const events = useInfiniteQuery({
    ...trpc.events.list.infiniteQueryOptions(
      {
        category: category || undefined,
        severity: severity || undefined,
        type: type.trim() || undefined,
        limit: 50,
      },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    refetchInterval: 10_000,
  });
  const rows = events.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = !!(category || severity || type.trim());
  return (
    <>
      <PageHeader title="Events" description="Audit log of everything that happened in your company" />
      <Card
        actions={
          <div className="flex flex-wrap gap-2">
            <FilterSelect
              label="Category"
              value={category}
              onChange={(v) => setCategory(v as typeof category)}
              anyLabel="All categories"
              options={CATEGORIES}
              className="w-36"
            />
            <FilterSelect
              label="Severity"
              value={severity}
              onChange={(v) => setSeverity(v as typeof severity)}
              anyLabel="Any severity"
              options={SEVERITIES}
              className="w-32"
            />
            <Input
              aria-label="Type starts with"
              placeholder="e.g. session."
              value={type}
              onChange={(e) => setType(e.target.value)}
              className="w-40"
            />
          </div>
        }
        title="Log"
      >
        <ErrorNote error={events.error} />
        {events.isPending ? (
          <SkeletonRows rows={8} />
        ) : rows.length === 0 ? (
          <EmptyState
            title={filtered ? "No events match" : "No events yet"}
            description={
              filtered
                ? "Clear a filter to see more."
                : "Pairing numbers, sending, imports and settings changes are recorded here."
            }
          />
        ) : (
          <>
            <table className="w-full min-w-[40rem]">
              <TableHeadRow columns={["When", "Severity", "Type", "Message"]} />
              <tbody className="divide-y divide-slate-100">
                {rows.map((e) => (
                  <tr key={e.id}>
                    <td className={`${td} whitespace-nowrap text-xs text-slate-500`}>
                      {formatDate(e.createdAt)}
                    </td>
                    <td className={td}>
                      <Badge tone={severityTone[e.severity] ?? "gray"}>{humanize(e.severity)}</Badge>
                    </td>
                    <td className={`${td} font-mono text-xs`}>{e.type}</td>
                    <td className={td}>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <LoadMore query={events} />
          </>
        )}
      </Card>
    </>
  );
}
