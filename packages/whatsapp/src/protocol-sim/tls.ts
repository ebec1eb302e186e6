import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI at start-up: Baileys
 * always uploads media over https, and Node has no API that creates X.509 certificates.
 */
export async function createLoopbackCertificate(): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(join(tmpdir(), "zapflow-protocol-sim-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    await execFileAsync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]);
    return { key: await readFile(keyPath, "utf8"), cert: await readFile(certPath, "utf8") };
  } catch (error) {
    throw new Error(`protocol-sim: could not create a TLS certificate with openssl (${String(error)})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
