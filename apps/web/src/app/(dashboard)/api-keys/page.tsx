"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useToast } from "@/components/toast";
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNote,
  Field,
  formatDate,
  Input,
  PageHeader,
  SkeletonRows,
  td,
  th,
} from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";
import type { ApiScope } from "@/server/auth/scopes";

function ShownOnce({ value, onDone }: { value: string; onDone: () => void }) {
  const toast = useToast();
  return (
    <div className="mb-6 rounded-lg border border-emerald-300 bg-emerald-50 p-4" role="alert">
      <p className="text-sm font-medium text-emerald-900">
        Copy your new API key now — it is shown only once.
      </p>
      <div className="mt-2 flex gap-2">
        <code
          className="flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-sm"
          data-testid="new-api-key"
        >
          {value}
        </code>
        <Button
          tone="secondary"
          onClick={() => navigator.clipboard.writeText(value).then(() => toast("Copied", "success"))}
        >
          Copy
        </Button>
        <Button tone="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

export default function ApiKeysPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const scopes = useQuery(trpc.apiKeys.scopes.queryOptions());
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set(["messages:write", "messages:read"]));
  const [expiresAt, setExpiresAt] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (row) => {
        setCreated(row.key);
        setName("");
        void keys.refetch();
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => {
        toast("Key revoked", "success");
        void keys.refetch();
      },
      onError: (e) => toast(errorMessage(e), "error"),
    }),
  );
  const errors = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      name,
      scopes: [...chosen] as ApiScope[],
      expiresAt: expiresAt ? new Date(expiresAt) : null,
    });
  };
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for integrators calling the REST API (see the API reference). Send them as Authorization: Bearer zf_…"
      />
      {created ? <ShownOnce value={created} onDone={() => setCreated(null)} /> : null}
      <Card title="New key" className="mb-6">
        <form onSubmit={onSubmit} className="space-y-4">
          <div className="grid gap-4 md:grid-cols-2">
            <Field label="Name" error={errors.name}>
              {(id, d) => (
                <Input
                  id={id}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  placeholder="CRM integration"
                  invalid={!!errors.name}
                  aria-describedby={d}
                />
              )}
            </Field>
            <Field label="Expires (optional)" error={errors.expiresAt}>
              {(id, d) => (
                <Input
                  id={id}
                  type="date"
                  value={expiresAt}
                  onChange={(e) => setExpiresAt(e.target.value)}
                  aria-describedby={d}
                />
              )}
            </Field>
          </div>
          <fieldset>
            <legend className="mb-2 text-sm font-medium text-slate-700">Scopes</legend>
            <div className="flex flex-wrap gap-3">
              {scopes.data?.map((s) => (
                <label
                  key={s}
                  className="flex items-center gap-1.5 rounded-md border border-slate-200 px-2 py-1 text-sm"
                >
                  <input
                    type="checkbox"
                    checked={chosen.has(s)}
                    onChange={() => {
                      const next = new Set(chosen);
                      if (next.has(s)) next.delete(s);
                      else next.add(s);
                      setChosen(next);
                    }}
                  />
                  <span className="font-mono text-xs">{s}</span>
                </label>
              ))}
            </div>
            {errors.scopes ? <p className="mt-1 text-xs text-red-600">{errors.scopes[0]}</p> : null}
          </fieldset>
          <Button type="submit" busy={create.isPending}>
            Create key
          </Button>
        </form>
      </Card>
      <Card title="Keys">
        <ErrorNote error={keys.error} />
        {keys.isPending ? (
          <SkeletonRows />
        ) : !keys.data?.length ? (
          <EmptyState title="No API keys" description="Create one above to call the API from your systems." />
        ) : (
          <table className="w-full">
            <thead>
              <tr className="border-b border-slate-100">
                <th className={th}>Name</th>
                <th className={th}>Key</th>
                <th className={th}>Scopes</th>
                <th className={th}>Last used</th>
                <th className={th}>Status</th>
                <th className={th} />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.data.map((k) => {
                const expired = k.expiresAt && new Date(k.expiresAt) < new Date();
                return (
                  <tr key={k.id}>
                    <td className={td}>{k.name}</td>
                    <td className={`${td} font-mono text-xs`}>{k.prefix}…</td>
                    <td className={`${td} text-xs`}>{k.scopes.join(", ")}</td>
                    <td className={`${td} text-xs`}>{formatDate(k.lastUsedAt)}</td>
                    <td className={td}>
                      {k.revokedAt ? (
                        <Badge tone="red">Revoked</Badge>
                      ) : expired ? (
                        <Badge tone="yellow">Expired</Badge>
                      ) : (
                        <Badge tone="green">Active</Badge>
                      )}
                    </td>
                    <td className={`${td} text-right`}>
                      {!k.revokedAt ? (
                        <Button
                          size="sm"
                          tone="danger"
                          onClick={() =>
                            window.confirm(`Revoke "${k.name}"? Calls with it fail at once.`) &&
                            revoke.mutate({ id: k.id })
                          }
                        >
                          Revoke
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
