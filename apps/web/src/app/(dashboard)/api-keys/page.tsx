"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { CheckboxGroup } from "@/components/checkbox-group";
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
  TableHeadRow,
  TextField,
  td,
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
            <TextField
              label="Name"
              error={errors.name}
              value={name}
              onValue={setName}
              placeholder="CRM integration"
            />
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
          <CheckboxGroup
            legend="Scopes"
            options={scopes.data}
            selected={chosen}
            onChange={setChosen}
            error={errors.scopes?.[0]}
          />
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
            <TableHeadRow columns={["Name", "Key", "Scopes", "Last used", "Status", ""]} />
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
