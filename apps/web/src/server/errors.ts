// Maps errors from services (domain errors, Prisma, Redis) to tRPC codes so bad input is a 4xx
// with field messages, never a 500. Domain errors are recognised by name so copies of a class
// loaded twice (tests, bundles) still match.
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError, z } from "zod";

const codeByErrorName: Record<string, TRPC_ERROR_CODE_KEY> = {
  ValidationError: "BAD_REQUEST",
  JobPayloadError: "BAD_REQUEST",
  ZodError: "BAD_REQUEST",
  NotFoundError: "NOT_FOUND",
  ConflictError: "CONFLICT",
  ForbiddenError: "FORBIDDEN",
  QueueUnavailableError: "SERVICE_UNAVAILABLE",
};

const codeByPrismaCode: Record<string, TRPC_ERROR_CODE_KEY> = {
  P2002: "CONFLICT", // unique constraint
  P2025: "NOT_FOUND", // record to update/delete not found
  P2003: "BAD_REQUEST", // foreign key points nowhere
  P2000: "BAD_REQUEST", // value too long
  P2023: "BAD_REQUEST", // malformed id
};

export type FieldErrors = Record<string, string[]>;

interface IssueLike {
  /** zod: a key list; domain ValidationError: an already dotted string. */
  path: PropertyKey[] | string;
  message: string;
}

function isIssueList(value: unknown): value is IssueLike[] {
  return (
    Array.isArray(value) && value.every((i) => i && typeof i === "object" && "message" in i && "path" in i)
  );
}

function issuesToFieldErrors(issues: IssueLike[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = (typeof issue.path === "string" ? issue.path : issue.path.map(String).join(".")) || "_";
    out[key] = [...(out[key] ?? []), issue.message];
  }
  return out;
}

/** Field-level messages carried by an error (zod issues, or a domain error's fieldErrors/issues). */
export function fieldErrorsOf(cause: unknown): FieldErrors | null {
  if (cause instanceof ZodError) return issuesToFieldErrors(cause.issues);
  if (!cause || typeof cause !== "object") return null;
  const c = cause as { fieldErrors?: unknown; issues?: unknown; field?: unknown; message?: unknown };
  if (c.fieldErrors && typeof c.fieldErrors === "object") return c.fieldErrors as FieldErrors;
  if (isIssueList(c.issues)) return issuesToFieldErrors(c.issues);
  if (typeof c.field === "string" && typeof c.message === "string") return { [c.field]: [c.message] };
  return null;
}

/** A TRPCError for a service error, or null when it is a genuine server fault. */
export function toTRPCError(cause: unknown): TRPCError | null {
  if (cause instanceof TRPCError) return cause;
  if (!(cause instanceof Error)) return null;
  const prismaCode = (cause as { code?: unknown }).code;
  const code =
    codeByErrorName[cause.name] ??
    (typeof prismaCode === "string" ? codeByPrismaCode[prismaCode] : undefined) ??
    (cause instanceof ZodError ? "BAD_REQUEST" : undefined);
  if (!code) return null;
  const message = cause instanceof ZodError ? z.prettifyError(cause) : cause.message;
  return new TRPCError({ code, message, cause });
}
