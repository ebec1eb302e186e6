import { Curve, NOISE_MODE, NOISE_WA_HEADER, proto } from "@whiskeysockets/baileys";
import { aesGcmDecrypt, aesGcmEncrypt, hkdf, type RawKeyPair, sha256 } from "./crypto";

const EMPTY = Buffer.alloc(0);

function nonce(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

/** The server's static Noise key and the certificate chain that vouches for it. */
export interface ServerIdentity {
  staticKey: RawKeyPair;
  certChain: Buffer;
}

export interface ClientFinish {
  /** The client's static noise key (Baileys' creds.noiseKey.public). */
  clientStatic: Buffer;
  payload: proto.ClientPayload;
}

/**
 * Server side of Noise_XX_25519_AESGCM_SHA256 with WhatsApp's "WA" prologue, then the transport
 * ciphers (one key and counter per direction).
 */
export class NoiseServer {
  private hash: Buffer = Buffer.from(NOISE_MODE);
  private chainKey: Buffer = this.hash;
  private key: Buffer = this.hash;
  private counter = 0;
  private ephemeral?: RawKeyPair;
  private transport?: { recvKey: Buffer; sendKey: Buffer; recvN: number; sendN: number };

  constructor(
    private readonly server: ServerIdentity,
    private readonly ephemeralKey: RawKeyPair,
  ) {
    this.mixHash(NOISE_WA_HEADER);
  }

  get established(): boolean {
    return this.transport !== undefined;
  }

  /** ClientHello → ServerHello frame. */
  answerClientHello(frame: Buffer): Buffer {
    const hello = proto.HandshakeMessage.decode(frame).clientHello;
    if (!hello?.ephemeral) throw new Error("noise: ClientHello without ephemeral key");
    const clientEphemeral = Buffer.from(hello.ephemeral);
    this.ephemeral = this.ephemeralKey;
    this.mixHash(clientEphemeral);
    this.mixHash(this.ephemeral.public);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientEphemeral));
    const encStatic = this.encryptHandshake(this.server.staticKey.public);
    this.mixKey(Curve.sharedKey(this.server.staticKey.private, clientEphemeral));
    const encPayload = this.encryptHandshake(this.server.certChain);
    const serverHello = { ephemeral: this.ephemeral.public, static: encStatic, payload: encPayload };
    return Buffer.from(proto.HandshakeMessage.encode({ serverHello }).finish());
  }

  /** ClientFinish → client's static key and ClientPayload; switches to transport keys. */
  readClientFinish(frame: Buffer): ClientFinish {
    const finish = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!finish?.static || !finish.payload || !this.ephemeral) throw new Error("noise: bad ClientFinish");
    const clientStatic = this.decryptHandshake(Buffer.from(finish.static));
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const payload = proto.ClientPayload.decode(this.decryptHandshake(Buffer.from(finish.payload)));
    const keys = hkdf(EMPTY, this.chainKey, "", 64);
    this.transport = { recvKey: keys.subarray(0, 32), sendKey: keys.subarray(32), recvN: 0, sendN: 0 };
    return { clientStatic, payload };
  }

  encrypt(plaintext: Buffer): Buffer {
    const t = this.requireTransport();
    return aesGcmEncrypt(t.sendKey, nonce(t.sendN++), EMPTY, plaintext);
  }

  decrypt(ciphertext: Buffer): Buffer {
    const t = this.requireTransport();
    return aesGcmDecrypt(t.recvKey, nonce(t.recvN++), EMPTY, ciphertext);
  }

  private requireTransport() {
    if (!this.transport) throw new Error("noise: handshake not finished");
    return this.transport;
  }

  private mixHash(data: Buffer): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixKey(material: Uint8Array): void {
    const out = hkdf(Buffer.from(material), this.chainKey, "", 64);
    this.chainKey = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encryptHandshake(plaintext: Buffer): Buffer {
    const ciphertext = aesGcmEncrypt(this.key, nonce(this.counter++), this.hash, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  private decryptHandshake(ciphertext: Buffer): Buffer {
    const plaintext = aesGcmDecrypt(this.key, nonce(this.counter++), this.hash, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }
}
