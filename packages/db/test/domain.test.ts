import { describe, expect, it } from "vitest";
import {
  contactVariables,
  detectDelimiter,
  isQuietTime,
  nextAllowedTime,
  normalizePhone,
  phoneToJid,
  renderTemplate,
  sniffCsv,
  storagePath,
  templateVariables,
  variantIndexFor,
  zonedLocalToDate,
} from "../src/domain";

describe("normalizePhone", () => {
  it.each([
    ["(11) 98765-4321", "+5511987654321"],
    ["+55 11 98765 4321", "+5511987654321"],
    ["5511987654321", "+5511987654321"],
    ["0055 11 98765-4321", "+5511987654321"],
    ["11 3456-7890", "+551134567890"],
    ["+1 (415) 555-2671", "+14155552671"],
  ])("%s → %s", (raw, e164) => {
    expect(normalizePhone(raw, "BR")).toEqual({ e164, jid: `${e164.slice(1)}@s.whatsapp.net` });
  });

  it.each(["", "   ", "abc", "123", "+55 11 1234", "999999999999999999"])("rejects %j", (raw) => {
    const result = normalizePhone(raw, "BR");
    expect("error" in result && result.error.length > 0).toBe(true);
  });

  it("rejects an unknown default country", () => {
    expect(normalizePhone("11987654321", "XX")).toEqual({ error: 'unknown country "XX"' });
  });

  it("phoneToJid strips the plus", () => {
    expect(phoneToJid("+5511987654321")).toBe("5511987654321@s.whatsapp.net");
  });
});

describe("renderTemplate", () => {
  const contact = {
    name: "Ana",
    phone: "+5511987654321",
    customFields: { Condomínio: "Solar das Flores", endereco: "Rua A, 10", cargo: "" },
  };

  it("renders name aliases, accented custom fields and defaults", () => {
    const result = renderTemplate(
      "Olá {nome} ({name}) do {condominio}, {endereco}. Cargo: {cargo|cliente}.",
      contactVariables(contact),
    );
    expect(result).toEqual({
      text: "Olá Ana (Ana) do Solar das Flores, Rua A, 10. Cargo: cliente.",
      missing: [],
    });
  });

  it("reports missing variables once and renders them empty", () => {
    expect(renderTemplate("{bloco} {nome} {bloco}", { nome: "Ana" })).toEqual({
      text: " Ana ",
      missing: ["bloco"],
    });
  });

  it("leaves text that is not a variable untouched", () => {
    expect(renderTemplate("{ } {a b} 100% {}", {}).text).toBe("{ } {a b} 100% {}");
  });

  it("lists variables", () => {
    expect(templateVariables("{nome} {cargo|x}")).toEqual([
      { name: "nome", hasDefault: false },
      { name: "cargo", hasDefault: true },
    ]);
  });

  it("rotates variants round-robin", () => {
    expect([0, 1, 2, 3, 4].map((i) => variantIndexFor(i, 3))).toEqual([0, 1, 2, 0, 1]);
    expect(() => variantIndexFor(0, 0)).toThrow(RangeError);
  });
});

describe("quiet hours", () => {
  const zone = "America/Sao_Paulo"; // UTC-3, no DST since 2019
  const quiet = { start: "22:00", end: "08:00" };

  it("detects a window crossing midnight in the zone", () => {
    expect(isQuietTime(new Date("2026-11-23T01:30:00Z"), zone, quiet)).toBe(true); // 22:30 local
    expect(isQuietTime(new Date("2026-11-23T10:59:00Z"), zone, quiet)).toBe(true); // 07:59
    expect(isQuietTime(new Date("2026-11-23T11:00:00Z"), zone, quiet)).toBe(false); // 08:00
    expect(isQuietTime(new Date("2026-11-23T00:59:00Z"), zone, quiet)).toBe(false); // 21:59
  });

  it("moves to the end of the window, and chains windows", () => {
    expect(nextAllowedTime(new Date("2026-11-23T01:30:00Z"), zone, [quiet]).toISOString()).toBe(
      "2026-11-23T11:00:00.000Z",
    );
    const lunch = { start: "08:00", end: "09:00" };
    expect(nextAllowedTime(new Date("2026-11-23T01:30:00Z"), zone, [quiet, lunch]).toISOString()).toBe(
      "2026-11-23T12:00:00.000Z",
    );
    const noon = new Date("2026-11-23T15:00:00Z");
    expect(nextAllowedTime(noon, zone, [quiet, undefined])).toBe(noon);
  });

  it("reads wall-clock times in a zone", () => {
    expect(zonedLocalToDate("2026-11-23T09:30", zone)?.toISOString()).toBe("2026-11-23T12:30:00.000Z");
  });
});

describe("csv sniffing", () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it("detects BOM, UTF-8 and semicolons", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc("Nome;Telefone;Condomínio\n")]);
    expect(sniffCsv(bytes)).toEqual({ encoding: "utf8", bomLength: 3, delimiter: ";" });
  });

  it("detects Latin-1", () => {
    const latin1 = Buffer.from("Nome,Endereço\nJoão,Rua\n", "latin1");
    expect(sniffCsv(latin1)).toEqual({ encoding: "latin1", bomLength: 0, delimiter: "," });
  });

  it("tolerates a UTF-8 sequence cut at the end of a sample", () => {
    const bytes = enc("a,b\nJoão");
    expect(sniffCsv(bytes.subarray(0, bytes.length - 2), true).encoding).toBe("utf8");
  });

  it("ignores delimiters inside quotes", () => {
    expect(detectDelimiter('"a;b;c",d,e')).toBe(",");
  });

  it("keeps storage keys inside the storage dir", () => {
    expect(storagePath("imports/a.csv", { STORAGE_DIR: "/tmp/s" })).toBe("/tmp/s/imports/a.csv");
    expect(() => storagePath("../etc/passwd", { STORAGE_DIR: "/tmp/s" })).toThrow();
  });
});

describe("storage dir", () => {
  it("defaults to <repo>/.data/storage wherever the process starts", async () => {
    const { storageDir } = await import("../src/domain");
    const expected = new URL("../../../.data/storage", import.meta.url).pathname.replace(/\/$/, "");
    expect(storageDir({})).toBe(expected);
  });
});
