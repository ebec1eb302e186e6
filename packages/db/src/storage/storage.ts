// Media storage abstraction: inbound media downloads and uploaded outbound media live here.
// Local disk is the default; MEDIA_STORAGE=s3 keeps them in an S3-compatible bucket (create.ts).
// Every key starts with the owning company's id, so a key can be checked against its sender.

export interface MediaStorage {
  readonly kind: string;
  /** Stores bytes under `key` (overwrites: a retried download writes the same key). */
  write(key: string, data: Uint8Array, contentType?: string): Promise<void>;
  /** Rejects with MediaNotFoundError when nothing is stored under `key`. */
  read(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
}

export class MediaNotFoundError extends Error {
  constructor(
    readonly key: string,
    where: string,
  ) {
    super(`media "${key}" not found in ${where}`);
    this.name = "MediaNotFoundError";
  }
}

/** Keys are relative paths of safe segments; nothing may escape the storage root. */
export function isSafeKey(key: string): boolean {
  const segments = key.split("/");
  return (
    !!key &&
    !key.startsWith("/") &&
    segments.every((s) => s && s !== "." && s !== ".." && /^[\w.@-]+$/.test(s))
  );
}

export function assertSafeKey(key: string): void {
  if (!isSafeKey(key)) throw new Error(`invalid storage key "${key}"`);
}

/** Where an inbound message's media is stored. */
export function inboundMediaKey(companyId: string, messageId: string): string {
  return `${companyId}/inbound/${messageId}`;
}

/** Where an uploaded file for outbound messages is stored (`name`: a fresh id, maybe + extension). */
export function outboundMediaKey(companyId: string, name: string): string {
  return `${companyId}/outbound/${name}`;
}

/** Why `companyId` may not use `key`, or null when the key is safe and the company's own. */
export function companyKeyProblem(companyId: string, key: string): string | null {
  if (!isSafeKey(key)) {
    return 'must be a storage key of safe segments (letters, digits, "_", ".", "@", "-") joined by "/"';
  }
  if (!key.startsWith(`${companyId}/`)) {
    return "must be a storageKey returned by POST /api/v1/media for your company";
  }
  return null;
}
