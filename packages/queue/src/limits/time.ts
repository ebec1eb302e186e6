// Wall-clock helpers in a company's time zone (Intl API, no extra dependency).
import { LRUCache } from "lru-cache";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Per zone: its formatter and its last answer (Intl formatting is costly and every send asks,
 *  mostly within the same second). */
interface ZoneClock {
  formatter: Intl.DateTimeFormat;
  last?: { second: number; day: string; msOfSecond: number };
}

const zones = new LRUCache<string, ZoneClock>({ max: 500 });

function zoneClock(timeZone: string): ZoneClock {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = {
      formatter: new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
    };
    zones.set(timeZone, zone);
  }
  return zone;
}

export interface LocalTime {
  /** YYYYMMDD of the local calendar day. */
  day: string;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

/** Local calendar day and time of day of `now` in `timeZone` (throws RangeError on an unknown zone). */
export function localTime(now: number, timeZone: string): LocalTime {
  const zone = zoneClock(timeZone);
  const second = Math.floor(now / 1000);
  const { last } = zone;
  if (last?.second === second) return { day: last.day, msOfDay: last.msOfSecond + (now % 1000) };
  const local = formatLocalTime(now, zone.formatter);
  zone.last = { second, day: local.day, msOfSecond: local.msOfDay - (now % 1000) };
  return local;
}

function formatLocalTime(now: number, formatter: Intl.DateTimeFormat): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(new Date(now))) parts[p.type] = p.value;
  const msOfDay =
    ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + (now % 1000);
  return { day: `${parts.year}${parts.month}${parts.day}`, msOfDay };
}

/** Milliseconds until the next local midnight (when daily windows reset). */
export function msUntilLocalMidnight(now: number, timeZone: string): number {
  return Math.max(1, DAY_MS - localTime(now, timeZone).msOfDay);
}

function parseHhmm(v: string): number {
  const [h, m] = v.split(":").map(Number);
  return ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
}

/**
 * Milliseconds until quiet hours end, or 0 outside them. [start, end) in local time; a start after
 * the end spans midnight (22:00–07:00).
 */
export function quietHoursRemainingMs(
  start: string | null,
  end: string | null,
  now: number,
  timeZone: string,
): number {
  if (!start || !end || start === end) return 0;
  const s = parseHhmm(start);
  const e = parseHhmm(end);
  const t = localTime(now, timeZone).msOfDay;
  if (s < e) return t >= s && t < e ? e - t : 0;
  if (t >= s) return DAY_MS - t + e;
  if (t < e) return e - t;
  return 0;
}
