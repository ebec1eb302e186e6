"use client";
// One campaign: preview for a real contact, start/schedule/pause/resume/cancel, live progress.
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useState } from "react";
import { CampaignAttachmentNote } from "@/components/campaigns/campaign-attachment";
import { EditCampaignCard } from "@/components/campaigns/edit-campaign";
import { CampaignNumbersChart } from "@/components/charts/campaign-numbers-chart";
import { ProgressBar } from "@/components/progress-bar";
import { humanize } from "@/components/status";
import { useToast } from "@/components/toast";
import { Badge, Button, Card, ErrorNote, formatDate, Input, PageHeader, SkeletonRows } from "@/components/ui";
import { errorMessage, useTRPC } from "@/lib/trpc";
import { campaignTone } from "../status";

function formatEta(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-xl font-semibold text-slate-900">{value}</dd>
    </div>
  );
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
  const [previewContactId, setPreviewContactId] = useState<string | undefined>();
  const preview = useQuery({
    ...trpc.campaigns.preview.queryOptions({ id, contactId: previewContactId }),
    placeholderData: keepPreviousData,
    enabled: campaign.data?.status === "DRAFT",
  });
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const [scheduleAt, setScheduleAt] = useState("");
  const [editing, setEditing] = useState(false);
  const refresh = () => {
    void campaign.refetch();
    void progress.refetch();
  };
  const options = (done: string) => ({
    onSuccess: () => {
      toast(done, "success");
      refresh();
    },
    onError: (e: unknown) => toast(errorMessage(e), "error"),
  });
  const start = useMutation(trpc.campaigns.start.mutationOptions(options("Campaign started")));
  const schedule = useMutation(trpc.campaigns.start.mutationOptions(options("Campaign scheduled")));
  const pause = useMutation(
    trpc.campaigns.pause.mutationOptions(options("Paused: messages already in flight still go out")),
  );
  const resume = useMutation(trpc.campaigns.resume.mutationOptions(options("Campaign resumed")));
  const cancel = useMutation(trpc.campaigns.cancel.mutationOptions(options("Campaign cancelled")));
  const c = campaign.data;
  if (!c) return campaign.error ? <ErrorNote error={campaign.error} /> : <SkeletonRows />;
  const p = progress.data;
  // Drafts and scheduled campaigns (nothing sent yet) can be edited.
  const editable = c.status === "DRAFT" || c.status === "SCHEDULED";
  // Not yet expanded, or queued/in flight at the worker: what the progress bar still waits for.
  const waiting = p ? p.pending + (p.byStatus.QUEUED ?? 0) + (p.byStatus.PROCESSING ?? 0) : 0;

  return (
    <>
      <PageHeader
        title={c.name}
        description={`Time zone ${c.timeZone} · batches of ${c.batchSize}, ${c.batchPauseSec} s apart · ${c.minDelayMs}–${c.maxDelayMs} ms between messages${c.maxPerMinute ? ` · at most ${c.maxPerMinute}/min` : ""}${c.quietHoursStart ? ` · quiet ${c.quietHoursStart}–${c.quietHoursEnd}` : ""}`}
        actions={
          <div className="flex items-center gap-2">
            <span data-testid="campaign-status">
              <Badge tone={campaignTone(c.status)}>{humanize(c.status)}</Badge>
            </span>
            {editable && !editing ? (
              <Button tone="secondary" onClick={() => setEditing(true)}>
                Edit
              </Button>
            ) : null}
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
      {editable && editing ? (
        <EditCampaignCard
          campaign={c}
          onClose={(saved) => {
            setEditing(false);
            if (!saved) return;
            refresh();
            void preview.refetch();
          }}
        />
      ) : null}
      {c.pausedReason ? (
        <p className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-800">{c.pausedReason}</p>
      ) : null}
      <CampaignAttachmentNote media={c.media} />
      {c.status === "DRAFT" ? (
        <Card title="Preview and start" className="mb-6">
          <div data-testid="campaign-preview">
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
                    {preview.data.rendered.length > 1 ? (
                      <p className="mb-1 text-xs font-medium text-emerald-800">Variant {i + 1}</p>
                    ) : null}
                    <p className="whitespace-pre-wrap">{r.text}</p>
                    {r.missing.length ? (
                      <p className="mt-1 text-xs text-amber-700">
                        Missing for this contact: {r.missing.join(", ")}
                      </p>
                    ) : null}
                  </div>
                ))}
                {preview.data.missingVariables.contacts ? (
                  <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-amber-900">
                    <p>
                      {preview.data.missingVariables.contacts} contacts
                      {preview.data.missingVariables.complete
                        ? ""
                        : ` (of the first ${preview.data.missingVariables.scanned})`}{" "}
                      lack a variable with no default — add a default like {"{cargo|cliente}"} or fill the
                      field. Preview as:
                    </p>
                    <ul className="mt-2 flex flex-wrap gap-2">
                      {preview.data.missingVariables.examples.slice(0, 8).map((m) => (
                        <li key={m.contactId}>
                          <Button size="sm" tone="secondary" onClick={() => setPreviewContactId(m.contactId)}>
                            {m.name ?? m.phone} (no {m.variables.join(", ")})
                          </Button>
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
              </div>
            ) : (
              <SkeletonRows rows={2} />
            )}
          </div>
          <form
            className="mt-4 flex flex-wrap items-center gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (scheduleAt) schedule.mutate({ id, scheduledAt: scheduleAt });
            }}
          >
            <Button busy={start.isPending} onClick={() => start.mutate({ id })}>
              Start now
            </Button>
            <span className="text-sm text-slate-500">or</span>
            <div className="w-60">
              <Input
                type="datetime-local"
                aria-label={`Schedule (${c.timeZone})`}
                value={scheduleAt}
                onChange={(e) => setScheduleAt(e.target.value)}
              />
            </div>
            <Button type="submit" tone="secondary" disabled={!scheduleAt} busy={schedule.isPending}>
              Schedule ({c.timeZone})
            </Button>
          </form>
        </Card>
      ) : null}
      {c.scheduledAt && c.status === "SCHEDULED" ? (
        <p className="mb-4 rounded-md bg-sky-50 p-3 text-sm text-sky-800">
          Starts {formatDate(c.scheduledAt)} (your browser's time; scheduled in {c.timeZone}).
        </p>
      ) : null}
      {c.status === "COMPLETED" && p ? (
        <Card title="Summary" className="mb-6">
          <dl data-testid="campaign-summary" className="grid gap-4 text-sm sm:grid-cols-3 md:grid-cols-6">
            <Stat label="Recipients" value={p.total} />
            <Stat label="Sent" value={p.summary.sent} />
            <Stat label="Delivered" value={p.summary.delivered} />
            <Stat label="Read" value={p.summary.read} />
            <Stat label="Failed" value={p.summary.failed} />
            <Stat label="Replies" value={p.summary.replies} />
          </dl>
          <p className="mt-3 text-xs text-slate-500">
            Ran {formatDate(c.startedAt)} → {formatDate(c.completedAt)} · {c.excludedOptedOut} opted out and{" "}
            {c.excludedInvalid} invalid contacts were left out.
          </p>
        </Card>
      ) : null}
      {c.status !== "DRAFT" ? (
        <Card title="Progress" className="mb-6">
          {!p ? (
            <SkeletonRows rows={3} />
          ) : (
            <>
              <div className="mb-4 grid gap-4 text-sm sm:grid-cols-3 md:grid-cols-6">
                {Object.entries(p.byStatus).map(([status, n]) => (
                  <Stat key={status} label={humanize(status)} value={n} />
                ))}
              </div>
              <ProgressBar
                label="Recipients sent"
                value={p.total - waiting}
                max={p.total}
                tone={c.status === "PAUSED" ? "amber" : "emerald"}
              />
              <p className="mt-2 mb-4 text-xs text-slate-500">
                {p.total - waiting} of {p.total} done · {waiting} waiting · {p.ratePerMinute.toFixed(1)}{" "}
                msg/min · ETA {c.status === "RUNNING" ? formatEta(p.etaSeconds) : "—"} · {p.skipped} skipped ·{" "}
                {p.cancelled} cancelled · started {formatDate(c.startedAt)}
              </p>
              <h3 className="mb-2 text-sm font-semibold text-slate-800">Per sending number</h3>
              {p.bySession.length ? (
                <CampaignNumbersChart
                  rows={p.bySession.map((s) => {
                    const session = sessions.data?.items.find((x) => x.id === s.sessionId);
                    return { label: session?.label ?? s.sessionId.slice(0, 8), counts: s.counts };
                  })}
                />
              ) : (
                <p className="text-sm text-slate-500">No messages yet.</p>
              )}
            </>
          )}
        </Card>
      ) : null}
    </>
  );
}
