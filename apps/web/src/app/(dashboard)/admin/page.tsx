"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { QueueDepthChart } from "@/components/charts/messages-chart";
import { humanize } from "@/components/status";
import { useToast } from "@/components/toast";
import {
  Badge,
  Button,
  Card,
  ErrorNote,
  PageHeader,
  Skeleton,
  SkeletonRows,
  TableHeadRow,
  td,
} from "@/components/ui";
import { errorMessage, useTRPC } from "@/lib/trpc";

function QueuesCard() {
  const trpc = useTRPC();
  const toast = useToast();
  const metrics = useQuery({ ...trpc.admin.queueMetrics.queryOptions(), refetchInterval: 5_000 });
  const after = (text: string) => ({
    onSuccess: (r: { count: number }) => {
      toast(`${r.count} queues ${text}`, "success");
      void metrics.refetch();
    },
    onError: (e: unknown) => toast(errorMessage(e), "error"),
  });
  const pause = useMutation(trpc.admin.pauseAllQueues.mutationOptions(after("paused")));
  const resume = useMutation(trpc.admin.resumeAllQueues.mutationOptions(after("resumed")));
  const m = metrics.data;
  const rows = m
    ? [
        ...Object.entries(m.queues).map(([name, c]) => ({ name, ...c })),
        { name: `send-* (${m.send.queues})`, ...m.send },
      ]
    : [];
  const anyPaused = m ? Object.values(m.queues).some((q) => q.paused) || m.send.paused > 0 : false;
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          Queues {anyPaused ? <Badge tone="red">paused</Badge> : null}
        </span>
      }
      actions={
        <>
          <a href="/admin/queues" className="text-sm font-medium text-emerald-700 hover:underline">
            Open Bull Board
          </a>
          <Button
            size="sm"
            tone="danger"
            onClick={() =>
              window.confirm("Pause every queue? Workers stop taking new jobs.") && pause.mutate()
            }
            busy={pause.isPending}
          >
            Pause all
          </Button>
          <Button size="sm" tone="secondary" onClick={() => resume.mutate()} busy={resume.isPending}>
            Resume all
          </Button>
        </>
      }
    >
      <ErrorNote error={metrics.error} />
      {m ? <QueueDepthChart rows={rows} /> : <Skeleton className="h-64 w-full" />}
    </Card>
  );
}

export default function AdminPage() {
  const trpc = useTRPC();
  const stats = useQuery({ ...trpc.admin.stats.queryOptions(), refetchInterval: 15_000 });
  const companies = useQuery(trpc.admin.companies.queryOptions());
  const s = stats.data;
  return (
    <>
      <PageHeader title="Platform admin" description="All companies, their limits, and the queues" />
      <div className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        {[
          ["Companies", s?.companies],
          ["Users", s?.users],
          ["Connected sessions", s ? (s.sessionsByStatus.CONNECTED ?? 0) : undefined],
          ["Dead-lettered", s?.deadLettered],
        ].map(([label, value]) => (
          <div key={String(label)} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
            {value === undefined ? (
              <Skeleton className="mt-2 h-7 w-12" />
            ) : (
              <p className="mt-1 text-2xl font-semibold">{value}</p>
            )}
          </div>
        ))}
      </div>
      <div className="space-y-6">
        <Card title="Companies">
          <ErrorNote error={companies.error} />
          {!companies.data ? (
            <SkeletonRows />
          ) : (
            <table className="w-full">
              <TableHeadRow columns={["Company", "Members", "Sessions", "Contacts", "Limits"]} />
              <tbody className="divide-y divide-slate-100">
                {companies.data.map((c) => (
                  <tr key={c.id} className="hover:bg-slate-50">
                    <td className={td}>
                      <span className="font-medium text-slate-800">{c.name}</span>
                      <span className="ml-2 text-xs text-slate-400">{c.slug}</span>
                    </td>
                    <td className={td}>{c._count.memberships}</td>
                    <td className={td}>
                      {c.connectedSessions} / {c._count.sessions} connected
                    </td>
                    <td className={td}>{c._count.contacts}</td>
                    <td className={td}>
                      <Link
                        href={`/admin/companies/${c.id}`}
                        className="font-medium text-emerald-700 hover:underline"
                      >
                        {c.rateLimitPolicy ? `Custom (v${c.rateLimitPolicy.version})` : "Defaults"} — edit
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <QueuesCard />
        {s ? (
          <Card title="Messages in the last 24 h">
            <div className="flex flex-wrap gap-2">
              {Object.entries(s.messages24h).map(([status, n]) => (
                <Badge key={status}>
                  {humanize(status)}: {n}
                </Badge>
              ))}
              {Object.keys(s.messages24h).length === 0 ? (
                <span className="text-sm text-slate-500">None</span>
              ) : null}
            </div>
          </Card>
        ) : null}
      </div>
    </>
  );
}
