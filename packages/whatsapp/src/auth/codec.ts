// How auth values become bytes and back: Baileys' BufferJSON, so Buffers and Uint8Arrays inside
// creds and signal keys (at any depth) survive a round-trip. The worker's Postgres store encrypts
// the encoded string; the in-memory store keeps it as is.
import { BufferJSON } from "@whiskeysockets/baileys";

export function encodeAuthValue(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

export function decodeAuthValue(encoded: string): unknown {
  return JSON.parse(encoded, BufferJSON.reviver);
}
