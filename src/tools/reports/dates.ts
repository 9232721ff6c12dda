/**
 * Calendar arithmetic on WHMCS dates (`YYYY-MM-DD`, optionally with a time). Reports count whole
 * days in UTC, so "days overdue" and "expires within N days" do not shift with the host's timezone.
 */
import { z } from 'zod';

const MS_PER_DAY = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** Days since 1970-01-01 for a WHMCS date or date-time; undefined for null, zero or invalid dates. */
export function dayNumber(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const match = DAY.exec(value);
  if (!match) return undefined;
  const [, year, month, day] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day));
  const date = new Date(ms);
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return undefined;
  return Math.floor(ms / MS_PER_DAY);
}

export function dayFromNumber(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Today's date in UTC. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const start = dayNumber(day);
  if (start === undefined) throw new RangeError(`not a date: ${day}`);
  return dayFromNumber(start + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier); undefined if either is unset. */
export function daysBetween(from: string | null, to: string | null): number | undefined {
  const start = dayNumber(from);
  const end = dayNumber(to);
  return start === undefined || end === undefined ? undefined : end - start;
}

/** A calendar date input (YYYY-MM-DD) that exists. */
export function isoDay(description: string) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .refine((value) => dayNumber(value) !== undefined, 'a date that exists')
    .describe(description);
}
