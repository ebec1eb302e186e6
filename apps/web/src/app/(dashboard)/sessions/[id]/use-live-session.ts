"use client";
import { useEffect, useState } from "react";
import type { LiveSessionView } from "@/server/sessions/live";

/** JSON over the wire: dates arrive as ISO strings. */
export type LiveSession = {
  [K in keyof LiveSessionView]: LiveSessionView[K] extends Date | null ? string | null : LiveSessionView[K];
};

/** Follows the session's server-sent events; EventSource reconnects by itself after a drop. */
export function useLiveSession(id: string) {
  const [session, setSession] = useState<LiveSession | null>(null);
  const [gone, setGone] = useState(false);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource(`/api/sessions/${id}/events`);
    source.addEventListener("session", (e) =>
      setSession(JSON.parse((e as MessageEvent<string>).data) as LiveSession),
    );
    source.addEventListener("gone", () => {
      setGone(true);
      source.close();
    });
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, [id]);
  return { session, gone, connected };
}

/** Seconds left until `iso` (re-rendered every second while positive). */
export function useCountdown(iso: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [iso]);
  if (!iso) return null;
  return Math.max(0, Math.round((new Date(iso).getTime() - now) / 1000));
}
