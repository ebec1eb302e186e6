"use client";
// One campaign: preview for a real contact, start/schedule/pause/resume/cancel, live progress.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useState } from "react";
import { humanize, messageTone } from "@/components/status";
import { useToast } from "@/components/toast";
import {
  Badge,
  Button,
  Card,
  ErrorNote,
  formatDate,
  Input,
  PageHeader,
  SkeletonRows,
  td,
  th,
} from "@/components/ui";
import { errorMessage, useTRPC } from "@/lib/trpc";
import { campaignTone } from "../status";

function formatEta(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export default function CampaignPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const toast = useToast();
  const campaign = useQuery({ ...trpc.campaigns.get.queryOptions({ id }), refetchInterval: 3_000 });
  const active = campaign.data && ["RUNNING", "PAUSED", "SCHEDULED"].includes(campaign.data.status);
  const progress = useQuery({
    ...trpc.campaigns.progress.queryOptions({ id }),
    refetchInterval: active ? 2_000 : false,
  });
  const preview = useQuery({
    ...trpc.campaigns.preview.queryOptions({ id }),
    enabled: campaign.data?.status === "DRAFT",
  });
  const [scheduleAt, setScheduleAt] = useState("");
  const refresh = () => {
    void campaign.refetch();
    void progress.refetch();
  };
  const options = { onSuccess: refresh, onError: (e: unknown) => toast(errorMessage(e), "error") };
  const start = useMutation(trpc.campaigns.start.mutationOptions(options));
  const pause = useMutation(trpc.campaigns.pause.mutationOptions(options));
  const resume = useMutation(trpc.campaigns.resume.mutationOptions(options));
  const cancel = useMutation(trpc.campaigns.cancel.mutationOptions(options));
  const c = campaign.data;
  if (!c) return campaign.error ? <ErrorNote error={campaign.error} /> : <SkeletonRows />;
  const p = progress.data;

  return (
    <>
      <PageHeader
        title={c.name}
        description={`Time zone ${c.timeZone} · batches of ${c.batchSize}, ${c.batchPauseSec} s apart · ${c.minDelayMs}–${c.maxDelayMs} ms between messages${c.quietHoursStart ? ` · quiet ${c.quietHoursStart}–${c.quietHoursEnd}` : ""}`}
        actions={
          <div className="flex items-center gap-2">
            <Badge tone={campaignTone(c.status)}>{humanize(c.status)}</Badge>
            {c.status === "RUNNING" || c.status === "SCHEDULED" ? (
              <Button tone="secondary" busy={pause.isPending} onClick={() => pause.mutate({ id })}>
                Pause
              </Button>
            ) : null}
            {c.status === "PAUSED" ? (
              <Button busy={resume.isPending} onClick={() => resume.mutate({ id })}>
                Resume
              </Button>
            ) : null}
            {["DRAFT", "SCHEDULED", "RUNNING", "PAUSED"].includes(c.status) ? (
              <Button
                tone="danger"
                busy={cancel.isPending}
                onClick={() =>
                  window.confirm("Cancel the campaign? Unsent messages will not be sent.") &&
                  cancel.mutate({ id })
                }
              >
                Cancel
              </Button>
            ) : null}
          </div>
        }
      />
      {c.pausedReason ? (
        <p className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-800">{c.pausedReason}</p>
      ) : null}
      {c.status === "DRAFT" ? (
        <Card title="Preview and start" className="mb-6">
          <ErrorNote error={preview.error} />
          {preview.data ? (
            <div className="space-y-3 text-sm">
              <p>
                Audience: <strong>{preview.data.audience.eligible}</strong> will receive it ·{" "}
                {preview.data.audience.optedOut} opted out and {preview.data.audience.invalid} invalid
                excluded
              </p>
              {preview.data.contact ? (
                <p className="text-slate-600">
                  As {preview.data.contact.name ?? preview.data.contact.phone} would see it:
                </p>
              ) : null}
              {preview.data.rendered.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one box per variant, in the variants' fixed order
                <div key={i} className="rounded-lg bg-emerald-50 p-3">
                  <p className="whitespace-pre-wrap">{r.text}</p>
                  {r.missing.length ? (
                    <p className="mt-1 text-xs text-amber-700">
                      Missing for this contact: {r.missing.join(", ")}
                    </p>
                  ) : null}
                </div>
              ))}
              {preview.data.missingVariables.contacts ? (
                <p className="text-amber-700">
                  {preview.data.missingVariables.contacts} contacts
                  {preview.data.missingVariables.complete
                    ? ""
                    : ` (of the first ${preview.data.missingVariables.scanned})`}{" "}
                  lack a variable with no default, e.g.{" "}
                  {preview.data.missingVariables.examples
                    .slice(0, 3)
                    .map((m) => `${m.name ?? m.phone} (${m.variables.join(", ")})`)
                    .join("; ")}
                </p>
              ) : null}
            </div>
          ) : (
            <SkeletonRows rows={2} />
          )}
          <div className="mt-4 flex flex-wrap items-center gap-3">
            <Button busy={start.isPending} onClick={() => start.mutate({ id })}>
              Start now
            </Button>
            <Input
              type="datetime-local"
              aria-label={`Schedule (${c.timeZone})`}
              className="w-auto"
              value={scheduleAt}
              onChange={(e) => setScheduleAt(e.target.value)}
            />
            <Button
              tone="secondary"
              disabled={!scheduleAt}
              onClick={() => start.mutate({ id, scheduledAt: scheduleAt })}
            >
              Schedule ({c.timeZone})
            </Button>
          </div>
        </Card>
      ) : null}
      {p && c.status !== "DRAFT" ? (
        <Card title="Progress" className="mb-6">
          <div className="mb-4 grid gap-4 text-sm md:grid-cols-6">
            <div>
              <p className="text-slate-500">Recipients</p>
              <p className="text-xl font-semibold">{p.total}</p>
            </div>
            <div>
              <p className="text-slate-500">Sent</p>
              <p className="text-xl font-semibold">{p.summary.sent}</p>
            </div>
            <div>
              <p className="text-slate-500">Delivered</p>
              <p className="text-xl font-semibold">{p.summary.delivered}</p>
            </div>
            <div>
              <p className="text-slate-500">Read</p>
              <p className="text-xl font-semibold">{p.summary.read}</p>
            </div>
            <div>
              <p className="text-slate-500">Failed</p>
              <p className="text-xl font-semibold">{p.summary.failed}</p>
            </div>
            <div>
              <p className="text-slate-500">Replies</p>
              <p className="text-xl font-semibold">{p.summary.replies}</p>
            </div>
          </div>
          <div className="mb-2 h-2 rounded bg-slate-100">
            <div
              className="h-2 rounded bg-emerald-500"
              style={{ width: `${p.total ? (100 * p.summary.sent) / p.total : 0}%` }}
            />
          </div>
          <p className="mb-4 text-xs text-slate-500">
            {p.pending} waiting · {p.ratePerMinute.toFixed(1)} msg/min · ETA {formatEta(p.etaSeconds)} ·{" "}
            {p.skipped} skipped · {p.cancelled} cancelled · started {formatDate(c.startedAt)}
            {c.completedAt ? ` · finished ${formatDate(c.completedAt)}` : ""}
          </p>
          <table className="min-w-full divide-y divide-slate-100">
            <thead>
              <tr>
                <th className={th}>Number</th>
                <th className={th}>Messages by status</th>
              </tr>
            </thead>
            <tbody>
              {p.bySession.map((s) => (
                <tr key={s.sessionId}>
                  <td className={`${td} font-mono text-xs`}>{s.sessionId}</td>
                  <td className={td}>
                    {Object.entries(s.counts).map(([status, n]) => (
                      <Badge key={status} tone={messageTone(status)}>
                        {humanize(status)} {n}
                      </Badge>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
    </>
  );
}
