// Company A's data that company B must never see or change.
import type { TestWorld } from "./fixture";

export interface CompanyAData {
  sessionId: string;
  messageId: string;
  endpointId: string;
  deliveryId: string;
  eventMarker: string;
  chatJid: string;
}

export async function seedCompanyA(w: TestWorld): Promise<CompanyAData> {
  const { prisma } = w;
  const companyId = w.a.companyId;
  const session = await prisma.whatsappSession.create({
    data: { companyId, label: "A main", status: "CONNECTED" },
  });
  const chatJid = "5511900000001@s.whatsapp.net";
  const message = await prisma.message.create({
    data: {
      companyId,
      sessionId: session.id,
      chatJid,
      direction: "OUTBOUND",
      type: "TEXT",
      payload: { text: "A secret text" },
      status: "DEAD_LETTERED",
      waMessageId: "3EB0AAAAAAAAAAAAAAAAAA",
      lastError: "timeout",
    },
  });
  const endpoint = await prisma.webhookEndpoint.create({
    data: { companyId, url: "https://a.example/hook", secretEncrypted: new Uint8Array([1, 2, 3]) },
  });
  const delivery = await prisma.webhookDelivery.create({
    data: { companyId, endpointId: endpoint.id, eventType: "message.sent", payload: { id: message.id } },
  });
  const eventMarker = "A-SECRET-EVENT";
  await prisma.event.create({
    data: {
      companyId,
      sessionId: session.id,
      category: "SESSION",
      type: "session.connected",
      message: eventMarker,
    },
  });
  await prisma.rateLimitPolicy.create({ data: { companyId, perNumberPerMinute: 7 } });
  return {
    sessionId: session.id,
    messageId: message.id,
    endpointId: endpoint.id,
    deliveryId: delivery.id,
    eventMarker,
    chatJid,
  };
}

/** Everything of A that a foreign call could change, as comparable JSON. */
export async function snapshotCompanyA(w: TestWorld): Promise<string> {
  const companyId = w.a.companyId;
  const { prisma } = w;
  const [company, sessions, messages, keys, endpoints, deliveries, events, policy] = await Promise.all([
    prisma.company.findUnique({ where: { id: companyId } }),
    prisma.whatsappSession.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    prisma.message.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    prisma.apiKey.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    prisma.webhookEndpoint.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    prisma.webhookDelivery.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    prisma.event.count({ where: { companyId } }),
    prisma.rateLimitPolicy.findUnique({ where: { companyId } }),
  ]);
  return JSON.stringify(
    { company, sessions, messages, keys, endpoints, deliveries, events, policy },
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
  );
}
