import type { BinaryNode, proto } from "@whiskeysockets/baileys";
import type { SimConnection } from "./connection";
import { bytes, child, children, iqResult, unixNow } from "./nodes";
import type { UploadedBundle } from "./types";
import type { SimWorld } from "./world";

const PRIVACY_CATEGORIES = ["readreceipts", "last", "online", "profile", "status", "groupadd", "calladd"];

/**
 * Login ClientPayload: a known device with the noise key it paired with gets `<success>`; anything
 * else (unknown, logged out) gets `<failure reason="401">`. A second socket for the same device
 * replaces the first, which is told so with `<conflict type="replaced">` (Baileys: 440).
 */
export async function beginLogin(
  world: SimWorld,
  conn: SimConnection,
  payload: proto.ClientPayload,
  clientStatic: Buffer,
): Promise<void> {
  const deviceId = `${String(payload.username ?? "")}:${payload.device ?? 0}`;
  const device = world.devices.get(deviceId);
  if (!device || device.loggedOut || !device.noiseKey.equals(clientStatic)) {
    await conn.send({ tag: "failure", attrs: { reason: "401", location: "sim" } });
    await conn.end("failure 401 (unknown device)");
    return;
  }
  const previous = world.liveConnection(deviceId);
  conn.deviceId = deviceId;
  conn.record.deviceId = deviceId;
  conn.record.loggedInAt = new Date().toISOString();
  if (previous && previous !== conn) {
    await previous.send({
      tag: "stream:error",
      attrs: {},
      content: [{ tag: "conflict", attrs: { type: "replaced" } }],
    });
    await previous.end("replaced by a newer socket (440)");
  }
  await conn.send({
    tag: "success",
    attrs: {
      t: unixNow(),
      lid: `${device.account.lid}:${device.deviceNo}@lid`,
      props: "0",
      location: "sim",
      creation: String(Math.floor(device.pairedAt.getTime() / 1000)),
    },
  });
}

/** `<iq xmlns="encrypt">` count / upload / digest. Returns false if it is something else. */
export async function answerPreKeys(world: SimWorld, conn: SimConnection, iq: BinaryNode): Promise<boolean> {
  const device = conn.deviceId ? world.devices.get(conn.deviceId) : undefined;
  const first = children(iq)[0];
  if (first?.tag === "count") {
    await conn.send(
      iqResult(iq, [{ tag: "count", attrs: { value: String(device?.bundle?.preKeys.length ?? 0) } }]),
    );
    return true;
  }
  if (first?.tag === "digest") {
    await conn.send(iqResult(iq, [{ tag: "digest", attrs: {}, content: [] }]));
    return true;
  }
  if (iq.attrs.type === "set" && child(iq, "registration")) {
    if (device) device.bundle = mergeUpload(device.bundle, iq);
    await conn.send(iqResult(iq));
    return true;
  }
  return false;
}

/** A pre-key upload adds keys; registration, identity and signed pre-key are replaced. */
function mergeUpload(previous: UploadedBundle | undefined, iq: BinaryNode): UploadedBundle {
  const skey = child(iq, "skey");
  const uploaded = children(child(iq, "list")).map((key) => ({
    id: bytes(child(key, "id")).readUIntBE(0, 3),
    value: bytes(child(key, "value")),
  }));
  return {
    registrationId: bytes(child(iq, "registration")).readUInt32BE(0),
    identity: bytes(child(iq, "identity")),
    signedPreKey: {
      id: bytes(child(skey, "id")).readUIntBE(0, 3),
      value: bytes(child(skey, "value")),
      signature: bytes(child(skey, "signature")),
    },
    preKeys: [...(previous?.preKeys ?? []), ...uploaded],
  };
}

/** Account-level queries Baileys makes around `open`: props, privacy, blocklist, passive, ping. */
export async function answerAccountQuery(conn: SimConnection, iq: BinaryNode): Promise<boolean> {
  switch (iq.attrs.xmlns) {
    case "abt":
      await conn.send(
        iqResult(iq, [
          {
            tag: "props",
            attrs: { protocol: "1", hash: "sim" },
            // no tctoken is attached to 1:1 messages: the simulator does not model privacy tokens
            content: [
              {
                tag: "prop",
                attrs: { name: "privacy_token_sending_on_all_1_on_1_messages", value: "false" },
              },
            ],
          },
        ]),
      );
      return true;
    case "privacy":
      if (!child(iq, "privacy")) return false;
      await conn.send(
        iqResult(iq, [
          {
            tag: "privacy",
            attrs: {},
            content: PRIVACY_CATEGORIES.map((name) => ({ tag: "category", attrs: { name, value: "all" } })),
          },
        ]),
      );
      return true;
    case "blocklist":
      await conn.send(iqResult(iq, [{ tag: "list", attrs: {}, content: [] }]));
      return true;
    case "passive":
    case "w:p":
      await conn.send(iqResult(iq));
      return true;
    default:
      return false;
  }
}
