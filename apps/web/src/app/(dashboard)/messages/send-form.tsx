"use client";
// Send a text, or a file: the file is uploaded first (POST /api/v1/media), then sent by the
// storageKey the upload returns.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useToast } from "@/components/toast";
import { Button, Card, Field, Input, Select, TextArea } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";
import { uploadMediaFile } from "@/server/media/client";
import { acceptedList, type MediaMessageType, mediaMessageTypes } from "@/server/media/mime-types";

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
  const [file, setFile] = useState<File | null>(null);
  const [fileInputKey, setFileInputKey] = useState(0);
  const send = useMutation(
    trpc.messages.send.mutationOptions({
      onSuccess: async (result) => {
        toast(result.duplicate ? "Already sent with this key" : "Message queued", "success");
        setText("");
        setFile(null);
        setFileInputKey((k) => k + 1); // clears the file picker
        await queryClient.invalidateQueries({ queryKey: trpc.messages.list.queryKey() });
      },
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const upload = useMutation({
    mutationFn: (vars: { file: File; type: MediaMessageType }) => uploadMediaFile(vars.file, vars.type),
    onError: (err) => toast(errorMessage(err), "error"),
  });
  const errors = fieldErrors(send.error);
  const chosen = sessionId || sessions.data?.items[0]?.id || "";
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (type === "text") {
      send.mutate({ sessionId: chosen, to, type, text });
      return;
    }
    if (!file) {
      toast("Choose a file to send", "error");
      return;
    }
    const caption = captionTypes.includes(type) && text.trim() ? text : undefined;
    upload.mutate(
      { file, type },
      {
        onSuccess: (media) =>
          send.mutate({
            sessionId: chosen,
            to,
            type,
            storageKey: media.storageKey,
            mimeType: media.mimeType,
            caption,
            fileName: type === "document" ? file.name : undefined,
          }),
      },
    );
  };
  return (
    <Card title="Send a message">
      <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-[1fr_1fr_1fr_2fr_auto] md:items-start">
        <Field label="From number" error={errors.sessionId}>
          {(id) => (
            <Select id={id} value={chosen} onChange={(e) => setSessionId(e.target.value)}>
              {sessions.data?.items.length ? null : <option value="">No sessions</option>}
              {sessions.data?.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label} ({s.status.toLowerCase().replace(/_/g, " ")})
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="To" error={errors.to} hint="+5511987654321">
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
            <Select id={id} value={type} onChange={(e) => setType(e.target.value as SendType)}>
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
            <Field label="File" error={errors.storageKey ?? errors.mimeType} hint={acceptedList(type)}>
              {(id, describedBy) => (
                <Input
                  key={fileInputKey}
                  id={id}
                  type="file"
                  accept={acceptedList(type)}
                  onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                  invalid={!!(errors.storageKey ?? errors.mimeType)}
                  aria-describedby={describedBy}
                />
              )}
            </Field>
          )}
          {type === "text" || captionTypes.includes(type) ? (
            <Field
              label={type === "text" ? "Text" : "Caption (optional)"}
              error={type === "text" ? errors.text : errors.caption}
              hint="Ctrl+Enter sends"
            >
              {(id, describedBy) => (
                <TextArea
                  id={id}
                  rows={2}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
                  }}
                  invalid={!!(type === "text" ? errors.text : errors.caption)}
                  aria-describedby={describedBy}
                />
              )}
            </Field>
          ) : null}
        </div>
        <Button type="submit" busy={upload.isPending || send.isPending} className="md:mt-6">
          Send
        </Button>
      </form>
    </Card>
  );
}
