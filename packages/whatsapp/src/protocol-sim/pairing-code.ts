import { pbkdf2 } from "node:crypto";
import { promisify } from "node:util";
import { type BinaryNode, Curve } from "@whiskeysockets/baileys";
import type { SimConnection } from "./connection";
import { aesCtr, aesGcmDecrypt, hkdf } from "./crypto";
import { bytes, child, iqResult, leaf, parseJid, SERVER_JID, unixNow } from "./nodes";
import { sendPairSuccess } from "./pairing";
import { type PairingCodeRequest, SimConflictError, SimNotFoundError, type SimWorld } from "./world";

const pbkdf2Async = promisify(pbkdf2);
const CODE_KEY_ITERATIONS = 2 << 16; // 131072, as WhatsApp's link-code key derivation
const BUNDLE_INFO = "link_code_pairing_key_bundle_encryption_key";
const ADV_SECRET_INFO = "adv_secret";
const REQUEST_GRACE_MS = 5_000;

async function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(code, salt, CODE_KEY_ITERATIONS, 32, "sha256");
}

/** `<link_code_companion_reg stage="companion_hello">` from Baileys' requestPairingCode. */
export async function onCompanionHello(world: SimWorld, conn: SimConnection, iq: BinaryNode): Promise<void> {
  const reg = child(iq, "link_code_companion_reg");
  const phone = parseJid(reg?.attrs.jid ?? "").user;
  const ref = world.seed.nextLabel("link-code-ref");
  world.codeRequests.set(phone, {
    conn,
    phone,
    ref,
    wrappedCompanionEphemeral: bytes(child(reg, "link_code_pairing_wrapped_companion_ephemeral_pub")),
  });
  const pending = conn.registration && world.pending.get(conn.registration.pendingId);
  if (pending) pending.pairingCodePhone = phone;
  world.emit("code-request", phone);
  await conn.send(
    iqResult(iq, [
      { tag: "link_code_companion_reg", attrs: {}, content: [leaf("link_code_pairing_ref", ref)] },
    ]),
  );
}

/**
 * The phone's owner types the code: unwrap the companion's ephemeral key with it and answer with
 * primary_hello. A wrong code yields a wrong key, and Baileys' finish step then fails to match.
 */
export async function confirmPairingCode(world: SimWorld, phone: string, code: string): Promise<void> {
  if (!world.codeRequests.has(phone)) {
    // Baileys sends companion_hello without waiting: the code can reach us before the request does
    await world.waitFor<string>("code-request", (p) => p === phone, REQUEST_GRACE_MS).catch(() => undefined);
  }
  const request = world.codeRequests.get(phone);
  if (!request?.conn.isOpen) throw new SimNotFoundError(`no pairing-code request for ${phone}`);
  const wrapped = request.wrappedCompanionEphemeral;
  const normalized = code.replace(/-/g, "").toUpperCase();
  const companionEphemeral = aesCtr(
    await codeKey(normalized, wrapped.subarray(0, 32)),
    wrapped.subarray(32, 48),
    wrapped.subarray(48, 80),
  );
  const primaryEphemeral = world.seed.keyPair(`${request.ref}:primary-ephemeral`);
  const salt = world.seed.bytes(`${request.ref}:salt`, 32);
  const iv = world.seed.bytes(`${request.ref}:iv`, 16);
  const wrappedPrimary = Buffer.concat([
    salt,
    iv,
    aesCtr(await codeKey(normalized, salt), iv, primaryEphemeral.public),
  ]);
  request.phoneSide = { companionEphemeral, primaryEphemeral };
  await request.conn.send({
    tag: "notification",
    attrs: {
      from: SERVER_JID,
      id: `${request.ref}-primary-hello`,
      type: "link_code_companion_reg",
      t: unixNow(),
    },
    content: [
      {
        tag: "link_code_companion_reg",
        attrs: { stage: "primary_hello" },
        content: [
          leaf("link_code_pairing_ref", request.ref),
          leaf("primary_identity_pub", world.account(phone).identity.public),
          leaf("link_code_pairing_wrapped_primary_ephemeral_pub", wrappedPrimary),
        ],
      },
    ],
  });
}

/** `stage="companion_finish"`: decrypt the key bundle, derive the same adv secret, send pair-success. */
export async function onCompanionFinish(world: SimWorld, conn: SimConnection, iq: BinaryNode): Promise<void> {
  const reg = child(iq, "link_code_companion_reg");
  const phone = parseJid(reg?.attrs.jid ?? "").user;
  const request = world.codeRequests.get(phone);
  await conn.send(iqResult(iq));
  if (!request?.phoneSide || request.conn !== conn)
    throw new SimConflictError(`unexpected companion_finish for ${phone}`);
  world.codeRequests.delete(phone);
  let advSecret: Buffer;
  try {
    advSecret = deriveAdvSecret(world.account(phone).identity.private, request.phoneSide, reg);
  } catch (error) {
    // a wrong code gives the two sides different keys: the bundle does not decrypt
    world.emit("pairing-failed", { phone, reason: `pairing failed for ${phone}: ${String(error)}` });
    await conn.end("pairing code mismatch");
    return;
  }
  await sendPairSuccess(world, conn, world.account(phone), advSecret.toString("base64"), "pairing-code");
}

function deriveAdvSecret(
  primaryIdentityPrivate: Buffer,
  phoneSide: NonNullable<PairingCodeRequest["phoneSide"]>,
  reg: BinaryNode | undefined,
): Buffer {
  const { companionEphemeral, primaryEphemeral } = phoneSide;
  const wrappedBundle = bytes(child(reg, "link_code_pairing_wrapped_key_bundle"));
  const shared = Buffer.from(Curve.sharedKey(primaryEphemeral.private, companionEphemeral));
  const bundleKey = hkdf(shared, wrappedBundle.subarray(0, 32), BUNDLE_INFO, 32);
  const bundle = aesGcmDecrypt(
    bundleKey,
    wrappedBundle.subarray(32, 44),
    Buffer.alloc(0),
    wrappedBundle.subarray(44),
  );
  const companionIdentity = bundle.subarray(0, 32);
  if (!companionIdentity.equals(bytes(child(reg, "companion_identity_public")))) {
    throw new SimConflictError("pairing-code key bundle does not match the companion identity");
  }
  const identityShared = Buffer.from(Curve.sharedKey(primaryIdentityPrivate, companionIdentity));
  return hkdf(
    Buffer.concat([shared, identityShared, bundle.subarray(64, 96)]),
    Buffer.alloc(0),
    ADV_SECRET_INFO,
    32,
  );
}
