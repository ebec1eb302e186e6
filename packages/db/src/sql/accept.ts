// Lookups of the bulk accept path (sessions of the company, recipients' contacts), many rows per
// statement.
import { uuidv7 } from "./outbound";
import { type Queryable, query, utc } from "./pool";

export interface ContactFlag {
  id: string;
  phone: string;
  lid: string | null;
  optedOut: boolean;
}

export const acceptSql = {
  /** Which of `sessionIds` belong to `companyId`. */
  async ownedSessionIds(db: Queryable, companyId: string, sessionIds: string[]): Promise<Set<string>> {
    const rows = await query<{ id: string }>(
      db,
      `SELECT id FROM "WhatsappSession" WHERE "companyId" = $1 AND id = ANY($2::text[])`,
      [companyId, sessionIds],
    );
    return new Set(rows.map((r) => r.id));
  },

  /** Creates the missing person contacts of `phones` (E.164), then reads them all. */
  async ensureContactsByPhone(
    db: Queryable,
    companyId: string,
    phones: string[],
    at: Date,
  ): Promise<ContactFlag[]> {
    if (!phones.length) return [];
    const rows = phones.map((phone) => ({
      id: uuidv7(at.getTime()),
      phone,
      jid: `${phone.slice(1)}@s.whatsapp.net`,
    }));
    await query(
      db,
      `INSERT INTO "Contact" (id, "companyId", phone, jid, "createdAt", "updatedAt")
       SELECT r.id, $2, r.phone, r.jid, ($3::timestamptz AT TIME ZONE 'UTC'), ($3::timestamptz AT TIME ZONE 'UTC')
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, phone text, jid text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows), companyId, utc(at)],
    );
    return query<ContactFlag>(
      db,
      `SELECT id, phone, lid, "optedOut" FROM "Contact" WHERE "companyId" = $1 AND phone = ANY($2::text[])`,
      [companyId, phones],
    );
  },

  async contactsByLid(db: Queryable, companyId: string, lids: string[]): Promise<ContactFlag[]> {
    if (!lids.length) return [];
    return query<ContactFlag>(
      db,
      `SELECT id, phone, lid, "optedOut" FROM "Contact" WHERE "companyId" = $1 AND lid = ANY($2::text[])`,
      [companyId, lids],
    );
  },
};
