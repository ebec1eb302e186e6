// What a CSV export looks like before it is parsed: encoding (UTF-8 with/without BOM or Latin-1)
// and delimiter (comma or semicolon — Brazilian Excel exports use ";").

export type CsvEncoding = "utf8" | "latin1";
export type CsvDelimiter = "," | ";";

export interface CsvSniff {
  encoding: CsvEncoding;
  /** Bytes to skip at the start (UTF-8 BOM). */
  bomLength: number;
  delimiter: CsvDelimiter;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function hasUtf8Bom(sample: Uint8Array): boolean {
  return UTF8_BOM.every((byte, i) => sample[i] === byte);
}

/** True when the bytes are valid UTF-8; a multi-byte sequence cut at the sample's end is allowed. */
export function isValidUtf8(sample: Uint8Array, truncated = false): boolean {
  let bytes = sample;
  if (truncated) {
    // Drop an incomplete trailing sequence (at most 3 bytes) before validating.
    let cut = bytes.length;
    for (let back = 1; back <= 3 && back <= bytes.length; back++) {
      const byte = bytes[bytes.length - back]!;
      if ((byte & 0xc0) === 0xc0) {
        const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
        if (need > back) cut = bytes.length - back;
        break;
      }
      if ((byte & 0x80) === 0) break;
    }
    bytes = bytes.subarray(0, cut);
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Counts delimiter candidates outside quotes in the header line. */
export function detectDelimiter(firstLine: string): CsvDelimiter {
  let inQuotes = false;
  let commas = 0;
  let semicolons = 0;
  for (const ch of firstLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === ",") commas++;
    else if (!inQuotes && ch === ";") semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

/**
 * Inspects the first bytes of a file. `truncated` = the sample is only the head of the file.
 * A file that is not valid UTF-8 is read as Latin-1 (Windows exports without BOM).
 */
export function sniffCsv(sample: Uint8Array, truncated = false): CsvSniff {
  const bom = hasUtf8Bom(sample);
  const body = bom ? sample.subarray(3) : sample;
  const encoding: CsvEncoding = bom || isValidUtf8(body, truncated) ? "utf8" : "latin1";
  const text = decodeCsvBytes(body, encoding);
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  return { encoding, bomLength: bom ? 3 : 0, delimiter: detectDelimiter(firstLine) };
}

export function decodeCsvBytes(bytes: Uint8Array, encoding: CsvEncoding): string {
  return new TextDecoder(encoding === "utf8" ? "utf-8" : "latin1").decode(bytes);
}
