"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { humanize } from "@/components/status";
import {
  Badge,
  type BadgeTone,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  formatDate,
  Input,
  PageHeader,
  Select,
  SkeletonRows,
  td,
  th,
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
  return (
    <>
      <PageHeader title="Events" description="Audit log of everything that happened in your company" />
      <Card
        actions={
          <div className="flex gap-2">
            <Select
              aria-label="Category"
              value={category}
              onChange={(e) => setCategory(e.target.value as typeof category)}
              className="w-36"
            >
              <option value="">All categories</option>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </Select>
            <Select
              aria-label="Severity"
              value={severity}
              onChange={(e) => setSeverity(e.target.value as typeof severity)}
              className="w-32"
            >
              <option value="">Any severity</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </Select>
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
          <EmptyState title="No events match" />
        ) : (
          <>
            <table className="w-full">
              <thead>
                <tr className="border-b border-slate-100">
                  <th className={th}>When</th>
                  <th className={th}>Severity</th>
                  <th className={th}>Type</th>
                  <th className={th}>Message</th>
                </tr>
              </thead>
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
            {events.hasNextPage ? (
              <div className="mt-4 text-center">
                <Button
                  tone="secondary"
                  onClick={() => events.fetchNextPage()}
                  busy={events.isFetchingNextPage}
                >
                  Load more
                </Button>
              </div>
            ) : null}
          </>
        )}
      </Card>
    </>
  );
}
