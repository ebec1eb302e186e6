// Stores an uploaded file for outbound messages under the company's own prefix, after checking it
// is a file WhatsApp accepts for the message type. The key is what `storageKey` takes on send.
import { randomUUID } from "node:crypto";
import { type MediaStorage, outboundMediaKey } from "@zapflow/db/storage";
import { ValidationError } from "@zapflow/queue/services/errors";
import { acceptedExtension, acceptedList, type MediaMessageType, mediaMessageTypes } from "./mime-types";
import type { Upload } from "./read-upload";

export interface StoredUpload {
  storageKey: string;
  mimeType: string;
  size: number;
  /** The message type to send it as (the one asked for, or the first that accepts the file). */
  type: MediaMessageType;
}

function checkedType(type: string | undefined): MediaMessageType | undefined {
  if (type === undefined || (mediaMessageTypes as string[]).includes(type)) {
    return type as MediaMessageType | undefined;
  }
  throw new ValidationError([
    { path: "type", message: `type must be one of ${mediaMessageTypes.join(", ")}` },
  ]);
}

export async function storeUpload(
  storage: MediaStorage,
  companyId: string,
  upload: Upload,
): Promise<StoredUpload> {
  const type = checkedType(upload.type);
  const accepted = acceptedExtension(upload.mimeType, type);
  if (!accepted) {
    const given = upload.mimeType ? `"${upload.mimeType}" is not accepted` : "the file has no Content-Type";
    throw new ValidationError([
      {
        path: "mimeType",
        message: `${given}${type ? ` for ${type}` : ""}; send one of ${acceptedList(type)}`,
      },
    ]);
  }
  const storageKey = outboundMediaKey(companyId, `${randomUUID()}.${accepted.extension}`);
  await storage.write(storageKey, upload.bytes, upload.mimeType);
  return { storageKey, mimeType: upload.mimeType, size: upload.bytes.byteLength, type: accepted.type };
}
