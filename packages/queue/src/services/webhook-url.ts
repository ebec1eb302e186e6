// SSRF guard shared by the web (endpoint create/update) and the worker (every delivery): webhooks
// go to http(s) only, and (unless allowed) never to private, loopback, link-local or otherwise
// internal addresses. At delivery the check also runs in the socket's DNS lookup, so a hostname
// that resolves (or re-resolves) to an internal address is refused at connect time.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

export class WebhookUrlError extends Error {
  readonly code = "WEBHOOK_URL_REFUSED";
}

const internal = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. the cloud metadata service 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3], // multicast + reserved + broadcast
] as const) {
  internal.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local, incl. AWS's IPv6 metadata fd00:ec2::254
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  internal.addSubnet(net, bits, "ipv6");
}

/** Outside production private/loopback targets are allowed (local receivers in dev and tests). */
export function webhookAllowPrivate(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = env.WEBHOOK_ALLOW_PRIVATE;
  if (flag === undefined || flag === "") return env.NODE_ENV !== "production";
  if (!["true", "false", "1", "0"].includes(flag)) {
    throw new Error(`WEBHOOK_ALLOW_PRIVATE must be true or false, got "${flag}"`);
  }
  return flag === "true" || flag === "1";
}

/** ::ffff:a.b.c.d or ::ffff:xxxx:yyyy → a.b.c.d (IPv4-mapped IPv6 must not slip past the v4 rules). */
function mappedIPv4(address: string): string | undefined {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = Number.parseInt(m[2] ?? "0", 16);
  const lo = Number.parseInt(m[3] ?? "0", 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const v4 = mappedIPv4(bare);
  if (v4) return internal.check(v4, "ipv4");
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, "ipv4");
  if (family === 6) return internal.check(bare, "ipv6");
  return false;
}

/** localhost and *.localhost always mean this machine (RFC 6761), whatever DNS says. */
function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

/** Parses and checks the URL's scheme and (for IP literals and localhost) its address. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError(`Invalid webhook URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WebhookUrlError(`Webhook URL must be http or https, got ${url.protocol}`);
  }
  if (!allowPrivate && (isLocalhostName(url.hostname) || isInternalAddress(url.hostname))) {
    throw new WebhookUrlError(`Webhook URL points to an internal address: ${url.hostname}`);
  }
  return url;
}

function lookupAll(hostname: string, timeoutMs: number): Promise<LookupAddress[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), timeoutMs);
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      resolve(err ? [] : addresses);
    });
  });
}

/**
 * checkWebhookUrl plus a DNS check of a hostname (for saving an endpoint): a name resolving to an
 * internal address is refused. A name that does not resolve (yet) is accepted — delivery re-checks
 * on every connect and records the error.
 */
export async function checkWebhookTarget(raw: string, allowPrivate: boolean, dnsTimeoutMs = 3_000) {
  const url = checkWebhookUrl(raw, allowPrivate);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (allowPrivate || isIP(host)) return url;
  const bad = (await lookupAll(host, dnsTimeoutMs)).find((a) => isInternalAddress(a.address));
  if (bad) throw new WebhookUrlError(`${host} resolves to an internal address (${bad.address})`);
  return url;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for http.request that refuses internal addresses (DNS rebinding safe). */
export function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isInternalAddress(a.address));
    if (bad) {
      return callback(
        new WebhookUrlError(`${hostname} resolves to an internal address (${bad.address})`),
        [],
      );
    }
    const all = (options as { all?: boolean }).all;
    if (all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new WebhookUrlError(`${hostname} did not resolve`), []);
    callback(null, first.address, first.family);
  });
}
