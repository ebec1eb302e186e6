import { Curve, proto } from "@whiskeysockets/baileys";
import type { RawKeyPair } from "./crypto";
import { SeededSource } from "./seed";

/** Baileys checks the intermediate's issuer serial against WA_CERT_DETAILS.SERIAL (0). */
const ROOT_SERIAL = 0;
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;
const NOT_AFTER = 4_102_444_800; // 2100-01-01

/**
 * The simulator's root key is the same for every seed and process, so a client in another process
 * (the worker's Baileys engine in simulator mode) can trust it without talking to the simulator.
 */
const rootKeyPair = new SeededSource("root-of-trust").keyPair("simulator-root");

export function simulatorRootPublicKey(): Buffer {
  return Buffer.from(rootKeyPair.public);
}

/**
 * Makes a Baileys module trust the simulator's root, like trusting a test CA. Pass Baileys'
 * `WA_CERT_DETAILS`; only ever in simulator mode.
 */
export function trustSimulatorRoot(certDetails: { PUBLIC_KEY: Buffer }): void {
  certDetails.PUBLIC_KEY = simulatorRootPublicKey();
}

const encodeDetails = (details: proto.CertChain.NoiseCertificate.IDetails): Buffer =>
  Buffer.from(proto.CertChain.NoiseCertificate.Details.encode(details).finish());

/** CertChain{leaf, intermediate}: root signs the intermediate, the intermediate signs the leaf (server static key). */
export function buildCertChain(intermediate: RawKeyPair, serverStatic: RawKeyPair): Buffer {
  const intermediateDetails = encodeDetails({
    serial: INTERMEDIATE_SERIAL,
    issuerSerial: ROOT_SERIAL, // must be written explicitly: the protobuf default is null
    key: intermediate.public,
    notBefore: 0,
    notAfter: NOT_AFTER,
  });
  const leafDetails = encodeDetails({
    serial: LEAF_SERIAL,
    issuerSerial: INTERMEDIATE_SERIAL,
    key: serverStatic.public,
    notBefore: 0,
    notAfter: NOT_AFTER,
  });
  return Buffer.from(
    proto.CertChain.encode({
      intermediate: {
        details: intermediateDetails,
        signature: Curve.sign(rootKeyPair.private, intermediateDetails),
      },
      leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
    }).finish(),
  );
}
