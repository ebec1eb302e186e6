// Subscribes a runner to one engine session's events and returns the matching unsubscribe, so
// no listener outlives the socket it was added to.
import type { EngineEvents, EngineSession } from "@zapflow/whatsapp";

export type EngineHandlers = { [E in keyof EngineEvents]: EngineEvents[E] };

export function bindEngineEvents(session: EngineSession, handlers: EngineHandlers): () => void {
  const names = Object.keys(handlers) as (keyof EngineEvents)[];
  for (const name of names) session.on(name, handlers[name]);
  return () => {
    for (const name of names) session.off(name, handlers[name]);
  };
}
