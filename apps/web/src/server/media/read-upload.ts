// Reads an upload from the request, never buffering more than the limit: multipart/form-data with
// a "file" field (what browsers and most HTTP clients send), or the raw bytes as the body with the
// file's Content-Type. Too large → 413; empty or malformed → 400 naming what to fix.
import { TRPCError } from "@trpc/server";
import { ValidationError } from "@zapflow/queue/services/errors";
import { bareMimeType } from "./mime-types";

export interface Upload {
  bytes: Uint8Array;
  mimeType: string;
  /** "image", "video", …: the message type the file is for (optional; narrows the accepted types). */
  type?: string;
  fileName?: string;
}

/** Room for the multipart envelope (boundaries, part headers, small fields) around the file. */
const MULTIPART_SLACK = 64 * 1024;

function tooLarge(maxBytes: number): TRPCError {
  const mb = maxBytes / 1024 / 1024;
  const limit = mb >= 1 ? `${Math.round(mb * 10) / 10} MB` : `${Math.ceil(maxBytes / 1024)} KB`;
  return new TRPCError({
    code: "PAYLOAD_TOO_LARGE",
    message: `the file is larger than ${limit} (the server's MEDIA_MAX_UPLOAD_MB)`,
  });
}

const invalid = (path: string, message: string) => new ValidationError([{ path, message }]);

async function readCapped(req: Request, cap: number, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > cap) throw tooLarge(maxBytes);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function readMultipart(req: Request, contentType: string, maxBytes: number): Promise<Upload> {
  const raw = await readCapped(req, maxBytes + MULTIPART_SLACK, maxBytes);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw invalid("file", "the body is not valid multipart/form-data");
  }
  const file = form.get("file");
  if (!(file instanceof File)) throw invalid("file", 'multipart uploads need the file in a "file" field');
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  const type = form.get("type");
  return {
    bytes: new Uint8Array(await file.arrayBuffer()),
    mimeType: bareMimeType(file.type),
    type: typeof type === "string" && type ? type : undefined,
    fileName: file.name || undefined,
  };
}

export async function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  const contentType = req.headers.get("content-type") ?? "";
  const upload =
    bareMimeType(contentType) === "multipart/form-data"
      ? await readMultipart(req, contentType, maxBytes)
      : {
          bytes: await readCapped(req, maxBytes, maxBytes),
          mimeType: bareMimeType(contentType),
          type: new URL(req.url).searchParams.get("type") || undefined,
          fileName: new URL(req.url).searchParams.get("fileName") || undefined,
        };
  if (upload.bytes.byteLength === 0) throw invalid("file", "the file is empty");
  return upload;
}
