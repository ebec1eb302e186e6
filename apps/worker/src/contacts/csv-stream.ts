// Streams a stored CSV as rows of strings: sniffed encoding (UTF-8 ± BOM, Latin-1) and delimiter,
// decoded with iconv-lite, parsed by papaparse in streaming mode. Memory stays bounded: rows are
// pulled one at a time with stream backpressure.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { type CsvSniff, sniffCsv } from "@zapflow/db/domain";
import iconv from "iconv-lite";
import Papa from "papaparse";

const SNIFF_BYTES = 64 * 1024;

export async function sniffFile(path: string): Promise<CsvSniff> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return sniffCsv(buffer.subarray(0, bytesRead), bytesRead === SNIFF_BYTES);
  } finally {
    await handle.close();
  }
}

/** Yields every record (header first) as an array of cell strings. */
export async function* readCsvRows(path: string, sniff: CsvSniff): AsyncGenerator<string[]> {
  const file = createReadStream(path, { start: sniff.bomLength, highWaterMark: 64 * 1024 });
  const decoded = file.pipe(iconv.decodeStream(sniff.encoding === "utf8" ? "utf8" : "latin1"));
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter: sniff.delimiter, skipEmptyLines: false });
  decoded.pipe(parser);
  const onError = (err: Error) => parser.destroy(err);
  file.on("error", onError);
  decoded.on("error", onError);
  try {
    for await (const row of parser as AsyncIterable<string[]>) yield row;
  } finally {
    file.destroy();
    parser.destroy();
  }
}

/** Counts data lines cheaply (for a progress estimate; quoted line breaks make it approximate). */
export async function estimateRows(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    last = chunk[chunk.length - 1] ?? last;
  }
  if (last !== 10) lines++;
  return Math.max(0, lines - 1);
}
