"use client";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useDemoMode } from "@/components/shell";
import { useToast } from "@/components/toast";
import { Button, Card, Field, Input } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";
import { type LiveSession, useCountdown } from "./use-live-session";

async function demoAction(action: "scan" | "confirm-code", sessionId: string): Promise<void> {
  const res = await fetch("/api/demo/simulator", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action, sessionId }),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `Simulator answered ${res.status}`);
  }
}

function useDemo(sessionId: string, action: "scan" | "confirm-code", done: string) {
  const toast = useToast();
  return useMutation({
    mutationFn: () => demoAction(action, sessionId),
    onSuccess: () => toast(done, "success"),
    onError: (err) => toast(errorMessage(err), "error"),
  });
}

export function QrPanel({ session }: { session: LiveSession }) {
  const demoMode = useDemoMode();
  const secondsLeft = useCountdown(session.qrExpiresAt);
  const scan = useDemo(session.id, "scan", "Scan simulated: the phone is pairing");
  const waiting = session.status === "AWAITING_QR";
  return (
    <Card title="Pair with a QR code">
      {waiting && session.qrDataUrl ? (
        <div className="flex flex-col items-center gap-3" data-testid="qr-panel">
          {/* biome-ignore lint/performance/noImgElement: a data URL rendered on the server, nothing to optimise */}
          <img
            src={session.qrDataUrl}
            alt="WhatsApp pairing QR code"
            width={264}
            height={264}
            className="rounded-lg border border-slate-200"
          />
          <p className="text-sm text-slate-600" aria-live="polite">
            {secondsLeft !== null && secondsLeft > 0 ? `New code in ${secondsLeft}s` : "Refreshing the code…"}
          </p>
          <ol className="list-decimal space-y-1 pl-5 text-xs text-slate-500">
            <li>Open WhatsApp on your phone</li>
            <li>Settings → Linked devices → Link a device</li>
            <li>Point the phone at this code</li>
          </ol>
          {demoMode ? (
            <Button tone="secondary" onClick={() => scan.mutate()} busy={scan.isPending}>
              Simulate scan
            </Button>
          ) : null}
        </div>
      ) : (
        <p className="text-sm text-slate-500">
          {session.status === "CONNECTED"
            ? "This number is paired and connected."
            : session.status === "AWAITING_PAIRING_CODE"
              ? "Pairing with a code instead (see the code panel)."
              : session.status === "CONNECTING" || session.status === "RECONNECTING"
                ? "Connecting… the QR code appears here in a moment."
                : "Press Connect to show a QR code."}
        </p>
      )}
    </Card>
  );
}

export function PairingCodePanel({ session }: { session: LiveSession }) {
  const trpc = useTRPC();
  const toast = useToast();
  const demoMode = useDemoMode();
  const [phone, setPhone] = useState(session.pairingPhone ?? "");
  const secondsLeft = useCountdown(session.pairingCodeExpiresAt);
  const request = useMutation(
    trpc.sessions.requestPairingCode.mutationOptions({
      onSuccess: () => toast("Pairing code requested", "success"),
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const confirm = useDemo(session.id, "confirm-code", "Code confirmation simulated");
  const errors = fieldErrors(request.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate({ id: session.id, phone });
  };
  if (session.status === "CONNECTED") return null;
  return (
    <Card title="Or pair with a code">
      {session.status === "AWAITING_PAIRING_CODE" && session.pairingCode ? (
        <div className="mb-4 rounded-lg bg-emerald-50 p-4 text-center">
          <p className="text-xs text-emerald-800">
            Enter this code on the phone (Linked devices → Link with phone number)
          </p>
          <p
            className="mt-2 font-mono text-3xl font-semibold tracking-[0.3em] text-emerald-900"
            data-testid="pairing-code"
          >
            {session.pairingCode}
          </p>
          {secondsLeft !== null ? (
            <p className="mt-1 text-xs text-emerald-700">Valid for {secondsLeft}s</p>
          ) : null}
          {demoMode ? (
            <Button
              tone="secondary"
              size="sm"
              className="mt-3"
              onClick={() => confirm.mutate()}
              busy={confirm.isPending}
            >
              Simulate code confirmation
            </Button>
          ) : null}
        </div>
      ) : null}
      <form onSubmit={onSubmit} className="space-y-3">
        <Field
          label="Phone number with country code"
          error={errors.phone}
          hint="Digits only, e.g. 5511987654321"
        >
          {(id, describedBy) => (
            <Input
              id={id}
              inputMode="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              invalid={!!errors.phone}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <Button type="submit" tone="secondary" busy={request.isPending}>
          Get pairing code
        </Button>
      </form>
    </Card>
  );
}
