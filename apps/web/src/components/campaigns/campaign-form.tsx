"use client";
// The campaign settings form, shared by "New campaign" and editing a draft or scheduled campaign:
// message variants with variables, an optional attachment, audience, sending numbers, pacing, quiet
// hours, per-minute cap.
import { useQuery } from "@tanstack/react-query";
import type { CampaignMedia } from "@zapflow/db/domain";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import type { AttachedMedia } from "@/components/media/media-picker";
import { Button, Card, Field, Skeleton, TextArea, TextField } from "@/components/ui";
import { useTRPC } from "@/lib/trpc";
import {
  CampaignAttachmentCard,
  type CampaignMediaType,
  campaignMediaInput,
  captionNote,
  storedMedia,
} from "./campaign-attachment";

export interface CampaignFormValues {
  name: string;
  variants: string[];
  /** null: no attachment (removes a saved one on update). */
  media: CampaignMedia | null;
  audience: { listIds: string[]; tags: string[]; contactIds: string[] };
  sessionIds: string[];
  batchSize: number;
  batchPauseSec: number;
  minDelayMs: number;
  maxDelayMs: number;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  maxPerMinute: number | null;
  /** Only when rescheduling a scheduled campaign (left out when the field stays empty). */
  scheduledAt?: string;
}

/** Starting values: a saved campaign (its audience and media as stored) or the defaults of a new one. */
export type CampaignFormInitial = Omit<CampaignFormValues, "audience" | "media" | "scheduledAt"> & {
  audience: unknown;
  media: unknown;
};

const NEW_CAMPAIGN: CampaignFormInitial = {
  name: "",
  variants: ["Olá {nome|cliente}! "],
  media: null,
  audience: null,
  sessionIds: [],
  batchSize: 50,
  batchPauseSec: 60,
  minDelayMs: 3000,
  maxDelayMs: 8000,
  quietHoursStart: null,
  quietHoursEnd: null,
  maxPerMinute: null,
};

const toggle = (set: string[], value: string) =>
  set.includes(value) ? set.filter((v) => v !== value) : [...set, value];

const chip = (active: boolean) =>
  `rounded-md border px-2 py-1 text-xs ${active ? "border-emerald-500 bg-emerald-50" : "border-slate-200"}`;

type PacingKey =
  | "batchSize"
  | "batchPauseSec"
  | "maxPerMinute"
  | "minDelayMs"
  | "maxDelayMs"
  | "quietHoursStart"
  | "quietHoursEnd"
  | "scheduledAt";

/** Pacing inputs in display order (three per row); the error key is the field's name. */
const PACING_FIELDS: { key: PacingKey; label: string; type?: string; placeholder?: string }[] = [
  { key: "batchSize", label: "Batch size" },
  { key: "batchPauseSec", label: "Pause between batches (s)" },
  { key: "maxPerMinute", label: "Max messages per minute", placeholder: "no campaign limit" },
  { key: "minDelayMs", label: "Min delay between messages (ms)" },
  { key: "maxDelayMs", label: "Max delay (ms)" },
  { key: "quietHoursStart", label: "Quiet hours start (HH:MM)", type: "text", placeholder: "21:00" },
  { key: "quietHoursEnd", label: "Quiet hours end (HH:MM)", type: "text", placeholder: "08:00" },
  { key: "scheduledAt", label: "New start time", type: "datetime-local" },
];

/** The pacing inputs' text; the start time stays empty (= unchanged) until the user sets one. */
function pacingDraft(initial: CampaignFormInitial): Record<PacingKey, string> {
  return {
    batchSize: String(initial.batchSize),
    batchPauseSec: String(initial.batchPauseSec),
    maxPerMinute: initial.maxPerMinute?.toString() ?? "",
    minDelayMs: String(initial.minDelayMs),
    maxDelayMs: String(initial.maxDelayMs),
    quietHoursStart: initial.quietHoursStart ?? "",
    quietHoursEnd: initial.quietHoursEnd ?? "",
    scheduledAt: "",
  };
}

