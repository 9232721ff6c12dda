/**
 * Calendar days in WHMCS dates (`YYYY-MM-DD`, optionally with a time). Days are counted in UTC, so
 * "overdue" and "expires within N days" do not shift with the host's timezone.
 */
const MS_PER_DAY = 86_400_000;
const DAY_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Days since 1970-01-01 for a WHMCS date or date-time; undefined for null, zero or invalid dates. */
export function dayNumber(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const match = DAY_PREFIX.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March and reads years below 100 as 19xx: neither is the day.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return Math.floor(ms / MS_PER_DAY);
}

/** True for a real calendar day written YYYY-MM-DD (2025-02-30 is not one). */
export function isCalendarDay(text: string): boolean {
  return DAY_ONLY.test(text) && dayNumber(text) !== undefined;
}

export function dayFromNumber(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Today's date in UTC, YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const start = dayNumber(day);
  if (start === undefined) throw new RangeError(`not a date: ${day}`);
  return dayFromNumber(start + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier); undefined if either is unset. */
export function daysBetween(
  from: string | null | undefined,
  to: string | null | undefined,
): number | undefined {
  const start = dayNumber(from);
  const end = dayNumber(to);
  return start === undefined || end === undefined ? undefined : end - start;
}

/** The day part of a WHMCS date or date-time, or null. */
export function dayOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const day = value.slice(0, 10);
  return DAY_ONLY.test(day) ? day : null;
}
