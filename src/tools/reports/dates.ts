/** The reports' day input: a calendar date written YYYY-MM-DD that exists. */
import { z } from 'zod';
import { isCalendarDay } from '../shared/dates.js';

export function isoDay(description: string) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .refine(isCalendarDay, 'a date that exists')
    .describe(description);
}
