/**
 * Small pieces the system tools share: calendar-day inputs and the reading of WHMCS's
 * `limitstart`/`limitnum` pages for actions whose paging is page-based rather than offset-based.
 */
import { z } from 'zod';
import { asList } from '../../whmcs/normalize.js';
import type { WhmcsReply } from '../define.js';
import type { ListPage } from '../schemas.js';
import { countOf } from '../shared/fields.js';

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

export interface WhmcsPage {
  rows: Record<string, unknown>[];
  total: number;
}

export type PageReader = (limitstart: number, limitnum: number) => Promise<WhmcsPage>;

/** Reads one page reply: its list rows and `totalresults`. */
export function pageFrom(reply: WhmcsReply, listKey: string): WhmcsPage {
  const rows = asList(reply[listKey]).filter(
    (row): row is Record<string, unknown> => typeof row === 'object' && row !== null,
  );
  return { rows, total: countOf(reply.totalresults) ?? rows.length };
}

/**
 * Reads rows [offset, offset + limit) from an action that treats `limitstart` as a page number
 * times `limitnum` (GetActivityLog computes floor(limitstart / limitnum)): an offset that is not
 * a multiple of the limit is served from the two pages around it.
 */
export async function readWindow(read: PageReader, offset: number, limit: number): Promise<WhmcsPage> {
  const firstPage = Math.floor(offset / limit);
  const first = await read(firstPage * limit, limit);
  const skip = offset - firstPage * limit;
  let rows = first.rows.slice(skip);
  let total = first.total;
  if (skip > 0 && first.rows.length === limit && offset + rows.length < first.total) {
    const second = await read((firstPage + 1) * limit, limit);
    rows = rows.concat(second.rows);
    total = second.total;
  }
  return { rows: rows.slice(0, limit), total };
}

/**
 * The envelope for a WHMCS page from which rows outside a filter WHMCS should have applied were
 * dropped: WHMCS's count is then a guess, and the next page starts after every row WHMCS sent.
 */
export function filteredPage<T>(items: T[], page: WhmcsPage, offset: number, limit: number): ListPage<T> {
  const next = offset + page.rows.length;
  const hasMore = next < page.total;
  return {
    items,
    total: Math.max(page.total - (page.rows.length - items.length), offset + items.length),
    count: items.length,
    offset,
    limit,
    has_more: hasMore,
    next_offset: hasMore ? next : null,
    total_is_estimate: true,
  };
}
