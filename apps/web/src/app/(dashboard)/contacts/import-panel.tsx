"use client";
// CSV import: upload → preview (headers + first rows) → the user maps columns → background job,
// followed live until it finishes, with per-line errors. Can be cancelled.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ProgressBar } from "@/components/progress-bar";
import { humanize } from "@/components/status";
import { useToast } from "@/components/toast";
import { Badge, Button, Card, ErrorNote, Field, Input, Select, TextField, td, th } from "@/components/ui";
import { errorMessage, useTRPC } from "@/lib/trpc";

type Preview = {
  storageKey: string;
  fileName: string;
  headers: string[];
  rows: string[][];
  encoding: string;
  delimiter: string;
  estimatedRows: number;
};

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** "vip, 2026" → ["vip", "2026"] */
export const splitTags = (value: string) =>
  value
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

const guess = (headers: string[], words: string[]) =>
  headers.find((h) => words.some((w) => h.toLowerCase().includes(w))) ?? "";

export function ImportPanel({
  lists,
  onDone,
}: {
  lists: { id: string; name: string }[];
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [country, setCountry] = useState("BR");
  const [listId, setListId] = useState("");
  const [tags, setTags] = useState("");
  const [importId, setImportId] = useState<string | null>(null);
  const onError = (e: unknown) => toast(errorMessage(e), "error");

  const upload = useMutation(
    trpc.contacts.importPreview.mutationOptions({
      onSuccess: (p) => {
        setPreview(p);
        setPhone(guess(p.headers, ["telefone", "phone", "celular", "whatsapp", "fone"]));
        setName(guess(p.headers, ["nome", "name"]));
        setFields({});
      },
      onError,
    }),
  );
  const start = useMutation(
    trpc.contacts.importStart.mutationOptions({ onSuccess: (r) => setImportId(r.id), onError }),
  );
  const cancel = useMutation(
    trpc.contacts.importCancel.mutationOptions({
      onSuccess: () => toast("Import cancelled: rows already written stay imported", "info"),
      onError,
    }),
  );
  const progress = useQuery({
    ...trpc.contacts.importGet.queryOptions({ id: importId ?? "" }),
    enabled: !!importId,
    refetchInterval: (q) =>
      q.state.data && ["COMPLETED", "FAILED", "CANCELLED"].includes(q.state.data.status) ? false : 1_000,
  });
  const job = progress.data;
  const finished = job && ["COMPLETED", "FAILED", "CANCELLED"].includes(job.status);
  // Refresh the contact list (and say so) once, when the job reaches an end state.
  const [announced, setAnnounced] = useState<string | null>(null);
  useEffect(() => {
    if (!job || !finished || announced === job.id) return;
    setAnnounced(job.id);
    if (job.status === "COMPLETED")
      toast(`Imported ${job.importedRows + job.updatedRows} contacts from ${job.fileName}`, "success");
    onDone();
  }, [job, finished, announced, toast, onDone]);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setImportId(null);
    upload.mutate({ fileName: file.name, contentBase64: await toBase64(file) });
  };
  const submit = () => {
    if (!preview) return;
    const customFields = Object.fromEntries(
      Object.entries(fields)
        .filter(([, key]) => key.trim())
        .map(([column, key]) => [key.trim(), column]),
    );
    start.mutate({
      storageKey: preview.storageKey,
      fileName: preview.fileName,
      defaultCountry: country,
      listId: listId || undefined,
      mapping: { phone, name: name || undefined, customFields, tags: splitTags(tags) },
    });
  };

  return (
    <Card title="Import contacts from CSV" className="mb-6">
      <div className="space-y-4">
        <Field
          label="CSV file"
          hint="One contact per row with a header line; you pick the phone and name columns after the upload."
        >
          {(id, describedBy) => (
            <Input
              id={id}
              type="file"
              accept=".csv,text/csv"
              aria-describedby={describedBy}
              disabled={upload.isPending}
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
          )}
        </Field>
        {upload.isPending ? (
          <p role="status" className="text-sm text-slate-500">
            Reading the file…
          </p>
        ) : null}
        <ErrorNote error={upload.error} />
        {preview && !importId ? (
          <>
            <p className="text-xs text-slate-500">
              {preview.fileName}: {preview.encoding === "utf8" ? "UTF-8" : "Latin-1"}, separated by “
              {preview.delimiter}”, about {preview.estimatedRows} rows.
            </p>
            <div className="overflow-x-auto">
              <table className="min-w-full text-xs">
                <thead>
                  <tr>
                    {preview.headers.map((h) => (
                      <th key={h} className={th}>
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((row, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a static sample of the file's first rows
                    <tr key={i}>
                      {preview.headers.map((h, j) => (
                        <td key={h} className={td}>
                          {row[j]}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="grid gap-4 md:grid-cols-4">
              <Field label="Phone column">
                {(id) => (
                  <Select id={id} value={phone} onChange={(e) => setPhone(e.target.value)}>
                    <option value="">—</option>
                    {preview.headers.map((h) => (
                      <option key={h}>{h}</option>
                    ))}
                  </Select>
                )}
              </Field>
              <Field label="Name column (optional)">
                {(id) => (
                  <Select id={id} value={name} onChange={(e) => setName(e.target.value)}>
                    <option value="">—</option>
                    {preview.headers.map((h) => (
                      <option key={h}>{h}</option>
                    ))}
                  </Select>
                )}
              </Field>
              <Field label="Default country" hint="For numbers without a country code">
                {(id, describedBy) => (
                  <Input
                    id={id}
                    aria-describedby={describedBy}
                    value={country}
                    maxLength={2}
                    onChange={(e) => setCountry(e.target.value.toUpperCase())}
                  />
                )}
              </Field>
              <Field label="Add to list (optional)">
                {(id) => (
                  <Select id={id} value={listId} onChange={(e) => setListId(e.target.value)}>
                    <option value="">—</option>
                    {lists.map((l) => (
                      <option key={l.id} value={l.id}>
                        {l.name}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </div>
            <fieldset>
              <legend className="mb-2 text-sm font-medium text-slate-700">
                Other columns as custom fields (template variables)
              </legend>
              <div className="grid gap-2 md:grid-cols-3">
                {preview.headers
                  .filter((h) => h !== phone && h !== name)
                  .map((h) => (
                    <div key={h} className="flex items-center gap-2 text-sm">
                      <span className="w-32 truncate text-slate-600">{h}</span>
                      <Input
                        aria-label={`Variable name for column ${h}`}
                        placeholder="variable, e.g. condominio"
                        value={fields[h] ?? ""}
                        onChange={(e) => setFields({ ...fields, [h]: e.target.value })}
                      />
                    </div>
                  ))}
              </div>
            </fieldset>
            <div className="max-w-md">
              <TextField
                label="Tags for every imported contact (optional)"
                hint="Comma-separated, e.g. vip, 2026"
                value={tags}
                onValue={setTags}
              />
            </div>
            <ErrorNote error={start.error} />
            <Button onClick={submit} busy={start.isPending} disabled={!phone}>
              Import
            </Button>
          </>
        ) : null}
        {job ? (
          <div className="space-y-2" data-testid="import-progress">
            <div className="flex items-center gap-3 text-sm">
              <Badge tone={job.status === "COMPLETED" ? "green" : job.status === "FAILED" ? "red" : "blue"}>
                {humanize(job.status)}
              </Badge>
              <span>
                {job.processedRows} / {job.totalRows || "?"} rows · {job.importedRows} new · {job.updatedRows}{" "}
                updated · {job.duplicateRows} duplicates · {job.invalidRows} invalid
              </span>
              {!finished ? (
                <Button size="sm" tone="secondary" onClick={() => cancel.mutate({ id: job.id })}>
                  Cancel
                </Button>
              ) : null}
              {finished ? (
                <Button
                  size="sm"
                  tone="ghost"
                  onClick={() => {
                    setImportId(null);
                    setPreview(null);
                    onDone();
                  }}
                >
                  Close
                </Button>
              ) : null}
            </div>
            <ProgressBar
              label="Rows processed"
              value={job.processedRows}
              max={Math.max(job.totalRows, job.processedRows)}
              tone={job.status === "CANCELLED" ? "slate" : job.status === "FAILED" ? "amber" : "emerald"}
            />
            {job.error ? <p className="text-sm text-red-600">{job.error}</p> : null}
            {job.rowErrors.length ? (
              <details className="text-xs" open={job.rowErrors.length <= 20}>
                <summary className="cursor-pointer font-medium text-amber-800">
                  {job.rowErrors.length} {job.rowErrors.length === 1 ? "row" : "rows"} not imported
                </summary>
                <ul className="mt-2 max-h-48 space-y-1 overflow-y-auto rounded-md border border-amber-200 bg-amber-50 p-3 text-amber-900">
                  {job.rowErrors.map((e) => (
                    <li key={e.line}>
                      <span className="font-mono">Line {e.line}: </span>
                      {e.reason}
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}
