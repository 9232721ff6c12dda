/** The system tools' calendar-day input. */
import { z } from 'zod';
import { isCalendarDay } from '../shared/dates.js';

/** A calendar day input, YYYY-MM-DD. */
export function calendarDay(description: string) {
  return z
    .string()
    .max(10)
    .refine(isCalendarDay, 'a calendar day written YYYY-MM-DD')
    .describe(`${description} (YYYY-MM-DD).`);
}