/** Toggle buttons over a set of choices (lists, tags, sending numbers). */
function ChipPicker({
  label,
  options,
  selected,
  onChange,
}: {
  label: string;
  options: { value: string; label: string }[] | undefined;
  selected: string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <fieldset className="space-y-1.5">
      <legend className="text-sm text-slate-600">{label}</legend>
      <div className="flex flex-wrap gap-2">
        {options === undefined ? <Skeleton className="h-7 w-40" /> : null}
        {options?.length === 0 ? <span className="text-xs text-slate-400">None yet</span> : null}
        {options?.map((o) => (
          <button
            type="button"
            key={o.value}
            aria-pressed={selected.includes(o.value)}
            className={chip(selected.includes(o.value))}
            onClick={() => onChange(toggle(selected, o.value))}
          >
            {o.label}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

function audienceOf(value: unknown): CampaignFormValues["audience"] {
  const a = (value ?? {}) as Partial<CampaignFormValues["audience"]>;
  return { listIds: a.listIds ?? [], tags: a.tags ?? [], contactIds: a.contactIds ?? [] };
}

export function CampaignForm({
  initial = NEW_CAMPAIGN,
  reschedule,
  submitLabel,
  busy,
  errors,
  onSubmit,
  footer,
}: {
  initial?: CampaignFormInitial;
  /** A scheduled campaign's time zone: shows the "new start time" field. */
  reschedule?: { timeZone: string };
  submitLabel: string;
  busy: boolean;
  errors: Record<string, string[]>;
  onSubmit: (values: CampaignFormValues) => void;
  footer?: string;
}) {
  const trpc = useTRPC();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const lists = useQuery(trpc.contacts.lists.queryOptions());
  const tags = useQuery(trpc.contacts.tags.queryOptions());
  const start = audienceOf(initial.audience);
  const [name, setName] = useState(initial.name);
  const [variants, setVariants] = useState<string[]>(initial.variants);
  const savedMedia = storedMedia(initial.media);
  const [mediaType, setMediaType] = useState<CampaignMediaType>(savedMedia?.type ?? "image");
  const [mediaFile, setMediaFile] = useState<AttachedMedia | null>(savedMedia);
  const [uploading, setUploading] = useState(false);
  const [listIds, setListIds] = useState<string[]>(start.listIds);
  const [tagSet, setTagSet] = useState<string[]>(start.tags);
  const [sessionIds, setSessionIds] = useState<string[]>(initial.sessionIds);
  const [pacing, setPacing] = useState<Record<PacingKey, string>>(() => pacingDraft(initial));
  const hasAudience = listIds.length + tagSet.length + start.contactIds.length > 0;
  const audience = useQuery({
    ...trpc.campaigns.audienceCount.queryOptions({
      audience: { listIds, tags: tagSet, contactIds: start.contactIds },
    }),
    enabled: hasAudience,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({
      name,
      variants: variants.filter((v) => v.trim()),
      media: campaignMediaInput(mediaType, mediaFile),
      audience: { listIds, tags: tagSet, contactIds: start.contactIds },
      sessionIds,
      // Numbers are sent as typed: the server answers a field error for a fraction or a negative.
      batchSize: Number(pacing.batchSize),
      batchPauseSec: Number(pacing.batchPauseSec),
      minDelayMs: Number(pacing.minDelayMs),
      maxDelayMs: Number(pacing.maxDelayMs),
      maxPerMinute: pacing.maxPerMinute.trim() === "" ? null : Number(pacing.maxPerMinute),
      quietHoursStart: pacing.quietHoursStart || null,
      quietHoursEnd: pacing.quietHoursEnd || null,
      ...(pacing.scheduledAt ? { scheduledAt: pacing.scheduledAt } : {}),
    });
  };

  return (
    <form onSubmit={submit} className="space-y-6">
      <Card title="Message">
        <div className="space-y-3">
          <TextField label="Campaign name" value={name} onValue={setName} error={errors.name} />
          {variants.map((v, i) => (
            <Field
              // biome-ignore lint/suspicious/noArrayIndexKey: variants are only appended, never reordered
              key={i}
              label={`Variant ${i + 1}${mediaFile ? " (caption)" : ""}`}
              hint={
                i === 0
                  ? `{nome} is the contact's name; {cargo|cliente} uses the cargo field or “cliente” when empty. Variants rotate across recipients.${mediaFile ? ` With the attachment, ${captionNote(mediaType)}.` : ""}`
                  : undefined
              }
              error={errors[`variants.${i}`] ?? (i === 0 ? errors.variants : undefined)}
            >
              {(id) => (
                <TextArea
                  id={id}
                  rows={3}
                  value={v}
                  onChange={(e) => setVariants(variants.map((x, j) => (j === i ? e.target.value : x)))}
                />
              )}
            </Field>
          ))}
          <Button
            tone="secondary"
            size="sm"
            onClick={() => setVariants([...variants, ""])}
            disabled={variants.length >= 10}
          >
            Add a variant
          </Button>
        </div>
      </Card>
      <CampaignAttachmentCard
        type={mediaType}
        file={mediaFile}
        uploading={uploading}
        onType={setMediaType}
        onFile={setMediaFile}
        onUploadingChange={setUploading}
        error={errors["media.storageKey"] ?? errors["media.url"] ?? errors.media}
      />
      <Card title="Audience and numbers">
        <div className="space-y-3">
          <ChipPicker
            label="Lists"
            options={lists.data?.map((l) => ({ value: l.id, label: `${l.name} (${l.members})` }))}
            selected={listIds}
            onChange={setListIds}
          />
          <ChipPicker
            label="Tags"
            options={tags.data?.map((t) => ({ value: t.tag, label: `${t.tag} (${t.count})` }))}
            selected={tagSet}
            onChange={setTagSet}
          />
          {lists.data?.length === 0 && tags.data?.length === 0 ? (
            <p className="text-sm text-slate-500">
              No lists or tags yet —{" "}
              <Link href="/contacts" className="text-emerald-700 hover:underline">
                import contacts
              </Link>{" "}
              first.
            </p>
          ) : null}
          <div data-testid="audience-summary" className="text-sm" aria-live="polite">
            {!hasAudience ? (
              <p className="text-slate-500">Choose lists and/or tags to see who it reaches.</p>
            ) : audience.data ? (
              <p>
                <strong>{audience.data.eligible} will receive it</strong>
                <span className="text-slate-500">
                  {" "}
                  · {audience.data.optedOut} opted out and {audience.data.invalid} invalid excluded
                </span>
              </p>
            ) : (
              <Skeleton className="h-5 w-64" />
            )}
          </div>
          {errors.audience ? <p className="text-xs text-red-600">{errors.audience[0]}</p> : null}
          <ChipPicker
            label="Sending numbers (rotated)"
            options={sessions.data?.items.map((s) => ({
              value: s.id,
              label: s.phone ? `${s.label} (${s.phone})` : s.label,
            }))}
            selected={sessionIds}
            onChange={setSessionIds}
          />
          {sessions.data?.items.length === 0 ? (
            <p className="text-sm text-slate-500">
              No numbers yet —{" "}
              <Link href="/sessions" className="text-emerald-700 hover:underline">
                pair one
              </Link>{" "}
              first.
            </p>
          ) : null}
          {errors.sessionIds ? <p className="text-xs text-red-600">{errors.sessionIds[0]}</p> : null}
        </div>
      </Card>
      <Card title="Pacing (the company's rate limits apply too — the stricter wins)">
        <div className="grid gap-4 md:grid-cols-3">
          {PACING_FIELDS.filter((f) => f.key !== "scheduledAt" || reschedule).map((f) => (
            <TextField
              key={f.key}
              label={f.key === "scheduledAt" ? `${f.label} (${reschedule?.timeZone})` : f.label}
              type={f.type}
              inputMode={f.type ? undefined : "numeric"}
              placeholder={f.placeholder}
              value={pacing[f.key]}
              onValue={(value) => setPacing({ ...pacing, [f.key]: value })}
              error={errors[f.key]}
            />
          ))}
        </div>
      </Card>
      {errors.status ? <p className="text-sm text-red-600">{errors.status[0]}</p> : null}
      <div className="flex items-center gap-3">
        <Button type="submit" busy={busy} disabled={uploading}>
          {submitLabel}
        </Button>
        {footer ? <p className="text-xs text-slate-500">{footer}</p> : null}
      </div>
    </form>
  );
}
