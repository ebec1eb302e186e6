"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { humanize, sessionTone } from "@/components/status";
import { useToast } from "@/components/toast";
import { Badge, Button, Card, EmptyState, formatDate, PageHeader, Skeleton } from "@/components/ui";
import { errorMessage, useTRPC } from "@/lib/trpc";
import { PairingCodePanel, QrPanel } from "./pairing-panels";
import { type LiveSession, useLiveSession } from "./use-live-session";

function Actions({ session }: { session: LiveSession }) {
  const trpc = useTRPC();
  const toast = useToast();
  const router = useRouter();
  const queryClient = useQueryClient();
  const opts = (done: string) => ({
    onSuccess: () => {
      toast(done, "success");
      void queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
    },
    onError: (err: unknown) => toast(errorMessage(err), "error"),
  });
  const start = useMutation(trpc.sessions.start.mutationOptions(opts("Connecting…")));
  const stop = useMutation(trpc.sessions.stop.mutationOptions(opts("Stopping…")));
  const restart = useMutation(trpc.sessions.restart.mutationOptions(opts("Restarting…")));
  const logout = useMutation(trpc.sessions.logout.mutationOptions(opts("Logging out…")));
  const remove = useMutation(
    trpc.sessions.delete.mutationOptions({
      onSuccess: () => {
        toast("Session deleted", "success");
        router.push("/sessions");
      },
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const id = { id: session.id };
  const wantsConnection = session.desiredState === "CONNECTED";
  return (
    <div className="flex flex-wrap gap-2">
      {!wantsConnection ? (
        <Button onClick={() => start.mutate(id)} busy={start.isPending}>
          Connect
        </Button>
      ) : (
        <Button tone="secondary" onClick={() => stop.mutate(id)} busy={stop.isPending}>
          Stop
        </Button>
      )}
      <Button tone="secondary" onClick={() => restart.mutate(id)} busy={restart.isPending}>
        Restart
      </Button>
      <Button
        tone="secondary"
        onClick={() =>
          window.confirm("Log this number out? You will need to pair it again.") && logout.mutate(id)
        }
        busy={logout.isPending}
      >
        Log out
      </Button>
      <Button
        tone="danger"
        onClick={() =>
          window.confirm(`Delete "${session.label}"? Its messages are deleted too.`) && remove.mutate(id)
        }
        busy={remove.isPending}
      >
        Delete
      </Button>
    </div>
  );
}

function BreakerCard({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const breaker = useQuery({
    ...trpc.sessions.breaker.queryOptions({ id: sessionId }),
    refetchInterval: 10_000,
  });
  const reset = useMutation(
    trpc.sessions.resetBreaker.mutationOptions({
      onSuccess: () => {
        toast("Breaker reset", "success");
        void breaker.refetch();
      },
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const b = breaker.data;
  return (
    <Card
      title="Reconnect circuit breaker"
      actions={
        <Button
          size="sm"
          tone="secondary"
          onClick={() => reset.mutate({ id: sessionId })}
          busy={reset.isPending}
          disabled={!b || (b.state === "CLOSED" && b.failures === 0)}
        >
          Reset
        </Button>
      }
    >
      {!b ? (
        <Skeleton className="h-16 w-full" />
      ) : (
        <dl className="grid grid-cols-2 gap-3 text-sm">
          <dt className="text-slate-500">State</dt>
          <dd>
            <Badge tone={b.state === "CLOSED" ? "green" : b.state === "OPEN" ? "red" : "yellow"}>
              {humanize(b.state)}
            </Badge>
          </dd>
          <dt className="text-slate-500">Failures</dt>
          <dd>
            {b.failures} / {b.threshold}
          </dd>
          <dt className="text-slate-500">Last failure</dt>
          <dd>{formatDate(b.lastFailureAt)}</dd>
          <dt className="text-slate-500">Reason</dt>
          <dd className="truncate">{b.lastFailureReason ?? "—"}</dd>
        </dl>
      )}
    </Card>
  );
}

export default function SessionPage() {
  const { id } = useParams<{ id: string }>();
  const { session, gone, connected } = useLiveSession(id);
  if (gone) {
    return (
      <EmptyState
        title="Session not found"
        description="It was deleted or belongs to another company."
        action={<Link href="/sessions">Back to sessions</Link>}
      />
    );
  }
  if (!session) {
    return (
      <div className="space-y-4" role="status" aria-label="Loading">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-72 w-full" />
      </div>
    );
  }
  return (
    <>
      <PageHeader
        title={session.label}
        description={session.phone ? `+${session.phone.replace(/^\+/, "")}` : "Not paired yet"}
        actions={
          <span className="flex items-center gap-2" data-testid="session-status">
            <Badge tone={sessionTone(session.status)}>{humanize(session.status)}</Badge>
            <span
              className={`size-2 rounded-full ${connected ? "bg-emerald-500" : "bg-slate-300"}`}
              title={connected ? "Live" : "Reconnecting to live updates"}
            />
          </span>
        }
      />
      <div className="mb-6">
        <Actions session={session} />
      </div>
      {session.outboundPausedAt ? (
        <p className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Outbound traffic paused since {formatDate(session.outboundPausedAt)}: {session.outboundPausedReason}
        </p>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <QrPanel session={session} />
        <div className="space-y-6">
          <PairingCodePanel session={session} />
          <Card title="Details">
            <dl className="grid grid-cols-2 gap-2 text-sm">
              <dt className="text-slate-500">Engine</dt>
              <dd>{humanize(session.engine)}</dd>
              <dt className="text-slate-500">Desired state</dt>
              <dd>{humanize(session.desiredState)}</dd>
              <dt className="text-slate-500">Worker</dt>
              <dd className="truncate font-mono text-xs">{session.ownerWorkerId ?? "—"}</dd>
              <dt className="text-slate-500">Connected at</dt>
              <dd>{formatDate(session.connectedAt)}</dd>
              <dt className="text-slate-500">Last disconnect code</dt>
              <dd>{session.lastDisconnectCode ?? "—"}</dd>
            </dl>
            <Link
              href={`/messages?sessionId=${session.id}`}
              className="mt-4 inline-block text-sm font-medium text-emerald-700 hover:underline"
            >
              Messages of this number →
            </Link>
          </Card>
          <BreakerCard sessionId={session.id} />
        </div>
      </div>
    </>
  );
}
