#!/usr/bin/env tsx
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ProtocolSimulator } from "./simulator";

/**
 * `pnpm --filter @zapflow/whatsapp sim -- --port 7100 --admin-port 7101 --seed 1 [--media-cert-out sim-ca.pem]`
 * Prints { wsUrl, adminUrl, rootPublicKey } as JSON. `--media-cert-out` writes the media server's
 * certificate, for a Baileys process started with NODE_EXTRA_CA_CERTS=<that file>.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: {
      port: { type: "string", default: "7100" },
      "admin-port": { type: "string", default: "7101" },
      host: { type: "string", default: "127.0.0.1" },
      seed: { type: "string", default: "1" },
      "media-cert-out": { type: "string" },
    },
  });
  const sim = new ProtocolSimulator();
  const running = await sim.start({
    port: Number(values.port),
    adminPort: Number(values["admin-port"]),
    host: values.host,
    seed: values.seed,
    onError: (error) => console.error("[protocol-sim]", error),
  });
  const certOut = values["media-cert-out"];
  if (certOut) await writeFile(certOut, running.mediaCertificate);
  console.log(
    JSON.stringify(
      {
        wsUrl: running.wsUrl,
        adminUrl: running.adminUrl,
        rootPublicKey: sim.rootPublicKey.toString("base64"),
        seed: values.seed,
        ...(certOut ? { mediaCertificateFile: certOut } : {}),
      },
      null,
      2,
    ),
  );
  const stop = () => {
    running.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
