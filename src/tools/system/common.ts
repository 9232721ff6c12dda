/** Small pieces the system tools share: calendar-day inputs and day arithmetic. */
import { z } from 'zod';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written YYYY-MM-DD (no 2025-02-30). */
export function isCalendarDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar day input, YYYY-MM-DD. */
export function calendarDay(description: string) {
  return z
    .string()
    .max(10)
    .refine(isCalendarDay, 'a calendar day written YYYY-MM-DD')
    .describe(`${description} (YYYY-MM-DD).`);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The day part of a WHMCS date or date-time, or null. */
export function dayOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const day = value.slice(0, 10);
  return DAY.test(day) ? day : null;
}
