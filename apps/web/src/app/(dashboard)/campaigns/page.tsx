"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ProgressBar } from "@/components/progress-bar";
import { humanize } from "@/components/status";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  formatDate,
  PageHeader,
  SkeletonRows,
  td,
  th,
} from "@/components/ui";
import { useTRPC } from "@/lib/trpc";
import { campaignTone } from "./status";

export default function CampaignsPage() {
  const trpc = useTRPC();
  const campaigns = useQuery({ ...trpc.campaigns.list.queryOptions({ limit: 50 }), refetchInterval: 5_000 });
  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Personalised messages to thousands of contacts, paced so your numbers stay healthy."
        actions={
          <Link href="/campaigns/new">
            <Button>New campaign</Button>
          </Link>
        }
      />
      <Card>
        <ErrorNote error={campaigns.error} />
        {campaigns.isPending ? (
          <SkeletonRows />
        ) : !campaigns.data?.items.length ? (
          <EmptyState
            title="No campaigns yet"
            description="Create one to reach a list, a tag or selected contacts."
            action={
              <Link href="/campaigns/new">
                <Button tone="secondary">Create a campaign</Button>
              </Link>
            }
          />
        ) : (
          <table className="min-w-full divide-y divide-slate-100">
            <thead>
              <tr>
                <th className={th}>Name</th>
                <th className={th}>Status</th>
                <th className={th}>Progress</th>
                <th className={th}>Scheduled</th>
                <th className={th}>Created</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-50">
              {campaigns.data.items.map((c) => (
                <tr key={c.id}>
                  <td className={td}>
                    <Link
                      href={`/campaigns/${c.id}`}
                      className="font-medium text-emerald-700 hover:underline"
                    >
                      {c.name}
                    </Link>
                  </td>
                  <td className={td}>
                    <Badge tone={campaignTone(c.status)}>{humanize(c.status)}</Badge>
                    {c.pausedReason ? (
                      <span className="ml-2 text-xs text-amber-700">{c.pausedReason}</span>
                    ) : null}
                  </td>
                  <td className={`${td} w-56`}>
                    {c.totalRecipients ? (
                      <div className="space-y-1">
                        <ProgressBar
                          label={`${c.name} sent`}
                          value={c.sentCount}
                          max={c.totalRecipients}
                          tone={c.status === "PAUSED" ? "amber" : "emerald"}
                        />
                        <p className="text-xs text-slate-500">
                          {c.sentCount} / {c.totalRecipients} sent
                        </p>
                      </div>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className={td}>{formatDate(c.scheduledAt)}</td>
                  <td className={td}>{formatDate(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
