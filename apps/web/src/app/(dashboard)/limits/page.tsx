"use client";
import { useQuery } from "@tanstack/react-query";
import { POLICY_FIELDS, showValue } from "@/components/limits/fields";
import { UsageBar } from "@/components/limits/usage-bar";
import {
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

export default function LimitsPage() {
  const trpc = useTRPC();
  const usage = useQuery({ ...trpc.limits.usage.queryOptions(), refetchInterval: 5_000 });
  const policy = useQuery(trpc.limits.policy.queryOptions());
  const u = usage.data?.usage;
  return (
    <>
      <PageHeader
        title="Limits"
        description="How fast your numbers may send. Set by the platform to keep numbers from being banned."
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Usage right now">
          <ErrorNote error={usage.error} />
          {!u || !usage.data ? (
            <SkeletonRows />
          ) : (
            <div className="space-y-4">
              {u.quietHours.active ? (
                <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
                  Quiet hours: sending resumes in {Math.ceil(u.quietHours.remainingMs / 60_000)} min
                </p>
              ) : null}
              <UsageBar
                label="Company, this minute"
                used={u.company.perMinute.used}
                limit={u.company.perMinute.limit}
              />
              <UsageBar label="Company, today" used={u.company.perDay.used} limit={u.company.perDay.limit} />
              {usage.data.campaigns.map((c) => (
                <UsageBar
                  key={c.id}
                  label={`Campaign “${c.name}”, this minute`}
                  used={c.used}
                  limit={c.limit}
                  note="released to the queues"
                />
              ))}
              {usage.data.sessions.length === 0 ? (
                <EmptyState title="No numbers yet" />
              ) : (
                usage.data.sessions.map((s) => {
                  const n = u.numbers[s.id];
                  if (!n) return null;
                  return (
                    <div key={s.id} className="space-y-2 rounded-lg border border-slate-100 p-3">
                      <p className="text-sm font-medium text-slate-800">{s.label}</p>
                      <UsageBar label="This minute" used={n.perMinute.used} limit={n.perMinute.limit} />
                      <UsageBar
                        label="Today"
                        used={n.perDay.used}
                        limit={n.perDay.limit}
                        note={n.perDay.warmup ? "warm-up cap" : undefined}
                      />
                    </div>
                  );
                })
              )}
            </div>
          )}
        </Card>
        <Card title="Policy">
          <ErrorNote error={policy.error} />
          {!policy.data ? (
            <SkeletonRows rows={8} />
          ) : (
            <>
              <table className="w-full">
                <TableHeadRow columns={["Limit", "Effective", "Source"]} />
                <tbody className="divide-y divide-slate-100">
                  {POLICY_FIELDS.map((f) => {
                    const override = policy.data.overrides?.[f.key];
                    return (
                      <tr key={f.key}>
                        <td className={td}>{f.label}</td>
                        <td className={`${td} font-mono`}>{showValue(policy.data.effective[f.key])}</td>
                        <td className={`${td} text-xs text-slate-500`}>
                          {override === null || override === undefined ? "default" : "custom"}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <p className="mt-3 text-xs text-slate-500">
                Version {policy.data.version} · updated {formatDate(policy.data.updatedAt)} · time zone{" "}
                {policy.data.company.timeZone}
              </p>
            </>
          )}
        </Card>
      </div>
    </>
  );
}
