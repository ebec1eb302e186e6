"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { CheckboxGroup } from "@/components/checkbox-group";
import { humanize } from "@/components/status";
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

const deliveryTone = {
  SUCCEEDED: "green",
  PENDING: "gray",
  DELIVERING: "blue",
  FAILED: "yellow",
  DEAD: "red",
} as const;

export default function WebhooksPage() {
  const trpc = useTRPC();
  const toast = useToast();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions());
  const eventTypes = useQuery(trpc.webhooks.eventTypes.queryOptions());
  const [endpointFilter, setEndpointFilter] = useState<string | undefined>();
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ endpointId: endpointFilter, limit: 50 }),
    refetchInterval: 10_000,
  });
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<Set<string>>(new Set());
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => void endpoints.refetch();
  const onError = (e: unknown) => toast(errorMessage(e), "error");
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: (row) => {
        setSecret(row.secret);
        setUrl("");
        setDescription("");
        refresh();
      },
      onError,
    }),
  );
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: refresh, onError }));
  const rotate = useMutation(
    trpc.webhooks.rotateSecret.mutationOptions({ onSuccess: (r) => setSecret(r.secret), onError }),
  );
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: () => {
        toast("Endpoint deleted", "success");
        refresh();
      },
      onError,
    }),
  );
  const errors = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ url, description: description || null, events: [...events] });
  };
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="We POST signed JSON to your URL when things happen. Verify the signature with the endpoint's secret."
      />
      {secret ? (
        <div className="mb-6 rounded-lg border border-emerald-300 bg-emerald-50 p-4" role="alert">
          <p className="text-sm font-medium text-emerald-900">Signing secret — shown only once:</p>
          <div className="mt-2 flex gap-2">
            <code className="flex-1 overflow-x-auto rounded bg-white px-3 py-2 font-mono text-sm">
              {secret}
            </code>
            <Button tone="ghost" onClick={() => setSecret(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}
      <Card title="New endpoint" className="mb-6">
        <form onSubmit={onSubmit} className="space-y-4">
          <div className="grid gap-4 md:grid-cols-2">
            <TextField
              label="URL"
              error={errors.url}
              type="url"
              value={url}
              onValue={setUrl}
              placeholder="https://example.com/zapflow"
            />
            <Field label="Description (optional)" error={errors.description}>
              {(id) => <Input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
          </div>
          <CheckboxGroup
            legend="Events (none selected = all)"
            options={eventTypes.data}
            selected={events}
            onChange={setEvents}
          />
          <Button type="submit" busy={create.isPending}>
            Add endpoint
          </Button>
        </form>
      </Card>
      <Card title="Endpoints" className="mb-6">
        <ErrorNote error={endpoints.error} />
        {endpoints.isPending ? (
          <SkeletonRows />
        ) : !endpoints.data?.items.length ? (
          <EmptyState title="No endpoints" description="Add one above to receive events." />
        ) : (
          <ul className="divide-y divide-slate-100">
            {endpoints.data.items.map((ep) => (
              <li key={ep.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div className="min-w-0">
                  <p className="truncate font-mono text-sm text-slate-800">{ep.url}</p>
                  <p className="text-xs text-slate-500">
                    {ep.description ? `${ep.description} · ` : ""}
                    {ep.events.length ? ep.events.join(", ") : "all events"}
                    {ep.consecutiveFailures ? ` · ${ep.consecutiveFailures} failures in a row` : ""}
                  </p>
                </div>
                <div className="flex items-center gap-2">
                  {ep.enabled ? (
                    <Badge tone="green">Enabled</Badge>
                  ) : (
                    <Badge tone="gray">{ep.disabledAt ? "Auto-disabled" : "Disabled"}</Badge>
                  )}
                  <Button
                    size="sm"
                    tone="secondary"
                    onClick={() => update.mutate({ id: ep.id, enabled: !ep.enabled })}
                  >
                    {ep.enabled ? "Disable" : "Enable"}
                  </Button>
                  <Button
                    size="sm"
                    tone="secondary"
                    onClick={() =>
                      window.confirm("Rotate the secret? The old one stops working.") &&
                      rotate.mutate({ id: ep.id })
                    }
                  >
                    Rotate secret
                  </Button>
                  <Button
                    size="sm"
                    tone="ghost"
                    onClick={() => setEndpointFilter(endpointFilter === ep.id ? undefined : ep.id)}
                  >
                    {endpointFilter === ep.id ? "All deliveries" : "Deliveries"}
                  </Button>
                  <Button
                    size="sm"
                    tone="danger"
                    onClick={() => window.confirm(`Delete ${ep.url}?`) && remove.mutate({ id: ep.id })}
                  >
                    Delete
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Delivery log">
        <ErrorNote error={deliveries.error} />
        {deliveries.isPending ? (
          <SkeletonRows />
        ) : !deliveries.data?.items.length ? (
          <EmptyState title="No deliveries yet" />
        ) : (
          <table className="w-full">
            <TableHeadRow
              columns={["Created", "Event", "Status", "Attempts", "Last response", "Next attempt"]}
            />
            <tbody className="divide-y divide-slate-100">
              {deliveries.data.items.map((d) => (
                <tr key={d.id}>
                  <td className={`${td} text-xs`}>{formatDate(d.createdAt)}</td>
                  <td className={`${td} font-mono text-xs`}>{d.eventType}</td>
                  <td className={td}>
                    <Badge tone={deliveryTone[d.status]}>{humanize(d.status)}</Badge>
                  </td>
                  <td className={td}>{d.attempts}</td>
                  <td className={`${td} text-xs`}>{d.lastStatusCode ?? d.lastError ?? "—"}</td>
                  <td className={`${td} text-xs`}>
                    {d.status === "SUCCEEDED" || d.status === "DEAD" ? "—" : formatDate(d.nextAttemptAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
