"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { MessagesPerHourChart, QueueDepthChart } from "@/components/charts/messages-chart";
import { humanize, sessionTone } from "@/components/status";
import { Badge, Card, EmptyState, ErrorNote, PageHeader, Skeleton } from "@/components/ui";
import { useTRPC } from "@/lib/trpc";

function Stat({ label, value, href }: { label: string; value: number | string | undefined; href?: string }) {
  const body = (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
      {value === undefined ? (
        <Skeleton className="mt-2 h-7 w-16" />
      ) : (
        <p className="mt-1 text-2xl font-semibold text-slate-900">{value}</p>
      )}
    </div>
  );
  return href ? <Link href={href}>{body}</Link> : body;
}

export default function OverviewPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (me.data && me.data.memberships.length === 0) {
    return (
      <>
        <PageHeader title="Overview" />
        <EmptyState
          title="You are not a member of any company"
          description={
            me.data.user.isPlatformAdmin
              ? "As a platform admin you manage companies, limits and queues."
              : "Ask a company owner to invite you."
          }
          action={
            me.data.user.isPlatformAdmin ? (
              <Link className="text-sm font-medium text-emerald-700" href="/admin">
                Go to the admin area →
              </Link>
            ) : null
          }
        />
      </>
    );
  }
  return <CompanyOverview />;
}

function CompanyOverview() {
  const trpc = useTRPC();
  const stats = useQuery({ ...trpc.messages.stats.queryOptions({ hours: 24 }), refetchInterval: 15_000 });
  const sessions = useQuery({ ...trpc.sessions.list.queryOptions(), refetchInterval: 10_000 });
  const depths = useQuery({ ...trpc.messages.queueDepths.queryOptions(), refetchInterval: 10_000 });
  const byStatus = stats.data?.byStatus;
  const list = sessions.data?.items;
  return (
    <>
      <PageHeader title="Overview" description="Your numbers, traffic and queues at a glance" />
      <div className="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat
          label="Connected numbers"
          value={list ? `${list.filter((s) => s.status === "CONNECTED").length} / ${list.length}` : undefined}
          href="/sessions"
        />
        <Stat
          label="Queued"
          value={byStatus ? (byStatus.QUEUED ?? 0) + (byStatus.PROCESSING ?? 0) : undefined}
          href="/messages?status=QUEUED"
        />
        <Stat
          label="Delivered + read"
          value={byStatus ? (byStatus.DELIVERED ?? 0) + (byStatus.READ ?? 0) : undefined}
          href="/messages"
        />
        <Stat
          label="Dead-lettered"
          value={byStatus ? (byStatus.DEAD_LETTERED ?? 0) : undefined}
          href="/messages/dlq"
        />
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Messages per hour (last 24 h)" className="lg:col-span-2">
          <ErrorNote error={stats.error} />
          {stats.isPending ? (
            <Skeleton className="h-64 w-full" />
          ) : stats.data && stats.data.hourly.length > 0 ? (
            <MessagesPerHourChart hourly={stats.data.hourly} />
          ) : (
            <EmptyState
              title="No messages in the last 24 hours"
              description="Send one from Messages or start a campaign."
            />
          )}
        </Card>
        <Card title="Numbers">
          {!list ? (
            <Skeleton className="h-40 w-full" />
          ) : list.length === 0 ? (
            <EmptyState
              title="No numbers yet"
              action={
                <Link className="text-sm font-medium text-emerald-700" href="/sessions">
                  Connect a number →
                </Link>
              }
            />
          ) : (
            <ul className="divide-y divide-slate-100">
              {list.map((s) => (
                <li key={s.id} className="flex items-center justify-between py-2">
                  <Link
                    href={`/sessions/${s.id}`}
                    className="text-sm font-medium text-slate-800 hover:underline"
                  >
                    {s.label}
                  </Link>
                  <Badge tone={sessionTone(s.status)}>{humanize(s.status)}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Send queue depth per number" className="lg:col-span-3">
          {depths.isPending ? (
            <Skeleton className="h-40 w-full" />
          ) : depths.data && depths.data.length > 0 ? (
            <QueueDepthChart rows={depths.data.map((d) => ({ ...d, name: d.label }))} />
          ) : (
            <EmptyState title="No queues yet" description="Each connected number gets its own send queue." />
          )}
          <ErrorNote error={depths.error} />
        </Card>
      </div>
    </>
  );
}
