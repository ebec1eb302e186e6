// Typed service errors: the web maps them to 4xx (ValidationError 400/422, NotFoundError 404,
// ConflictError 409) instead of letting anything become a 500.
import type { z } from "zod";

export interface FieldIssue {
  /** Dotted field path, e.g. "text", "media.url", "[3].to". "" = the whole input. */
  path: string;
  message: string;
}

export class ValidationError extends Error {
  readonly code = "VALIDATION_FAILED";
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid input: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`);
    this.name = "ValidationError";
  }

  static fromZod(error: z.ZodError, pathPrefix = ""): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({ path: formatPath(pathPrefix, issue.path), message: issue.message })),
    );
  }
}

export class NotFoundError extends Error {
  readonly code = "NOT_FOUND";
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Prisma unique-constraint violation (P2002), also when raised through a driver adapter. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
