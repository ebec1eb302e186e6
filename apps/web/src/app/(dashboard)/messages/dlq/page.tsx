"use client";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { humanize, messageTone } from "@/components/status";
import { useToast } from "@/components/toast";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  formatDate,
  Input,
  PageHeader,
  SkeletonRows,
  td,
  th,
} from "@/components/ui";
import { errorMessage, useTRPC } from "@/lib/trpc";

export default function DeadLetterPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const [errorFilter, setErrorFilter] = useState("");
  const [includeFailed, setIncludeFailed] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const filter = { page, pageSize: 50, includeFailed, error: errorFilter.trim() || undefined };
  const dlq = useQuery({ ...trpc.messages.dlq.list.queryOptions(filter), placeholderData: keepPreviousData });
  const done = (text: string) => () => {
    toast(text, "success");
    setSelected(new Set());
    void dlq.refetch();
  };
  const retry = useMutation(
    trpc.messages.dlq.retry.mutationOptions({
      onSuccess: (r) => done(`${r.retried.length} message(s) re-queued`)(),
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  const discard = useMutation(
    trpc.messages.dlq.discard.mutationOptions({
      onSuccess: (r) => done(`${r.discarded} message(s) discarded`)(),
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  const items = dlq.data?.items ?? [];
  const allSelected = items.length > 0 && items.every((m) => selected.has(m.id));
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const ids = [...selected];
  const pages = dlq.data ? Math.max(1, Math.ceil(dlq.data.total / dlq.data.pageSize)) : 1;
  return (
    <>
      <PageHeader
        title="Dead-letter queue"
        description="Messages that used up their attempts. Retry them (same message, limits still apply) or discard them."
      />
      <Card
        title={dlq.data ? `${dlq.data.total} message(s)` : "Messages"}
        actions={
          <>
            <Button
              size="sm"
              onClick={() => retry.mutate({ ids })}
              disabled={!ids.length}
              busy={retry.isPending}
            >
              Retry {ids.length || ""}
            </Button>
            <Button
              size="sm"
              tone="danger"
              onClick={() => window.confirm(`Discard ${ids.length} message(s)?`) && discard.mutate({ ids })}
              disabled={!ids.length}
              busy={discard.isPending}
            >
              Discard {ids.length || ""}
            </Button>
          </>
        }
      >
        <div className="mb-4 flex flex-wrap items-center gap-4">
          <Input
            aria-label="Filter by error text"
            placeholder="Error contains…"
            value={errorFilter}
            onChange={(e) => {
              setErrorFilter(e.target.value);
              setPage(1);
            }}
            className="max-w-xs"
          />
          <label className="flex items-center gap-2 text-sm text-slate-600">
            <input
              type="checkbox"
              checked={includeFailed}
              onChange={(e) => {
                setIncludeFailed(e.target.checked);
                setPage(1);
              }}
            />
            Include permanently failed
          </label>
        </div>
        <ErrorNote error={dlq.error} />
        {dlq.isPending ? (
          <SkeletonRows />
        ) : items.length === 0 ? (
          <EmptyState
            title="The dead-letter queue is empty"
            description="Messages land here after their last retry fails."
          />
        ) : (
          <table className="w-full">
            <thead>
              <tr className="border-b border-slate-100">
                <th className={th}>
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((m) => m.id)))}
                  />
                </th>
                <th className={th}>Failed</th>
                <th className={th}>Chat</th>
                <th className={th}>Attempts</th>
                <th className={th}>Last error</th>
                <th className={th}>Status</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((m) => (
                <tr key={m.id} className="hover:bg-slate-50">
                  <td className={td}>
                    <input
                      type="checkbox"
                      aria-label={`Select message ${m.id}`}
                      checked={selected.has(m.id)}
                      onChange={() => toggle(m.id)}
                    />
                  </td>
                  <td className={`${td} text-xs`}>{formatDate(m.failedAt)}</td>
                  <td className={`${td} font-mono text-xs`}>{m.chatJid.split("@")[0]}</td>
                  <td className={td}>{m.attempts}</td>
                  <td className={`${td} max-w-sm text-xs text-red-700`}>{m.lastError ?? "—"}</td>
                  <td className={td}>
                    <Badge tone={messageTone(m.status)}>{humanize(m.status)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {pages > 1 ? (
          <div className="mt-4 flex items-center justify-end gap-2 text-sm">
            <Button size="sm" tone="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous
            </Button>
            <span>
              Page {page} of {pages}
            </span>
            <Button size="sm" tone="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next
            </Button>
          </div>
        ) : null}
      </Card>
    </>
  );
}
