"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useToast } from "@/components/toast";
import { Button, Card, Field, Input, Select, TextArea } from "@/components/ui";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc";

export function SendMessageForm({ defaultSessionId }: { defaultSessionId?: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const [sessionId, setSessionId] = useState(defaultSessionId ?? "");
  const [to, setTo] = useState("");
  const [text, setText] = useState("");
  const send = useMutation(
    trpc.messages.send.mutationOptions({
      onSuccess: async (result) => {
        toast(result.duplicate ? "Already sent with this key" : "Message queued", "success");
        setText("");
        await queryClient.invalidateQueries({ queryKey: trpc.messages.list.queryKey() });
      },
      onError: (err) => toast(errorMessage(err), "error"),
    }),
  );
  const errors = fieldErrors(send.error);
  const chosen = sessionId || sessions.data?.items[0]?.id || "";
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate({ sessionId: chosen, to, type: "text", text });
  };
  return (
    <Card title="Send a message">
      <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-[1fr_1fr_2fr_auto] md:items-start">
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
        <Field label="Text" error={errors.text} hint="Ctrl+Enter sends">
          {(id, describedBy) => (
            <TextArea
              id={id}
              rows={2}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
              }}
              invalid={!!errors.text}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <Button type="submit" busy={send.isPending} className="md:mt-6">
          Send
        </Button>
      </form>
    </Card>
  );
}
