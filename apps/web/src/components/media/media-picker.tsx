"use client";
// Pick a file for a media message: it uploads at once (POST /api/v1/media), so the form only keeps
// the storageKey. Used by the messages send form and the campaign form's attachment.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useToast } from "@/components/toast";
import { Button, Field, Input } from "@/components/ui";
import { errorMessage } from "@/lib/trpc";
import { uploadMediaFile } from "@/server/media/client";
import { acceptedExtension, acceptedList, type MediaMessageType } from "@/server/media/mime-types";

/** An uploaded file, or one already saved on a record (no size then, maybe a url instead of a key). */
export interface AttachedMedia {
  storageKey?: string;
  url?: string;
  mimeType?: string;
  fileName?: string;
  size?: number;
}

export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What to call the file: its own name, else the last part of its key or url. */
export function attachmentName(media: AttachedMedia): string {
  return media.fileName || (media.storageKey ?? media.url ?? "").split("/").pop() || "file";
}

/** The attachment still valid after switching to `type` (a PNG cannot go out as a video), else null. */
export function attachmentFor(type: MediaMessageType, media: AttachedMedia | null): AttachedMedia | null {
  if (!media?.mimeType) return media;
  return acceptedExtension(media.mimeType, type) ? media : null;
}

export function MediaPicker({
  type,
  value,
  onChange,
  onUploadingChange,
  label = "File",
  error,
}: {
  type: MediaMessageType;
  value: AttachedMedia | null;
  onChange: (media: AttachedMedia | null) => void;
  /** Lets the form hold its submit until the file is stored. */
  onUploadingChange?: (uploading: boolean) => void;
  label?: string;
  /** The server's field error for the file (storageKey/mimeType) from the form's own submit. */
  error?: string[];
}) {
  const toast = useToast();
  // A fresh input after each upload: choosing the same file again still fires onChange.
  const [inputKey, setInputKey] = useState(0);
  const upload = useMutation({
    mutationFn: (file: File) => uploadMediaFile(file, type),
    onMutate: () => onUploadingChange?.(true),
    onSettled: () => {
      onUploadingChange?.(false);
      setInputKey((k) => k + 1);
    },
    onSuccess: (media, file) =>
      onChange({
        storageKey: media.storageKey,
        mimeType: media.mimeType,
        size: media.size,
        fileName: file.name,
      }),
    onError: (err) => toast(`Upload failed: ${errorMessage(err)}`, "error"),
  });
  const pending = upload.isPending ? upload.variables : undefined;
  const shownError = upload.error ? errorMessage(upload.error) : error;
  return (
    <Field label={label} error={shownError} hint={`Accepted: ${acceptedList(type)}`}>
      {(id, describedBy) => (
        <div className="space-y-2">
          <Input
            key={inputKey}
            id={id}
            type="file"
            accept={acceptedList(type)}
            disabled={upload.isPending}
            // Once a file is attached the input hides behind "Replace" (still labelled for screen readers)
            // and leaves the Tab order: an invisible focus stop would show keyboard users nothing.
            className={value && !pending ? "sr-only" : ""}
            tabIndex={value && !pending ? -1 : undefined}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) upload.mutate(file);
            }}
            invalid={!!shownError}
            aria-describedby={describedBy}
          />
          {pending ? (
            <p role="status" className="flex items-center gap-2 text-sm text-slate-600">
              <span className="size-3 animate-spin rounded-full border-2 border-current border-t-transparent" />
              Uploading {pending.name} ({formatFileSize(pending.size)})…
            </p>
          ) : value ? (
            <div
              data-testid="attached-media"
              className="flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm"
            >
              <span className="font-medium text-slate-800">{attachmentName(value)}</span>
              {value.size !== undefined ? (
                <span className="text-slate-500">{formatFileSize(value.size)}</span>
              ) : null}
              <Button size="sm" tone="secondary" onClick={() => document.getElementById(id)?.click()}>
                Replace
              </Button>
              <Button size="sm" tone="ghost" onClick={() => onChange(null)}>
                Remove
              </Button>
            </div>
          ) : null}
        </div>
      )}
    </Field>
  );
}
