"use client";
// A campaign's optional attachment: every recipient gets the file, with their rendered variant as
// its caption (the worker's dispatcher). The form's section and the note on the campaign page.
import type { CampaignMedia } from "@zapflow/db/domain";
import {
  type AttachedMedia,
  attachmentFor,
  attachmentName,
  MediaPicker,
} from "@/components/media/media-picker";
import { Card, Field, Select } from "@/components/ui";

export type CampaignMediaType = CampaignMedia["type"];

/** Every type a campaign can carry (a Record, so a new one in the schema must be named here). */
const TYPE_LABELS: Record<CampaignMediaType, string> = {
  image: "Image",
  video: "Video",
  audio: "Audio",
  document: "Document",
};

/** How the variants go out with a file of `type`: WhatsApp shows no caption under audio. */
export function captionNote(type: CampaignMediaType): string {
  return type === "audio"
    ? "the variants are not shown (WhatsApp audio has no caption)"
    : "each recipient's variant becomes its caption";
}

/** The stored media JSON of a campaign, or null when it has none. */
export function storedMedia(value: unknown): CampaignMedia | null {
  const media = value as Partial<CampaignMedia> | null | undefined;
  return media?.type && media.type in TYPE_LABELS ? (media as CampaignMedia) : null;
}

/** What campaigns.create/update take: null leaves the campaign (or removes its) attachment. */
export function campaignMediaInput(
  type: CampaignMediaType,
  file: AttachedMedia | null,
): CampaignMedia | null {
  if (!file) return null;
  const { storageKey, url, mimeType, fileName } = file;
  return { type, storageKey, url, mimeType, fileName };
}

export function CampaignAttachmentCard({
  type,
  file,
  uploading,
  onType,
  onFile,
  onUploadingChange,
  error,
}: {
  type: CampaignMediaType;
  file: AttachedMedia | null;
  uploading: boolean;
  onType: (type: CampaignMediaType) => void;
  onFile: (file: AttachedMedia | null) => void;
  onUploadingChange: (uploading: boolean) => void;
  error?: string[];
}) {
  return (
    <Card title="Attachment (optional)">
      <div className="grid gap-4 md:grid-cols-[12rem_1fr]">
        <Field label="Attachment type">
          {(id) => (
            <Select
              id={id}
              value={type}
              // Held while a file uploads: the upload is checked against the type it started with.
              disabled={uploading}
              onChange={(e) => {
                const next = e.target.value as CampaignMediaType;
                onType(next);
                onFile(attachmentFor(next, file));
              }}
            >
              {Object.entries(TYPE_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <MediaPicker
          type={type}
          value={file}
          onChange={onFile}
          onUploadingChange={onUploadingChange}
          error={error}
        />
      </div>
      <p className="mt-3 text-xs text-slate-500">With an attachment, {captionNote(type)}.</p>
    </Card>
  );
}

/** "Image · promo.png" on the campaign page, for a campaign with an attachment. */
export function CampaignAttachmentNote({ media }: { media: unknown }) {
  const stored = storedMedia(media);
  if (!stored) return null;
  return (
    <p data-testid="campaign-attachment" className="mb-4 rounded-md bg-slate-50 p-3 text-sm text-slate-700">
      Attachment: <strong>{TYPE_LABELS[stored.type]}</strong> · {attachmentName(stored)} —{" "}
      {captionNote(stored.type)}.
    </p>
  );
}
