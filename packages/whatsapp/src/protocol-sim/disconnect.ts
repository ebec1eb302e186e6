import type { BinaryNode } from "@whiskeysockets/baileys";
import { SimConflictError, type SimWorld } from "./world";

/** The stream-end codes the admin API can force, and what each one looks like on the wire. */
export const DISCONNECT_CODES = [401, 403, 408, 411, 428, 440, 463, 500, 503, 515] as const;
export type DisconnectCode = (typeof DISCONNECT_CODES)[number];

function streamEnd(code: DisconnectCode): BinaryNode {
  switch (code) {
    case 401: // the phone removed this companion
      return {
        tag: "stream:error",
        attrs: { code: "401" },
        content: [{ tag: "conflict", attrs: { type: "device_removed" } }],
      };
    case 440: // another socket took over
      return { tag: "stream:error", attrs: {}, content: [{ tag: "conflict", attrs: { type: "replaced" } }] };
    case 428: // the server just ends the stream
      return { tag: "xmlstreamend", attrs: {} };
    case 411:
      return { tag: "ib", attrs: {}, content: [{ tag: "downgrade_webclient", attrs: {} }] };
    default:
      return { tag: "stream:error", attrs: { code: String(code) } };
  }
}

/** Ends a device's live socket with `code`; 401 also unlinks the device, so its next login fails. */
export async function disconnectDevice(
  world: SimWorld,
  deviceId: string,
  code: DisconnectCode,
): Promise<void> {
  const device = world.device(deviceId);
  const conn = world.liveConnection(deviceId);
  if (!conn) throw new SimConflictError(`device ${deviceId} is not connected`);
  if (code === 401) device.loggedOut = true;
  await conn.send(streamEnd(code));
  await conn.end(`forced ${code}`);
}
