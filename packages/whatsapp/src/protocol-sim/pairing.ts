import { type BinaryNode, Curve, proto } from "@whiskeysockets/baileys";
import type { SimConnection } from "./connection";
import { hmacSha256 } from "./crypto";
import { bytes, child, leaf, SERVER_JID, unixNow } from "./nodes";
import type { PairingMethod } from "./types";
import { type Account, type PairedDevice, SimConflictError, SimNotFoundError, type SimWorld } from "./world";

const QR_REF_COUNT = 6;
const ADV_ACCOUNT_SIGNATURE_PREFIX = Buffer.from([6, 0]);
const PAIR_SUCCESS_ID_PREFIX = "pair-success-";
/** The phone closes the registration socket with 515 once the companion signed its identity. */
const RESTART_AFTER_PAIRING_MS = 50;

/** Registration ClientPayload: answer with pair-device refs, from which Baileys builds its QR codes. */
export async function beginRegistration(
  world: SimWorld,
  conn: SimConnection,
  payload: { devicePairingData?: { eIdent?: Uint8Array | null } | null },
  clientStatic: Buffer,
): Promise<void> {
  const pendingId = `pairing-${world.seed.next("pairing")}`;
  const refs = Array.from(
    { length: QR_REF_COUNT },
    (_, i) => `${world.seed.bytes(`${pendingId}:ref:${i}`, 12).toString("base64url")}`,
  );
  const identityKey = Buffer.from(payload.devicePairingData?.eIdent ?? []);
  conn.registration = { pendingId, noiseKey: clientStatic, identityKey, refs };
  world.pending.set(pendingId, { id: pendingId, connectionId: conn.id, refs });
  await conn.send({
    tag: "iq",
    attrs: { from: SERVER_JID, type: "set", id: `${pendingId}-refs`, xmlns: "md" },
    content: [{ tag: "pair-device", attrs: {}, content: refs.map((ref) => leaf("ref", ref)) }],
  });
}

export interface ParsedQr {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: string;
}

/** "https://wa.me/settings/linked_devices#ref,noise,identity,advSecret,platform" */
export function parseQr(qr: string): ParsedQr {
  const [ref, noise, identity, advSecret] = (qr.split("#")[1] ?? qr).split(",");
  if (!ref || !noise || !identity || !advSecret)
    throw new SimConflictError("not a WhatsApp linking QR string");
  return {
    ref,
    noiseKey: Buffer.from(noise, "base64"),
    identityKey: Buffer.from(identity, "base64"),
    advSecret,
  };
}

/** The simulated phone scans a QR: find the socket that showed it and send it pair-success. */
export async function scanQr(world: SimWorld, qr: string, phone?: string): Promise<void> {
  const parsed = parseQr(qr);
  const conn = [...world.connections.values()].find((c) => c.registration?.refs.includes(parsed.ref));
  if (!conn?.registration || !conn.isOpen)
    throw new SimNotFoundError("no open socket is showing this QR code");
  if (!conn.registration.noiseKey.equals(parsed.noiseKey)) {
    throw new SimConflictError("QR noise key does not match the socket's handshake key");
  }
  await sendPairSuccess(world, conn, world.account(phone ?? world.nextPhone()), parsed.advSecret, "qr");
}

/**
 * pair-success carries the phone-signed device identity in an HMAC container keyed by the adv secret
 * (from the QR, or derived in the pairing-code exchange). The device is registered when Baileys
 * answers with its own signature (`pair-device-sign`).
 */
export async function sendPairSuccess(
  world: SimWorld,
  conn: SimConnection,
  account: Account,
  advSecret: string,
  method: PairingMethod,
): Promise<void> {
  const registration = conn.registration;
  if (!registration) throw new SimConflictError("socket is not a registration socket");
  const deviceNo = account.nextDeviceNo++;
  const keyIndex = deviceNo;
  const identity = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: world.seed.int(`${account.phone}:raw-id`, 2 ** 31),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex,
    }).finish(),
  );
  const accountSignature = Curve.sign(
    account.identity.private,
    Buffer.concat([ADV_ACCOUNT_SIGNATURE_PREFIX, identity, registration.identityKey]),
  );
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details: identity,
      accountSignatureKey: account.identity.public,
      accountSignature,
    }).finish(),
  );
  const container = Buffer.from(
    proto.ADVSignedDeviceIdentityHMAC.encode({
      details: signed,
      hmac: hmacSha256(Buffer.from(advSecret, "base64"), signed),
    }).finish(),
  );
  const device: PairedDevice = {
    id: `${account.phone}:${deviceNo}`,
    account,
    deviceNo,
    noiseKey: registration.noiseKey,
    identityKey: registration.identityKey,
    method,
    pairedAt: new Date(),
    loggedOut: false,
    sent: [],
    offline: [],
  };
  world.unsignedDevices.set(conn.id, device);
  await conn.send({
    tag: "iq",
    attrs: {
      from: SERVER_JID,
      type: "set",
      id: `${PAIR_SUCCESS_ID_PREFIX}${device.id}`,
      xmlns: "md",
      t: unixNow(),
    },
    content: [
      {
        tag: "pair-success",
        attrs: {},
        content: [
          leaf("device-identity", container, { "key-index": String(keyIndex) }),
          { tag: "platform", attrs: { name: "android" } },
          {
            tag: "device",
            attrs: {
              jid: `${account.phone}:${deviceNo}@s.whatsapp.net`,
              lid: `${account.lid}:${deviceNo}@lid`,
            },
          },
        ],
      },
    ],
  });
}

/** Baileys' result to pair-success: `<pair-device-sign>` → the device is paired; restart with 515. */
export async function onPairSuccessResult(
  world: SimWorld,
  conn: SimConnection,
  node: BinaryNode,
): Promise<boolean> {
  if (!node.attrs.id?.startsWith(PAIR_SUCCESS_ID_PREFIX)) return false;
  const device = world.unsignedDevices.get(conn.id);
  const signed = child(child(node, "pair-device-sign"), "device-identity");
  if (!device || !signed) return true;
  const identity = proto.ADVSignedDeviceIdentity.decode(bytes(signed));
  if (!identity.deviceSignature?.length) throw new Error("pair-device-sign without a device signature");
  world.unsignedDevices.delete(conn.id);
  world.devices.set(device.id, device);
  if (conn.registration) world.pending.delete(conn.registration.pendingId);
  conn.deviceId = device.id;
  conn.record.deviceId = device.id;
  world.emit("paired", world.summary(device));
  world.later(RESTART_AFTER_PAIRING_MS, async () => {
    await conn.send({ tag: "stream:error", attrs: { code: "515" } });
    await conn.end("stream:error 515 (pairing restart)");
  });
  return true;
}
