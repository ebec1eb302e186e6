"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { FilterSelect, LoadMore } from "@/components/list-controls";
import { humanize, messageTone } from "@/components/status";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  formatDate,
  PageHeader,
  SkeletonRows,
  TableHeadRow,
  td,
} from "@/components/ui";
import { useTRPC } from "@/lib/trpc";
import { SendMessageForm } from "./send-form";

const STATUSES = [
  "QUEUED",
  "PROCESSING",
  "SENT",
  "DELIVERED",
  "READ",
  "RECEIVED",
  "FAILED",
  "DEAD_LETTERED",
  "CANCELLED",
  "EXPIRED",
] as const;
type Status = (typeof STATUSES)[number];
const DIRECTIONS = [
  { value: "OUTBOUND", label: "Outbound" },
  { value: "INBOUND", label: "Inbound" },
] as const;

function preview(payload: Record<string, unknown>): string {
  const text = payload.text ?? payload.caption ?? payload.fileName ?? payload.name;
  return typeof text === "string" ? text : "";
}

function Messages() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const sessionId = params.get("sessionId") ?? undefined;
  const rawStatus = params.get("status");
  const status = STATUSES.includes(rawStatus as Status) ? (rawStatus as Status) : undefined;
  const direction =
    params.get("direction") === "INBOUND"
      ? "INBOUND"
      : params.get("direction") === "OUTBOUND"
        ? "OUTBOUND"
        : undefined;
  const chatJid = params.get("chatJid") ?? undefined;
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const filter = { sessionId, status, messageDirection: direction, chatJid, limit: 50 } as const;
  const messages = useInfiniteQuery({
    ...trpc.messages.list.infiniteQueryOptions(filter, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
    refetchInterval: 5_000,
  });
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}?${next}`);
  };
  const labelOf = new Map(sessions.data?.items.map((s) => [s.id, s.label]));
  const rows = messages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Messages"
        description="Everything sent and received, newest first"
        actions={
          <Link href="/messages/dlq" className="text-sm font-medium text-emerald-700 hover:underline">
            Dead-letter queue →
          </Link>
        }
      />
      <div className="mb-6">
        <SendMessageForm defaultSessionId={sessionId} />
      </div>
      <Card
        title={chatJid ? `Conversation with ${chatJid.split("@")[0]}` : "Messages"}
        actions={
          <div className="flex flex-wrap gap-2">
            <FilterSelect
              label="Filter by number"
              value={sessionId ?? ""}
              onChange={(v) => setParam("sessionId", v)}
              anyLabel="All numbers"
              options={sessions.data?.items.map((s) => ({ value: s.id, label: s.label })) ?? []}
              className="w-40"
            />
            <FilterSelect
              label="Filter by status"
              value={status ?? ""}
              onChange={(v) => setParam("status", v)}
              anyLabel="All statuses"
              options={STATUSES}
              className="w-40"
            />
            <FilterSelect
              label="Filter by direction"
              value={direction ?? ""}
              onChange={(v) => setParam("direction", v)}
              anyLabel="Both ways"
              options={DIRECTIONS}
              className="w-32"
            />
            {chatJid ? (
              <Button size="sm" tone="ghost" onClick={() => setParam("chatJid", "")}>
                All chats
              </Button>
            ) : null}
          </div>
        }
      >
        <ErrorNote error={messages.error} />
        {messages.isPending ? (
          <SkeletonRows rows={6} />
        ) : rows.length === 0 ? (
          sessionId || status || direction || chatJid ? (
            <EmptyState title="No messages match" description="Clear a filter to see more." />
          ) : (
            <EmptyState
              title="No messages yet"
              description="Send one above; messages your numbers receive show up here too."
            />
          )
        ) : (
          <>
            <table className="w-full min-w-[40rem]" data-testid="messages-table">
              <TableHeadRow columns={["When", "Number", "Chat", "Message", "Status"]} />
              <tbody className="divide-y divide-slate-100">
                {rows.map((m) => (
                  <tr key={m.id} className="align-top hover:bg-slate-50">
                    <td className={`${td} whitespace-nowrap text-xs text-slate-500`}>
                      {formatDate(m.createdAt)}
                    </td>
                    <td className={td}>{labelOf.get(m.sessionId) ?? "—"}</td>
                    <td className={td}>
                      <button
                        type="button"
                        className="font-mono text-xs text-emerald-700 hover:underline"
                        onClick={() => setParam("chatJid", m.chatJid)}
                      >
                        {m.direction === "INBOUND" ? "← " : "→ "}
                        {m.chatJid.split("@")[0]}
                      </button>
                    </td>
                    <td className={`${td} max-w-md`}>
                      <span className="mr-2 text-xs text-slate-400">{humanize(m.type)}</span>
                      <span className="break-words">{preview(m.payload)}</span>
                      {m.lastError ? <p className="mt-1 text-xs text-red-600">{m.lastError}</p> : null}
                    </td>
                    <td className={td}>
                      <Badge tone={messageTone(m.status)}>{humanize(m.status)}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <LoadMore query={messages} />
          </>
        )}
      </Card>
    </>
  );
}

export default function MessagesPage() {
  return (
    <Suspense fallback={<SkeletonRows rows={6} />}>
      <Messages />
    </Suspense>
  );
}
