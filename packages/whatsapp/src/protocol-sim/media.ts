import { createCipheriv, createDecipheriv } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { getMediaKeys, type MediaType } from "@whiskeysockets/baileys";
import { LRUCache } from "lru-cache";
import { hmacSha256, sha256 } from "./crypto";
import type { SelfSignedCertificate } from "./tls";

const MAX_STORED_BYTES = 256 * 1024 * 1024;
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MEDIA_MAC_LENGTH = 10;

/** WhatsApp's media CDN on loopback: Baileys uploads encrypted blobs, contacts and devices download them. */
export class MediaServer {
  private server?: Server;
  private readonly blobs = new LRUCache<string, Buffer>({
    maxSize: MAX_STORED_BYTES,
    sizeCalculation: (blob) => Math.max(1, blob.length),
  });
  host = "";

  constructor(private readonly tls: SelfSignedCertificate) {}

  async start(hostname: string): Promise<void> {
    const server = createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (req.method === "POST" && path.startsWith("/mms/")) {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_FILE_BYTES) chunks.push(chunk);
        });
        req.on("end", () => {
          if (size > MAX_FILE_BYTES) {
            res.writeHead(413).end();
            return;
          }
          const directPath = this.put(Buffer.concat(chunks), path.split("/").pop() ?? "blob");
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ url: this.url(directPath), direct_path: directPath }));
        });
        return;
      }
      const blob = req.method === "GET" ? this.blobs.get(path) : undefined;
      if (!blob) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length });
      res.end(blob);
    });
    await new Promise<void>((resolve) => server.listen(0, hostname, resolve));
    this.server = server;
    this.host = `${hostname}:${(server.address() as AddressInfo).port}`;
  }

  url(directPath: string): string {
    return `https://${this.host}${directPath}`;
  }

  put(blob: Buffer, name: string): string {
    const directPath = `/v/t62.7118-24/${name}`;
    this.blobs.set(directPath, blob);
    return directPath;
  }

  get(directPath: string): Buffer | undefined {
    return this.blobs.get(directPath.split("?")[0] ?? directPath);
  }

  clear(): void {
    this.blobs.clear();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface EncryptedMedia {
  file: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
}

async function mediaKeys(mediaKey: Buffer, type: MediaType) {
  const keys = await getMediaKeys(mediaKey, type);
  if (!keys.macKey) throw new Error(`no MAC key for media type ${type}`);
  return {
    iv: Buffer.from(keys.iv),
    cipherKey: Buffer.from(keys.cipherKey),
    macKey: Buffer.from(keys.macKey),
  };
}

/** WhatsApp media encryption: AES-256-CBC with keys expanded from the media key, plus a 10-byte HMAC. */
export async function encryptMedia(
  plain: Buffer,
  mediaKey: Buffer,
  type: MediaType,
): Promise<EncryptedMedia> {
  const { iv, cipherKey, macKey } = await mediaKeys(mediaKey, type);
  const cipher = createCipheriv("aes-256-cbc", cipherKey, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = hmacSha256(macKey, Buffer.concat([iv, encrypted])).subarray(0, MEDIA_MAC_LENGTH);
  const file = Buffer.concat([encrypted, mac]);
  return { file, fileSha256: sha256(plain), fileEncSha256: sha256(file) };
}

/** The reverse, checking the MAC: how a contact's phone reads an image a device sent. */
export async function decryptMedia(file: Buffer, mediaKey: Buffer, type: MediaType): Promise<Buffer> {
  const { iv, cipherKey, macKey } = await mediaKeys(mediaKey, type);
  const encrypted = file.subarray(0, file.length - MEDIA_MAC_LENGTH);
  const mac = hmacSha256(macKey, Buffer.concat([iv, encrypted])).subarray(0, MEDIA_MAC_LENGTH);
  if (!mac.equals(file.subarray(file.length - MEDIA_MAC_LENGTH))) throw new Error("media MAC mismatch");
  const decipher = createDecipheriv("aes-256-cbc", cipherKey, iv);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}
