"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { humanize, sessionTone } from "@/components/status";
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
  td,
} from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";

function CreateSessionForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState("");
  const create = useMutation(
    trpc.sessions.create.mutationOptions({
      onSuccess: async (session) => {
        await queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
        toast(`Session "${session.label}" created`, "success");
        router.push(`/sessions/${session.id}`);
      },
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const errors = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ label });
  };
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
      <div className="min-w-64 flex-1">
        <Field label="New session label" error={errors.label} hint="e.g. Sales, Support, Campaigns 1">
          {(id, describedBy) => (
            <Input
              id={id}
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              placeholder="Sales"
              invalid={!!errors.label}
              aria-describedby={describedBy}
            />
          )}
        </Field>
      </div>
      <Button type="submit" busy={create.isPending} className="mb-5">
        Create session
      </Button>
    </form>
  );
}

export default function SessionsPage() {
  const trpc = useTRPC();
  const sessions = useQuery({ ...trpc.sessions.list.queryOptions(), refetchInterval: 5_000 });
  return (
    <>
      <PageHeader
        title="Sessions"
        description="Each session is one WhatsApp number paired by QR code or pairing code"
      />
      <Card className="mb-6">
        <CreateSessionForm />
      </Card>
      <Card title="Your numbers">
        <ErrorNote error={sessions.error} />
        {sessions.isPending ? (
          <SkeletonRows />
        ) : !sessions.data?.items.length ? (
          <EmptyState
            title="No sessions yet"
            description="Create one above, then scan the QR code with WhatsApp on your phone."
          />
        ) : (
          <table className="w-full">
            <TableHeadRow columns={["Label", "Phone", "Status", "Breaker", "Last seen"]} />
            <tbody className="divide-y divide-slate-100">
              {sessions.data.items.map((s) => (
                <tr key={s.id} className="hover:bg-slate-50">
                  <td className={td}>
                    <Link href={`/sessions/${s.id}`} className="font-medium text-emerald-700 hover:underline">
                      {s.label}
                    </Link>
                  </td>
                  <td className={`${td} font-mono`}>{s.phone ?? "—"}</td>
                  <td className={td}>
                    <Badge tone={sessionTone(s.status)}>{humanize(s.status)}</Badge>
                  </td>
                  <td className={td}>
                    <Badge tone={s.breakerState === "CLOSED" ? "gray" : "red"}>
                      {humanize(s.breakerState)}
                    </Badge>
                  </td>
                  <td className={td}>{formatDate(s.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
