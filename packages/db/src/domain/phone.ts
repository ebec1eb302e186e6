// Phone numbers: everything stored is E.164; WhatsApp addresses a number as <digits>@s.whatsapp.net.
import { type CountryCode, getCountries, parsePhoneNumberFromString } from "libphonenumber-js";

export const WHATSAPP_USER_SERVER = "s.whatsapp.net";

export type NormalizedPhone = { e164: string; jid: string } | { error: string };

const countries = new Set<string>(getCountries());

export function isCountryCode(value: string): value is CountryCode {
  return countries.has(value);
}

/** `+5511987654321` → `5511987654321@s.whatsapp.net` */
export function phoneToJid(e164: string): string {
  return `${e164.replace(/\D/g, "")}@${WHATSAPP_USER_SERVER}`;
}

/** `5511987654321@s.whatsapp.net` (or `...:12@s.whatsapp.net` device JIDs) → `+5511987654321` */
export function jidToPhone(jid: string): string | undefined {
  const match = /^(\d{6,15})(?::\d+)?@s\.whatsapp\.net$/.exec(jid);
  return match ? `+${match[1]}` : undefined;
}

/**
 * Normalises what people type or export ("(11) 98765-4321", "+55 11 98765 4321", "5511987654321",
 * "0055...") into E.164. A number without a country code is read in `defaultCountry`.
 */
export function normalizePhone(raw: string | null | undefined, defaultCountry: string): NormalizedPhone {
  const input = (raw ?? "").trim();
  if (!input) return { error: "phone is empty" };
  if (!isCountryCode(defaultCountry)) return { error: `unknown country "${defaultCountry}"` };
  if (/[a-z]/i.test(input.replace(/\b(ext|x)\.?\s*\d+$/i, "")))
    return { error: `"${input}" is not a phone number` };
  let candidate = input.replace(/[^\d+]/g, "");
  // International prefix written as 00 (common in spreadsheets).
  if (candidate.startsWith("00")) candidate = `+${candidate.slice(2)}`;
  const parsed =
    parsePhoneNumberFromString(candidate, defaultCountry) ??
    (candidate.startsWith("+") ? undefined : parsePhoneNumberFromString(`+${candidate}`));
  if (parsed?.isValid()) return { e164: parsed.number, jid: phoneToJid(parsed.number) };
  // Digits that already carry a country code but no "+" (e.g. "5511987654321").
  if (!candidate.startsWith("+")) {
    const international = parsePhoneNumberFromString(`+${candidate}`);
    if (international?.isValid())
      return { e164: international.number, jid: phoneToJid(international.number) };
  }
  return { error: `"${input}" is not a valid phone number for ${defaultCountry}` };
}
