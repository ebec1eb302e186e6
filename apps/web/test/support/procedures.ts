import { appRouter } from "@/server/root";

/** Every procedure path of the app router ("sessions.start", "messages.dlq.retry", ...). */
export function allProcedurePaths(): string[] {
  return Object.keys(appRouter._def.procedures);
}

/** Calls a procedure on a caller by its dotted path. */
export function callPath(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}
