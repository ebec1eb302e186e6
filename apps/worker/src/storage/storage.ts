// Media storage abstraction: inbound media downloads and uploaded outbound media live here.
// Local disk is the default; an S3-compatible backend is not implemented (see MEDIA_STORAGE).

export interface MediaStorage {
  readonly kind: string;
  /** Stores bytes under `key` (overwrites: a retried download writes the same key). */
  write(key: string, data: Uint8Array, contentType?: string): Promise<void>;
  read(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
}

/** Keys are relative paths of safe segments; nothing may escape the storage root. */
export function assertSafeKey(key: string): void {
  const segments = key.split("/");
  if (
    !key ||
    key.startsWith("/") ||
    segments.some((s) => !s || s === "." || s === ".." || !/^[\w.@-]+$/.test(s))
  ) {
    throw new Error(`invalid storage key "${key}"`);
  }
}

/** Where an inbound message's media is stored. */
export function inboundMediaKey(companyId: string, messageId: string): string {
  return `${companyId}/inbound/${messageId}`;
}
