"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { humanize, messageTone } from "@/components/status";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  formatDate,
  PageHeader,
  Select,
  SkeletonRows,
  td,
  th,
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
          <div className="flex gap-2">
            <Select
              aria-label="Filter by number"
              value={sessionId ?? ""}
              onChange={(e) => setParam("sessionId", e.target.value)}
              className="w-40"
            >
              <option value="">All numbers</option>
              {sessions.data?.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </Select>
            <Select
              aria-label="Filter by status"
              value={status ?? ""}
              onChange={(e) => setParam("status", e.target.value)}
              className="w-40"
            >
              <option value="">All statuses</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </Select>
            <Select
              aria-label="Filter by direction"
              value={direction ?? ""}
              onChange={(e) => setParam("direction", e.target.value)}
              className="w-32"
            >
              <option value="">Both ways</option>
              <option value="OUTBOUND">Outbound</option>
              <option value="INBOUND">Inbound</option>
            </Select>
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
          <EmptyState title="No messages match" description="Send one above, or clear the filters." />
        ) : (
          <>
            <table className="w-full" data-testid="messages-table">
              <thead>
                <tr className="border-b border-slate-100">
                  <th className={th}>When</th>
                  <th className={th}>Number</th>
                  <th className={th}>Chat</th>
                  <th className={th}>Message</th>
                  <th className={th}>Status</th>
                </tr>
              </thead>
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
            {messages.hasNextPage ? (
              <div className="mt-4 text-center">
                <Button
                  tone="secondary"
                  onClick={() => messages.fetchNextPage()}
                  busy={messages.isFetchingNextPage}
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

export default function MessagesPage() {
  return (
    <Suspense fallback={<SkeletonRows rows={6} />}>
      <Messages />
    </Suspense>
  );
}
