import type { BinaryNode } from "@whiskeysockets/baileys";
import type { SimConnection } from "./connection";
import { answerKeyFetch, answerUsync } from "./directory";
import { answerAccountQuery, answerPreKeys } from "./login";
import type { MediaServer } from "./media";
import { onDeviceMessage } from "./messaging";
import { child, iqResult, parseJid } from "./nodes";
import { onPairSuccessResult } from "./pairing";
import { onCompanionFinish, onCompanionHello } from "./pairing-code";
import type { SimWorld } from "./world";

const MEDIA_CONN_TTL_SECONDS = "3600";
const MAX_UPLOAD_BYTES = String(64 * 1024 * 1024);

/** Routes one decrypted stanza from a client socket to the part of the simulator that answers it. */
export class StanzaRouter {
  constructor(
    private readonly world: SimWorld,
    private readonly media: MediaServer,
  ) {}

  async route(conn: SimConnection, node: BinaryNode): Promise<void> {
    const device = conn.deviceId ? this.world.devices.get(conn.deviceId) : undefined;
    if (node.tag === "iq") return this.routeIq(conn, node);
    if (node.tag === "message" && device && conn.record.loggedInAt)
      return onDeviceMessage(this.world, this.media, device, node);
    // receipts, acks, presence, <ib> and notifications from the client need no answer here
  }

  private async routeIq(conn: SimConnection, iq: BinaryNode): Promise<void> {
    if (iq.attrs.type === "result" || iq.attrs.type === "error") {
      await onPairSuccessResult(this.world, conn, iq);
      return;
    }
    const handled = await this.answer(conn, iq);
    if (!handled) await conn.send(iqResult(iq));
  }

  private async answer(conn: SimConnection, iq: BinaryNode): Promise<boolean> {
    const world = this.world;
    switch (iq.attrs.xmlns) {
      case "md":
        return this.answerMd(conn, iq);
      case "encrypt":
        return (await answerPreKeys(world, conn, iq)) || answerKeyFetch(world, conn, iq);
      case "usync":
        await answerUsync(world, conn, iq);
        return true;
      case "w:m":
        await conn.send(
          iqResult(iq, [
            {
              tag: "media_conn",
              attrs: { auth: "sim", ttl: MEDIA_CONN_TTL_SECONDS },
              content: [
                {
                  tag: "host",
                  attrs: { hostname: this.media.host, maxContentLengthBytes: MAX_UPLOAD_BYTES },
                },
              ],
            },
          ]),
        );
        return true;
      case "passive":
        await answerAccountQuery(conn, iq);
        if (child(iq, "active")) await this.flushOffline(conn);
        return true;
      default:
        return answerAccountQuery(conn, iq);
    }
  }

  private async answerMd(conn: SimConnection, iq: BinaryNode): Promise<boolean> {
    const linkCode = child(iq, "link_code_companion_reg");
    if (linkCode?.attrs.stage === "companion_hello") {
      await onCompanionHello(this.world, conn, iq);
      return true;
    }
    if (linkCode?.attrs.stage === "companion_finish") {
      await onCompanionFinish(this.world, conn, iq);
      return true;
    }
    const remove = child(iq, "remove-companion-device");
    if (remove) {
      const { user, device } = parseJid(remove.attrs.jid ?? "");
      const removed = this.world.devices.get(`${user}:${device}`);
      if (removed) removed.loggedOut = true;
      await conn.send(iqResult(iq));
      return true;
    }
    return false;
  }

  /** What reached the device while it was offline, once it went active again. */
  private async flushOffline(conn: SimConnection): Promise<void> {
    const device = conn.deviceId ? this.world.devices.get(conn.deviceId) : undefined;
    if (!device) return;
    const queued = device.offline.splice(0);
    for (const node of queued) await conn.send(node);
    await conn.send({
      tag: "ib",
      attrs: { from: "@s.whatsapp.net" },
      content: [{ tag: "offline", attrs: { count: String(queued.length) } }],
    });
  }
}
