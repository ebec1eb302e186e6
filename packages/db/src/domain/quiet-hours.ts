// Quiet hours ("22:00"–"08:00") evaluated in a time zone; windows may cross midnight.
import { DateTime, IANAZone } from "luxon";

export interface QuietHours {
  start: string;
  end: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidHhmm(value: string): boolean {
  return HHMM.test(value);
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function minutesOf(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) throw new RangeError(`"${hhmm}" is not HH:MM`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Builds a QuietHours from nullable columns; undefined when not configured. */
export function quietHoursOf(
  start: string | null | undefined,
  end: string | null | undefined,
): QuietHours | undefined {
  if (!start || !end || start === end) return undefined;
  return { start, end };
}

export function isQuietTime(at: Date, zone: string, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const local = DateTime.fromJSDate(at, { zone });
  const minute = local.hour * 60 + local.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** `at` itself when outside every window, else the moment the window (or chained windows) ends. */
export function nextAllowedTime(at: Date, zone: string, windows: (QuietHours | undefined)[]): Date {
  let current = at;
  // Windows may overlap or chain; a handful of hops settles any realistic configuration.
  for (let hop = 0; hop < 8; hop++) {
    const blocking = windows.find((w) => isQuietTime(current, zone, w));
    if (!blocking) return current;
    const local = DateTime.fromJSDate(current, { zone });
    const end = minutesOf(blocking.end);
    let candidate = local.startOf("day").plus({ minutes: end });
    if (candidate <= local) candidate = candidate.plus({ days: 1 });
    current = candidate.toJSDate();
  }
  return current;
}

/** A wall-clock time in a zone ("2026-11-23T09:30") → instant; null when invalid. */
export function zonedLocalToDate(local: string, zone: string): Date | null {
  const dt = DateTime.fromISO(local, { zone });
  return dt.isValid ? dt.toJSDate() : null;
}
