"use client";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import type { AppRouter } from "@/server/root";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function makeTRPCClient() {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })],
  });
}

/** Field messages from a BAD_REQUEST (see errorFormatter in server/trpc.ts). */
export function fieldErrors(error: unknown): Record<string, string[]> {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: Record<string, string[]> | null } | undefined;
    return data?.fieldErrors ?? {};
  }
  return {};
}

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const fields = fieldErrors(error);
    const first = Object.entries(fields)[0];
    if (first) {
      const [field, [message = ""]] = first;
      return message.startsWith(field) ? message : `${field}: ${message}`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
