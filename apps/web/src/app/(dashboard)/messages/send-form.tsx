"use client";
// Send a text, or a file: the picker uploads the file when chosen (POST /api/v1/media), the send
// then names it by the storageKey the upload returned.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type AttachedMedia, attachmentFor, MediaPicker } from "@/components/media/media-picker";
import { useToast } from "@/components/toast";
import { Button, Card, Field, Input, Select, TextArea } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";
import { type MediaMessageType, mediaMessageTypes } from "@/server/media/mime-types";

type SendType = "text" | MediaMessageType;
/** Stickers carry no caption on WhatsApp. */
const captionTypes: SendType[] = ["image", "video", "document"];

export function SendMessageForm({ defaultSessionId }: { defaultSessionId?: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const [sessionId, setSessionId] = useState(defaultSessionId ?? "");
  const [to, setTo] = useState("");
  const [type, setType] = useState<SendType>("text");
  const [text, setText] = useState("");
  const [media, setMedia] = useState<AttachedMedia | null>(null);
  const [uploading, setUploading] = useState(false);
  const send = useMutation(
    trpc.messages.send.mutationOptions({
      onSuccess: async (result) => {
        toast(result.duplicate ? "Already sent with this key" : "Message queued", "success");
        setText("");
        setMedia(null);
        await queryClient.invalidateQueries({ queryKey: trpc.messages.list.queryKey() });
      },
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const errors = fieldErrors(send.error);
  // Until the user picks one, send from a paired number rather than whichever was created first.
  const items = sessions.data?.items ?? [];
  const chosen = sessionId || (items.find((s) => s.status === "CONNECTED") ?? items[0])?.id || "";
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    // Enter submits even while the Send button is disabled. The mutation cache knows at once
    // that a send is pending (send.isPending only after a re-render): a quick double press sends once.
    const sending = queryClient.isMutating({ mutationKey: trpc.messages.send.mutationKey() }) > 0;
    if (uploading || sending) return;
    if (type === "text") {
      send.mutate({ sessionId: chosen, to, type, text });
      return;
    }
    if (!media?.storageKey) {
      toast("Choose a file to send", "error");
      return;
    }
    send.mutate({
      sessionId: chosen,
      to,
      type,
      storageKey: media.storageKey,
      mimeType: media.mimeType,
      caption: captionTypes.includes(type) && text.trim() ? text : undefined,
      fileName: type === "document" ? media.fileName : undefined,
    });
  };
  return (
    <Card title="Send a message">
      <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-[1fr_1fr_1fr_2fr_auto] md:items-start">
        <Field label="From number" error={errors.sessionId}>
          {(id) => (
            <Select id={id} value={chosen} onChange={(e) => setSessionId(e.target.value)}>
              {items.length ? null : (
                <option value="">{sessions.isPending ? "Loading numbers…" : "No numbers yet"}</option>
              )}
              {items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label} ({s.status.toLowerCase().replace(/_/g, " ")})
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="To" error={errors.to} hint="With country code, e.g. +5511987654321">
          {(id, describedBy) => (
            <Input
              id={id}
              value={to}
              onChange={(e) => setTo(e.target.value)}
              inputMode="tel"
              invalid={!!errors.to}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <Field label="Type" error={errors.type}>
          {(id) => (
            <Select
              id={id}
              value={type}
              onChange={(e) => {
                const next = e.target.value as SendType;
                setType(next);
                if (next !== "text") setMedia(attachmentFor(next, media));
              }}
            >
              {(["text", ...mediaMessageTypes] as SendType[]).map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="space-y-3">
          {type === "text" ? null : (
            <MediaPicker
              type={type}
              value={media}
              onChange={setMedia}
              onUploadingChange={setUploading}
              error={errors.storageKey ?? errors.mimeType}
            />
          )}
          {type === "text" || captionTypes.includes(type) ? (
            <Field
              label={type === "text" ? "Text" : "Caption (optional)"}
              error={type === "text" ? errors.text : errors.caption}
              hint="Enter sends, Shift+Enter adds a line"
            >
              {(id, describedBy) => (
                <TextArea
                  id={id}
                  rows={2}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  onKeyDown={(e) => {
                    // As in WhatsApp Web: Enter (or Ctrl/Cmd+Enter) sends, Shift+Enter is a new line.
                    // Not while an input method is composing: there Enter confirms the word.
                    if (e.key !== "Enter" || e.shiftKey || e.nativeEvent.isComposing) return;
                    e.preventDefault();
                    e.currentTarget.form?.requestSubmit();
                  }}
                  invalid={!!(type === "text" ? errors.text : errors.caption)}
                  aria-describedby={describedBy}
                />
              )}
            </Field>
          ) : null}
        </div>
        <Button type="submit" busy={uploading || send.isPending} className="md:mt-6">
          Send
        </Button>
      </form>
    </Card>
  );
}
