// One webhook POST: a hard deadline over the whole exchange, no redirects followed, at most
// RESPONSE_LIMIT bytes of the response kept (the rest is not read).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { checkWebhookUrl, guardedLookup } from "@zapflow/queue/services/webhook-url";

export const RESPONSE_LIMIT = 1024;

export interface PostResult {
  statusCode: number;
  /** The first RESPONSE_LIMIT bytes of the body (UTF-8). */
  body: string;
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

export class WebhookTimeoutError extends Error {
  readonly code = "WEBHOOK_TIMEOUT";
}

function readCapped(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).subarray(0, RESPONSE_LIMIT).toString("utf8"));
    res.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_LIMIT) {
        res.destroy();
        done();
      }
    });
    res.on("end", done);
    res.on("error", done);
    res.on("close", done);
  });
}

export async function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  opts: PostOptions,
): Promise<PostResult> {
  const url = checkWebhookUrl(rawUrl, opts.allowPrivate);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
      ...(opts.allowPrivate ? {} : { lookup: guardedLookup }),
    });
    const timer = setTimeout(() => {
      req.destroy(new WebhookTimeoutError(`No response within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on("response", (res) => {
      readCapped(res).then((text) => {
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, body: text });
      });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
