// The outbound message input accepted from the API, dashboard and bench, with field-level rules.
import { companyKeyProblem } from "@zapflow/db/storage";
import { z } from "zod";

const PHONE_DIGITS = /^\d{8,15}$/;
/** user@server, user may carry a device suffix (":12"); servers WhatsApp uses for chats. */
const JID = /^[\w.-]+(:\d+)?@(s\.whatsapp\.net|lid|g\.us|c\.us)$/;

/** Strips the separators people type in phone numbers: spaces, dashes, dots, parentheses. */
function compactPhone(raw: string): string {
  return raw.trim().replace(/[\s().-]/g, "");
}

const recipient = z
  .string({ error: "to is required" })
  .trim()
  .min(1, "to is required")
  .refine(
    (v) => JID.test(v) || PHONE_DIGITS.test(compactPhone(v).replace(/^\+/, "")),
    "to must be a phone number in E.164 (+5511987654321), digits with the country code, or a WhatsApp JID",
  );

const base = {
  sessionId: z.string({ error: "sessionId is required" }).trim().min(1, "sessionId is required"),
  to: recipient,
  idempotencyKey: z
    .string()
    .trim()
    .min(1, "idempotencyKey must not be empty")
    .max(200, "idempotencyKey must be at most 200 characters")
    .optional(),
  priority: z.enum(["high", "normal"], { error: 'priority must be "high" or "normal"' }).default("normal"),
};

const mediaSource = {
  url: z
    .url({ protocol: /^https?$/, error: "url must be an http(s) URL" })
    .max(2048, "url must be at most 2048 characters")
    .optional(),
  storageKey: z.string().trim().min(1, "storageKey must not be empty").max(512).optional(),
  mimeType: z
    .string()
    .regex(/^[\w.+-]+\/[\w.+-]+$/, "mimeType must look like type/subtype")
    .optional(),
};

const caption = z.string().max(1024, "caption must be at most 1024 characters").optional();

/** Exactly one of url / storageKey. */
function oneSource(v: { url?: string; storageKey?: string }, ctx: z.RefinementCtx): void {
  if (!v.url && !v.storageKey) {
    ctx.addIssue({ code: "custom", path: ["url"], message: "media needs a url or a storageKey" });
  } else if (v.url && v.storageKey) {
    ctx.addIssue({
      code: "custom",
      path: ["storageKey"],
      message: "give either url or storageKey, not both",
    });
  }
}

const text = z.object({
  ...base,
  type: z.literal("text"),
  text: z
    .string({ error: "text is required" })
    .refine((v) => v.trim().length > 0, "text must not be empty")
    .refine((v) => v.length <= 4096, "text must be at most 4096 characters"),
});

const image = z.object({ ...base, ...mediaSource, type: z.literal("image"), caption }).superRefine(oneSource);
const video = z.object({ ...base, ...mediaSource, type: z.literal("video"), caption }).superRefine(oneSource);
const audio = z.object({ ...base, ...mediaSource, type: z.literal("audio") }).superRefine(oneSource);
const sticker = z.object({ ...base, ...mediaSource, type: z.literal("sticker") }).superRefine(oneSource);
const documentMessage = z
  .object({
    ...base,
    ...mediaSource,
    type: z.literal("document"),
    caption,
    fileName: z.string().trim().min(1, "fileName must not be empty").max(255).optional(),
  })
  .superRefine(oneSource);

const location = z.object({
  ...base,
  type: z.literal("location"),
  latitude: z.number({ error: "latitude is required (a number)" }).min(-90).max(90),
  longitude: z.number({ error: "longitude is required (a number)" }).min(-180).max(180),
  name: z.string().max(256).optional(),
  address: z.string().max(512).optional(),
});

export const sendMessageInput = z.discriminatedUnion(
  "type",
  [text, image, video, audio, documentMessage, sticker, location],
  { error: "type must be one of text, image, video, audio, document, sticker, location" },
);
export type SendMessageInput = z.input<typeof sendMessageInput>;

/**
 * sendMessageInput for one company: a storageKey must also be safe and that company's own
 * (`<companyId>/...`), so another tenant's media can never be forwarded and a bad key is a 400
 * now rather than a failed send later.
 */
export function sendMessageInputFor(companyId: string) {
  return sendMessageInput.superRefine((v, ctx) => {
    const key = "storageKey" in v ? v.storageKey : undefined;
    const problem = key === undefined ? null : companyKeyProblem(companyId, key);
    if (problem) ctx.addIssue({ code: "custom", path: ["storageKey"], message: `storageKey ${problem}` });
  });
}
export type ParsedSendMessage = z.output<typeof sendMessageInput>;

export const messageTypes = ["text", "image", "video", "audio", "document", "sticker", "location"] as const;

/** Where the message goes: the chat JID and, for person chats, the E.164 phone or the LID. */
export interface ResolvedRecipient {
  chatJid: string;
  phone?: string;
  lid?: string;
}

export function resolveRecipient(to: string): ResolvedRecipient {
  const jid = JID.exec(to);
  if (jid) {
    const [user = "", server] = to.split("@");
    const bare = user.split(":")[0] ?? user;
    if (server === "g.us") return { chatJid: to };
    if (server === "lid") return { chatJid: `${bare}@lid`, lid: `${bare}@lid` };
    return { chatJid: `${bare}@s.whatsapp.net`, phone: `+${bare}` };
  }
  const digits = compactPhone(to).replace(/^\+/, "");
  return { chatJid: `${digits}@s.whatsapp.net`, phone: `+${digits}` };
}

/** The JSON payload stored on the Message row (everything type-specific). */
export function messagePayload(input: ParsedSendMessage): Record<string, unknown> {
  const { sessionId: _s, to: _t, idempotencyKey: _i, priority: _p, type: _type, ...rest } = input;
  return rest;
}
