import type { BinaryNode } from "@whiskeysockets/baileys";

export const SERVER_JID = "@s.whatsapp.net";

export const unixNow = (): string => String(Math.floor(Date.now() / 1000));

export function children(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? (node.content as BinaryNode[]) : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return children(node).find((c) => c.tag === tag);
}

export function bytes(node: BinaryNode | undefined): Buffer {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === "string") return Buffer.from(content, "utf8");
  return Buffer.alloc(0);
}

export const leaf = (
  tag: string,
  content: Buffer | string,
  attrs: Record<string, string> = {},
): BinaryNode => ({
  tag,
  attrs,
  content: typeof content === "string" ? Buffer.from(content) : content,
});

/** The reply to an iq: Baileys matches it only by id. */
export const iqResult = (request: BinaryNode, content?: BinaryNode[]): BinaryNode => ({
  tag: "iq",
  attrs: { from: SERVER_JID, type: "result", id: request.attrs.id ?? "" },
  content,
});

/** "15550001111:3@s.whatsapp.net" → { user: "15550001111", device: 3, server: "s.whatsapp.net" } */
export function parseJid(jid: string): { user: string; device: number; server: string } {
  const [userPart = "", server = ""] = jid.split("@");
  const [user = "", device] = userPart.split(":");
  return { user, device: device ? Number(device) : 0, server };
}
