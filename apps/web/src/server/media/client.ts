// Browser side of POST /api/v1/media (the dashboard's send form): uploads with the session cookie
// and returns what the send takes. Plain fetch: no server imports here.
import type { MediaMessageType } from "./mime-types";

/** Cookie sessions must send it: a cross-site form can post a file but cannot set a header. */
export const SESSION_UPLOAD_HEADER = "x-requested-with";

export interface UploadedMedia {
  storageKey: string;
  mimeType: string;
  size: number;
  type: MediaMessageType;
}

export async function uploadMediaFile(file: File, type: MediaMessageType): Promise<UploadedMedia> {
  const form = new FormData();
  form.set("file", file);
  form.set("type", type);
  const res = await fetch("/api/v1/media", {
    method: "POST",
    body: form,
    headers: { [SESSION_UPLOAD_HEADER]: "fetch" },
  });
  const body = (await res.json().catch(() => ({}))) as Partial<UploadedMedia> & {
    message?: string;
    data?: { fieldErrors?: Record<string, string[]> | null };
  };
  if (!res.ok) {
    const first = Object.values(body.data?.fieldErrors ?? {})[0]?.[0];
    throw new Error(first ?? body.message ?? `upload failed (HTTP ${res.status})`);
  }
  return body as UploadedMedia;
}
