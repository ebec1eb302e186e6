import type { BinaryNode } from "@whiskeysockets/baileys";
import type { SimConnection } from "./connection";
import { bytes, child, children, iqResult, parseJid } from "./nodes";
import type { SimWorld } from "./world";

/** Who a jid (PN or LID) names: a paired account or a simulated contact (created on first mention). */
function resolveUser(world: SimWorld, jid: string): { phone: string; lid: string; isAccount: boolean } {
  const { user, server } = parseJid(jid);
  if (server === "lid") {
    const account = world.accountByLid(user);
    if (account) return { phone: account.phone, lid: account.lid, isAccount: true };
    const contact = world.contactByLid(user);
    return { phone: contact?.phone ?? user, lid: user, isAccount: false };
  }
  const account = world.accounts.get(user);
  if (account) return { phone: user, lid: account.lid, isAccount: true };
  return { phone: user, lid: world.contact(user).lid, isAccount: false };
}

/** Devices of a user: a contact has its phone (device 0); an account lists its paired companions. */
function deviceList(world: SimWorld, phone: string, isAccount: boolean): BinaryNode[] {
  if (!isAccount) return [{ tag: "device", attrs: { id: "0" } }];
  return [...world.devices.values()]
    .filter((d) => d.account.phone === phone && !d.loggedOut)
    .map((d) => ({ tag: "device", attrs: { id: String(d.deviceNo), "key-index": String(d.deviceNo) } }));
}

/** `<iq xmlns="usync">`: devices, LID and contact protocols; others are left out (Baileys skips them). */
export async function answerUsync(world: SimWorld, conn: SimConnection, iq: BinaryNode): Promise<void> {
  const usync = child(iq, "usync");
  const protocols = new Set(children(child(usync, "query")).map((q) => q.tag));
  const users = children(child(usync, "list")).map((user) => {
    const phoneQuery = bytes(child(user, "contact")).toString().replace(/^\+/, "");
    const who = resolveUser(world, user.attrs.jid ?? `${phoneQuery}@s.whatsapp.net`);
    const content: BinaryNode[] = [];
    if (protocols.has("contact")) content.push({ tag: "contact", attrs: { type: "in" } });
    if (protocols.has("devices")) {
      const list = deviceList(world, who.phone, who.isAccount);
      content.push({
        tag: "devices",
        attrs: {},
        content: [{ tag: "device-list", attrs: {}, content: list }],
      });
    }
    if (protocols.has("lid")) content.push({ tag: "lid", attrs: { val: `${who.lid}@lid` } });
    return { tag: "user", attrs: { jid: `${who.phone}@s.whatsapp.net` }, content };
  });
  await conn.send(
    iqResult(iq, [
      {
        tag: "usync",
        attrs: usync?.attrs ?? {},
        content: [
          { tag: "result", attrs: {}, content: [] },
          { tag: "list", attrs: {}, content: users },
        ],
      },
    ]),
  );
}

/**
 * `<iq xmlns="encrypt" type="get"><key>`: pre-key bundles. Contacts answer from their own store;
 * sibling companions of the same account are left out (the simulator does not fan out to them).
 */
export async function answerKeyFetch(world: SimWorld, conn: SimConnection, iq: BinaryNode): Promise<boolean> {
  const key = child(iq, "key");
  if (!key) return false;
  const bundles: BinaryNode[] = [];
  for (const user of children(key)) {
    const jid = user.attrs.jid ?? "";
    const who = resolveUser(world, jid);
    if (who.isAccount) continue;
    bundles.push(world.contact(who.phone).bundleNode(jid));
  }
  await conn.send(iqResult(iq, [{ tag: "list", attrs: {}, content: bundles }]));
  return true;
}

/** The contact (by phone) behind a message addressee jid, or undefined for paired accounts. */
export function contactForJid(world: SimWorld, jid: string) {
  const who = resolveUser(world, jid);
  return who.isAccount ? undefined : world.contact(who.phone);
}
