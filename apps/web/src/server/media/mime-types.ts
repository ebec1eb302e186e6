// What WhatsApp accepts per media message type (the Cloud API's supported media types), so a file
// WhatsApp would refuse is a 400 at upload instead of a failed send later. Value: file extension.
export const mediaMimeTypes = {
  image: { "image/jpeg": "jpg", "image/png": "png" },
  video: { "video/mp4": "mp4", "video/3gpp": "3gp" },
  audio: {
    "audio/aac": "aac",
    "audio/amr": "amr",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
  },
  document: {
    "application/pdf": "pdf",
    "text/plain": "txt",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  },
  sticker: { "image/webp": "webp" },
} as const satisfies Record<string, Record<string, string>>;

export type MediaMessageType = keyof typeof mediaMimeTypes;
export const mediaMessageTypes = Object.keys(mediaMimeTypes) as MediaMessageType[];

/** "Audio/OGG; codecs=opus" → "audio/ogg". */
export function bareMimeType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** The extension of `mimeType` when `type` accepts it (any media type when `type` is absent). */
export function acceptedExtension(
  mimeType: string,
  type?: MediaMessageType,
): { type: MediaMessageType; extension: string } | null {
  for (const candidate of type ? [type] : mediaMessageTypes) {
    const extension = (mediaMimeTypes[candidate] as Record<string, string>)[mimeType];
    if (extension) return { type: candidate, extension };
  }
  return null;
}

/** "image/jpeg, image/png" for error messages and the file picker's accept attribute. */
export function acceptedList(type?: MediaMessageType): string {
  return (type ? [type] : mediaMessageTypes).flatMap((t) => Object.keys(mediaMimeTypes[t])).join(", ");
}
