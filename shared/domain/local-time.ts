/**
 * Local time: a customer's wall clock from an instant and back (time-zone arithmetic with Intl only, DST-safe), and
 * the sending hours (business hours, quiet hours) the dunning ladder waits for. Pure: `now` is always a parameter.
 */
import { addDays } from './dates.ts';

export interface BusinessHours {
  /** Local hour the window opens (inclusive), 0–23. */
  startHour: number;
  /** Local hour the window closes (exclusive), 1–24. */
  endHour: number;
  /** Days of the week, 0 = Sunday … 6 = Saturday. */
  days: readonly number[];
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { startHour: 9, endHour: 17, days: [1, 2, 3, 4, 5] };

/** Local hours [startHour, endHour) with no sending; may wrap midnight (e.g. 20 → 8). */
export interface QuietHours {
  startHour: number;
  endHour: number;
}

interface LocalParts {
  date: string;
  hour: number;
  minute: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

function rawParts(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
}

/** Local calendar date, hour and minute of an instant in a time zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const p = rawParts(instant, timeZone);
  const pad = (n: number | undefined, w = 2) => String(n ?? 0).padStart(w, '0');
  return { date: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`, hour: p.hour ?? 0, minute: p.minute ?? 0 };
}

/** Offset of local wall-clock time from UTC at an instant, in milliseconds (Berlin in summer: +7,200,000). */
export function timeZoneOffsetMs(instant: Date, timeZone: string): number {
  const p = rawParts(instant, timeZone);
  const asUtc = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  const whole = instant.getTime() - (((instant.getTime() % 1000) + 1000) % 1000);
  return asUtc - whole;
}

/**
 * The instant at which the local clock shows `date` `hour`:00. A wall time skipped by a DST jump resolves to the
 * instant of the jump (the first instant after it); a repeated wall time resolves to its first occurrence.
 */
export function zonedInstant(date: string, hour: number, timeZone: string): Date {
  const guess = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hour);
  const candidates = new Set<number>();
  for (const probe of [guess - 86_400_000, guess, guess + 86_400_000]) {
    candidates.add(guess - timeZoneOffsetMs(new Date(probe), timeZone));
  }
  const matching = [...candidates]
    .filter((t) => {
      const lp = localParts(new Date(t), timeZone);
      return lp.date === date && lp.hour === hour;
    })
    .sort((a, b) => a - b);
  if (matching[0] !== undefined) return new Date(matching[0]);
  // Skipped wall time: the earliest candidate whose local time is after the wanted one is the jump instant.
  const after = [...candidates]
    .filter((t) => {
      const lp = localParts(new Date(t), timeZone);
      return lp.date > date || (lp.date === date && lp.hour > hour);
    })
    .sort((a, b) => a - b);
  const first = after[0];
  if (first === undefined) throw new RangeError(`cannot resolve ${date} ${hour}:00 in ${timeZone}`);
  // Walk back minute by minute to the transition (at most one hour).
  let t = first;
  while (t - 60_000 >= first - 3_600_000) {
    const lp = localParts(new Date(t - 60_000), timeZone);
    if (lp.date < date || (lp.date === date && lp.hour < hour)) break;
    t -= 60_000;
  }
  return new Date(t);
}

function weekday(date: string): number {
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))).getUTCDay();
}

function isQuiet(hour: number, quiet: QuietHours | undefined): boolean {
  if (!quiet || quiet.startHour === quiet.endHour) return false;
  return quiet.startHour < quiet.endHour
    ? hour >= quiet.startHour && hour < quiet.endHour
    : hour >= quiet.startHour || hour < quiet.endHour;
}

/** Quiet hours that would leave no business hour at all are ignored (a customer cannot switch collection off). */
export function leavesSendingTime(bh: BusinessHours, quiet: QuietHours | undefined): boolean {
  if (!quiet) return true;
  for (let h = bh.startHour; h < bh.endHour; h++) if (!isQuiet(h, quiet)) return true;
  return false;
}

function effectiveQuiet(bh: BusinessHours, quiet: QuietHours | undefined): QuietHours | undefined {
  return leavesSendingTime(bh, quiet) ? quiet : undefined;
}

function hourAllowed(date: string, hour: number, bh: BusinessHours, quietHours: QuietHours | undefined): boolean {
  const quiet = effectiveQuiet(bh, quietHours);
  return bh.days.includes(weekday(date)) && hour >= bh.startHour && hour < bh.endHour && !isQuiet(hour, quiet);
}

/** Whether `now` lies inside the customer's local business hours and outside their quiet hours. */
export function isSendingTime(now: Date, timeZone: string, bh: BusinessHours = DEFAULT_BUSINESS_HOURS, quiet?: QuietHours): boolean {
  const lp = localParts(now, timeZone);
  return hourAllowed(lp.date, lp.hour, bh, quiet);
}

/**
 * The first instant ≥ `from` whose local date is ≥ `earliestDate` and whose local hour is a sending hour. Searches
 * up to 3 weeks ahead; throws if the configuration allows no sending hour at all.
 */
export function nextSendingTime(
  from: Date,
  earliestDate: string,
  timeZone: string,
  bh: BusinessHours = DEFAULT_BUSINESS_HOURS,
  quietHours?: QuietHours,
): Date {
  const quiet = effectiveQuiet(bh, quietHours);
  const today = localParts(from, timeZone).date;
  const startDate = earliestDate > today ? earliestDate : today;
  for (let k = 0; k < 22; k++) {
    const date = addDays(startDate, k);
    if (!bh.days.includes(weekday(date))) continue;
    for (let h = bh.startHour; h < bh.endHour; h++) {
      if (isQuiet(h, quiet)) continue;
      const t = zonedInstant(date, h, timeZone);
      const lp = localParts(t, timeZone);
      if (lp.date !== date || lp.hour !== h) continue; // skipped by a DST jump: not a real local hour that day
      if (t.getTime() >= from.getTime()) return t;
      if (t.getTime() + 3_600_000 > from.getTime() && localParts(from, timeZone).hour === h) return from;
    }
  }
  throw new RangeError('business hours and quiet hours leave no time to send');
}
