"use client";
// New campaign: message variants with variables, audience, sending numbers, pacing, quiet hours.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useToast } from "@/components/toast";
import { Button, Card, Field, Input, PageHeader, Skeleton, TextArea } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";

const toggle = (set: string[], value: string) =>
  set.includes(value) ? set.filter((v) => v !== value) : [...set, value];

export default function NewCampaignPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const lists = useQuery(trpc.contacts.lists.queryOptions());
  const tags = useQuery(trpc.contacts.tags.queryOptions());
  const [name, setName] = useState("");
  const [variants, setVariants] = useState<string[]>(["Olá {nome|cliente}! "]);
  const [listIds, setListIds] = useState<string[]>([]);
  const [tagSet, setTagSet] = useState<string[]>([]);
  const [sessionIds, setSessionIds] = useState<string[]>([]);
  const [batchSize, setBatchSize] = useState(50);
  const [batchPauseSec, setBatchPauseSec] = useState(60);
  const [minDelayMs, setMinDelayMs] = useState(3000);
  const [maxDelayMs, setMaxDelayMs] = useState(8000);
  const [quietStart, setQuietStart] = useState("");
  const [quietEnd, setQuietEnd] = useState("");
  const hasAudience = listIds.length + tagSet.length > 0;
  const audience = useQuery({
    ...trpc.campaigns.audienceCount.queryOptions({ audience: { listIds, tags: tagSet, contactIds: [] } }),
    enabled: hasAudience,
  });
  const create = useMutation(
    trpc.campaigns.create.mutationOptions({
      onSuccess: (c) => {
        toast(`Draft “${c.name}” saved`, "success");
        router.push(`/campaigns/${c.id}`);
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      name,
      variants: variants.filter((v) => v.trim()),
      audience: { listIds, tags: tagSet, contactIds: [] },
      sessionIds,
      batchSize,
      batchPauseSec,
      minDelayMs,
      maxDelayMs,
      quietHoursStart: quietStart || null,
      quietHoursEnd: quietEnd || null,
    });
  };
  const chip = (active: boolean) =>
    `rounded-md border px-2 py-1 text-xs ${active ? "border-emerald-500 bg-emerald-50" : "border-slate-200"}`;

  return (
    <>
      <PageHeader
        title="New campaign"
        description="Variables: {nome}, any custom field such as {condominio}, and defaults like {cargo|cliente}."
      />
      <form onSubmit={submit} className="space-y-6">
        <Card title="Message">
          <div className="space-y-3">
            <Field label="Campaign name" error={errors.name}>
              {(id) => (
                <Input
                  id={id}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  invalid={!!errors.name}
                />
              )}
            </Field>
            {variants.map((v, i) => (
              <Field
                // biome-ignore lint/suspicious/noArrayIndexKey: variants are only appended, never reordered
                key={i}
                label={`Variant ${i + 1}`}
                hint={
                  i === 0
                    ? "{nome} is the contact's name; {cargo|cliente} uses the cargo field or “cliente” when empty. Variants rotate across recipients."
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
        <Card title="Audience and numbers">
          <div className="space-y-3">
            <p className="text-sm text-slate-600">Lists</p>
            <div className="flex flex-wrap gap-2">
              {lists.data?.map((l) => (
                <button
                  type="button"
                  key={l.id}
                  aria-pressed={listIds.includes(l.id)}
                  className={chip(listIds.includes(l.id))}
                  onClick={() => setListIds(toggle(listIds, l.id))}
                >
                  {l.name} ({l.members})
                </button>
              ))}
            </div>
            <p className="text-sm text-slate-600">Tags</p>
            <div className="flex flex-wrap gap-2">
              {tags.data?.map((t) => (
                <button
                  type="button"
                  key={t.tag}
                  aria-pressed={tagSet.includes(t.tag)}
                  className={chip(tagSet.includes(t.tag))}
                  onClick={() => setTagSet(toggle(tagSet, t.tag))}
                >
                  {t.tag} ({t.count})
                </button>
              ))}
            </div>
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
            <p className="text-sm text-slate-600">Sending numbers (rotated)</p>
            <div className="flex flex-wrap gap-2">
              {sessions.data?.items.map((s) => (
                <button
                  type="button"
                  key={s.id}
                  aria-pressed={sessionIds.includes(s.id)}
                  className={chip(sessionIds.includes(s.id))}
                  onClick={() => setSessionIds(toggle(sessionIds, s.id))}
                >
                  {s.label} {s.phone ? `(${s.phone})` : ""}
                </button>
              ))}
            </div>
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
            <Field label="Batch size" error={errors.batchSize}>
              {(id) => (
                <Input
                  id={id}
                  type="number"
                  value={batchSize}
                  onChange={(e) => setBatchSize(Number(e.target.value))}
                />
              )}
            </Field>
            <Field label="Pause between batches (s)" error={errors.batchPauseSec}>
              {(id) => (
                <Input
                  id={id}
                  type="number"
                  value={batchPauseSec}
                  onChange={(e) => setBatchPauseSec(Number(e.target.value))}
                />
              )}
            </Field>
            <div />
            <Field label="Min delay between messages (ms)" error={errors.minDelayMs}>
              {(id) => (
                <Input
                  id={id}
                  type="number"
                  value={minDelayMs}
                  onChange={(e) => setMinDelayMs(Number(e.target.value))}
                />
              )}
            </Field>
            <Field label="Max delay (ms)" error={errors.maxDelayMs}>
              {(id) => (
                <Input
                  id={id}
                  type="number"
                  value={maxDelayMs}
                  onChange={(e) => setMaxDelayMs(Number(e.target.value))}
                />
              )}
            </Field>
            <div />
            <Field label="Quiet hours start (HH:MM)" error={errors.quietHoursStart}>
              {(id) => (
                <Input
                  id={id}
                  value={quietStart}
                  placeholder="21:00"
                  onChange={(e) => setQuietStart(e.target.value)}
                />
              )}
            </Field>
            <Field label="Quiet hours end (HH:MM)" error={errors.quietHoursEnd}>
              {(id) => (
                <Input
                  id={id}
                  value={quietEnd}
                  placeholder="08:00"
                  onChange={(e) => setQuietEnd(e.target.value)}
                />
              )}
            </Field>
          </div>
        </Card>
        <div className="flex items-center gap-3">
          <Button type="submit" busy={create.isPending}>
            Save draft
          </Button>
          <p className="text-xs text-slate-500">
            Preview it for a real contact, then start or schedule it, on the next page.
          </p>
        </div>
      </form>
    </>
  );
}
