import type { BinaryNode } from "@whiskeysockets/baileys";
import { Curve } from "@whiskeysockets/baileys";
import {
  ProtocolAddress,
  SessionBuilder,
  SessionCipher,
  type SessionRecord,
  type SignalStorage,
} from "libsignal";
import { uintBE } from "./crypto";
import { leaf } from "./nodes";
import type { SeededSource } from "./seed";
import type { UploadedBundle } from "./types";

const PREKEYS_PER_CONTACT = 50;
const SIGNED_PREKEY_ID = 1;
const KEY_TYPE = Buffer.from([5]);

interface SignalKeyPair {
  pubKey: Buffer;
  privKey: Buffer;
}

const withType = (key: Buffer): Buffer => Buffer.concat([KEY_TYPE, key]);

/**
 * A simulated WhatsApp user with one phone (device 0): a libsignal store whose keys follow from the
 * seed and the phone number. It decrypts what the paired devices send it and encrypts what it sends them.
 */
export class SimContact implements SignalStorage {
  readonly lid: string;
  readonly name: string;
  private readonly identity: SignalKeyPair;
  private readonly registrationId: number;
  private readonly signedPreKey: SignalKeyPair & { signature: Buffer };
  private readonly preKeys = new Map<number, SignalKeyPair>();
  private readonly unissuedPreKeys: number[] = [];
  private readonly sessions = new Map<string, SessionRecord>();
  private encrypting: Promise<void> = Promise.resolve();

  constructor(
    readonly phone: string,
    seed: SeededSource,
  ) {
    const label = `contact:${phone}`;
    this.lid = `1${String(seed.int(`${label}:lid`, 10 ** 14)).padStart(14, "0")}`;
    this.name = `Contact ${phone.slice(-4)}`;
    this.identity = toSignal(seed.keyPair(`${label}:identity`));
    this.registrationId = seed.int(`${label}:registration`, 0x3fff) + 1;
    const spk = toSignal(seed.keyPair(`${label}:signed-prekey`));
    this.signedPreKey = { ...spk, signature: Buffer.from(Curve.sign(this.identity.privKey, spk.pubKey)) };
    for (let id = 1; id <= PREKEYS_PER_CONTACT; id++) {
      this.preKeys.set(id, toSignal(seed.keyPair(`${label}:prekey:${id}`)));
      this.unissuedPreKeys.push(id);
    }
  }

  /** `<user>` node of an encrypt/key reply; each one-time pre-key is handed out once. */
  bundleNode(jid: string): BinaryNode {
    const preKeyId = this.unissuedPreKeys.shift();
    const preKey = preKeyId === undefined ? undefined : this.preKeys.get(preKeyId);
    const content: BinaryNode[] = [
      leaf("registration", uintBE(this.registrationId, 4)),
      leaf("type", KEY_TYPE),
      leaf("identity", this.identity.pubKey.subarray(1)),
      {
        tag: "skey",
        attrs: {},
        content: [
          leaf("id", uintBE(SIGNED_PREKEY_ID, 3)),
          leaf("value", this.signedPreKey.pubKey.subarray(1)),
          leaf("signature", this.signedPreKey.signature),
        ],
      },
    ];
    if (preKeyId !== undefined && preKey) {
      content.push({
        tag: "key",
        attrs: {},
        content: [leaf("id", uintBE(preKeyId, 3)), leaf("value", preKey.pubKey.subarray(1))],
      });
    }
    return { tag: "user", attrs: { jid }, content };
  }

  async decrypt(device: string, encType: string, body: Buffer): Promise<Buffer> {
    const cipher = new SessionCipher(this, address(device));
    return encType === "pkmsg"
      ? cipher.decryptPreKeyWhisperMessage(body)
      : cipher.decryptWhisperMessage(body);
  }

  /**
   * Encrypts to a paired device, starting a session from its uploaded bundle when there is none.
   * One at a time: two concurrent first messages must not both start a session.
   */
  encrypt(
    device: string,
    bundle: UploadedBundle,
    plaintext: Buffer,
  ): Promise<{ type: "pkmsg" | "msg"; body: Buffer }> {
    const result = this.encrypting.then(() => this.encryptNow(device, bundle, plaintext));
    this.encrypting = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async encryptNow(
    device: string,
    bundle: UploadedBundle,
    plaintext: Buffer,
  ): Promise<{ type: "pkmsg" | "msg"; body: Buffer }> {
    const to = address(device);
    if (!this.sessions.has(to.toString())) {
      const preKey = bundle.preKeys.shift();
      if (!preKey) throw new Error(`device ${device} has no unused pre-key left`);
      await new SessionBuilder(this, to).initOutgoing({
        registrationId: bundle.registrationId,
        identityKey: withType(bundle.identity),
        signedPreKey: {
          keyId: bundle.signedPreKey.id,
          publicKey: withType(bundle.signedPreKey.value),
          signature: bundle.signedPreKey.signature,
        },
        preKey: { keyId: preKey.id, publicKey: withType(preKey.value) },
      });
    }
    const result = await new SessionCipher(this, to).encrypt(plaintext);
    // libsignal: type 3 = PreKeyWhisperMessage, 1 = WhisperMessage. Its typings say string; it returns a Buffer.
    const body: unknown = result.body;
    return {
      type: result.type === 3 ? "pkmsg" : "msg",
      body: Buffer.isBuffer(body) ? body : Buffer.from(String(body), "binary"),
    };
  }

  /** Forgets sessions with a device (it was re-paired or removed). */
  forgetDevice(device: string): void {
    this.sessions.delete(address(device).toString());
  }

  // SignalStorage
  async loadSession(id: string) {
    return this.sessions.get(id);
  }
  async storeSession(id: string, session: SessionRecord) {
    this.sessions.set(id, session);
  }
  isTrustedIdentity() {
    return true;
  }
  async loadPreKey(id: number | string) {
    return this.preKeys.get(Number(id));
  }
  removePreKey(id: number) {
    this.preKeys.delete(id);
  }
  loadSignedPreKey() {
    return this.signedPreKey;
  }
  getOurRegistrationId() {
    return this.registrationId;
  }
  getOurIdentity() {
    return this.identity;
  }
}

/** The libsignal address a contact files a paired device's session under (device id "phone:n"). */
function address(device: string): ProtocolAddress {
  const [phone = "", deviceNo = "0"] = device.split(":");
  return new ProtocolAddress(phone, Number(deviceNo));
}

function toSignal(pair: { public: Buffer; private: Buffer }): SignalKeyPair {
  return { pubKey: withType(pair.public), privKey: pair.private };
}
