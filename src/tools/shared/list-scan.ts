/**
 * The list contract over WHMCS list actions, for every list tool and report.
 *
 * WHMCS applies some filters itself and ignores others (no status filter on GetClientsProducts, no
 * date filters on GetInvoices, filters an older version does not know), and some installations
 * ignore limitstart or limitnum. So every row is checked here again before it is counted or
 * returned. `listPage` uses WHMCS's own page and count only when that page proves them (every row
 * passes the filters, no more rows than asked, none past WHMCS's count); otherwise it scans from
 * the start and counts itself, and a scan that stops early says its total is a lower bound
 * (`total_is_estimate`). `scanList` reads a whole list, up to a cap, for the reports.
 */
import { WhmcsMcpError } from '../../errors.js';
import type { WhmcsParams } from '../../whmcs/encode.js';
import { toInt } from '../../whmcs/normalize.js';
import type { ToolContext, WhmcsReply } from '../define.js';
import { envelope, pageOf, type ListPage } from '../schemas.js';
import { countOf, rowsOf, type Row } from './fields.js';

export type { Row } from './fields.js';

/** Rows asked of WHMCS per call while scanning. */
export const SCAN_BATCH = 100;
/** Rows read for an exact total; past this a scan stops once the page and one more match are found. */
export const SCAN_EXACT_BUDGET = 5_000;
/** Rows one tool call reads at most. */
export const SCAN_HARD_LIMIT = 20_000;

/** One WHMCS reply of a list: its rows and the count WHMCS gives for the whole query. */
export interface WhmcsPage<T = Row> {
  rows: T[];
  /** WHMCS's `totalresults`, when it sent one. */
  total: number | undefined;
}

/** Reads rows [limitstart, limitstart + limitnum) of one filtered WHMCS list. */
export type PageReader<T = Row> = (limitstart: number, limitnum: number) => Promise<WhmcsPage<T>>;

/** The rows under `listKey` and `totalresults` of a normalized list reply. */
export function pageFromReply(reply: WhmcsReply, listKey: string): WhmcsPage {
  return { rows: rowsOf(reply[listKey]), total: countOf(reply.totalresults) ?? undefined };
}

/** Pages of a WHMCS list action; `params` holds the filters and ordering WHMCS applies itself. */
export function actionPages(
  ctx: Pick<ToolContext, 'whmcs'>,
  action: string,
  params: WhmcsParams,
  listKey: string,
): PageReader {
  return async (limitstart, limitnum) =>
    pageFromReply(await ctx.whmcs.call(action, { ...params, limitstart, limitnum }), listKey);
}

/**
 * An offset reader over an action that reads `limitstart` as a page number times `limitnum`
 * (GetActivityLog serves page floor(limitstart / limitnum)): an offset that is not a multiple of
 * the count is served from the two pages around it.
 */
export function pageNumberPages<T>(read: PageReader<T>): PageReader<T> {
  return async (offset, limit) => {
    const firstPage = Math.floor(offset / limit);
    const first = await read(firstPage * limit, limit);
    const skip = offset - firstPage * limit;
    let rows = first.rows.slice(skip);
    let total = first.total;
    if (skip > 0 && first.rows.length === limit && (total === undefined || offset + rows.length < total)) {
      const second = await read((firstPage + 1) * limit, limit);
      rows = rows.concat(second.rows);
      total = second.total ?? total;
    }
    return { rows: rows.slice(0, limit), total };
  };
}

export interface ListQuery<T extends object = Row> {
  read: PageReader<T>;
  /** The check every counted and returned row passes: every filter, and the owner where it applies. */
  keep: (row: T) => boolean;
  /**
   * True when every filter in `keep` was also sent to WHMCS, so its page and count may stand once
   * the page proves them. False when a filter exists only here (a status WHMCS cannot filter, a
   * date range): the list is scanned.
   */
  serverAppliesAllFilters: boolean;
  offset: number;
  limit: number;
  /** Plural noun for messages ("invoices"). */
  noun: string;
  /** What a caller can do when the scan limit is reached ("add a status filter"). */
  narrowHint: string;
  /** Row identity, so a row WHMCS sends twice counts once (default: the row's numeric `id`). */
  idOf?: (row: T) => unknown;
  /** Told when WHMCS's own page could not be used. */
  logger?: Pick<ToolContext['logger'], 'debug'>;
  batch?: number;
  exactBudget?: number;
  hardLimit?: number;
}

function defaultId(row: object): unknown {
  return toInt((row as Row).id);
}

/** The rows with every repeated id after the first dropped. */
function distinctRows<T extends object>(rows: T[], idOf: (row: T) => unknown): T[] {
  const seen = new Set<unknown>();
  return rows.filter((row) => {
    const id = idOf(row);
    if (id === undefined || id === null) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** One page of matching rows, with a total that is exact unless `total_is_estimate` says otherwise. */
export async function listPage<T extends object = Row>(query: ListQuery<T>): Promise<ListPage<T>> {
  const { offset, limit } = query;
  if (query.serverAppliesAllFilters) {
    const { rows, total } = await query.read(offset, limit);
    if (total !== undefined) {
      if (rows.length === 0 && total === 0) return envelope(rows, 0, offset, limit);
      // An empty page proves nothing about the filters; a page with more rows than asked, or rows
      // past WHMCS's count, shows WHMCS ignored limitnum or limitstart.
      const proven =
        rows.length > 0 && rows.length <= limit && offset + rows.length <= total && rows.every(query.keep);
      if (proven) return envelope(rows, total, offset, limit);
      // Past the end: the last rows WHMCS counts prove its filters and count as a page would.
      if (rows.length === 0 && offset >= total) {
        const last = await query.read(Math.max(0, total - limit), limit);
        const lastProven =
          last.total === total &&
          last.rows.length > 0 &&
          last.rows.length <= limit &&
          last.rows.every(query.keep);
        if (lastProven) return envelope(rows, total, offset, limit);
      }
      // Every row WHMCS counts in one reply: the paging was ignored and this is the whole list.
      const distinct = distinctRows(rows, query.idOf ?? defaultId);
      if (distinct.length > 0 && distinct.length >= total) {
        return pageOf(distinct.filter(query.keep), offset, limit);
      }
    }
    query.logger?.debug({ noun: query.noun }, "WHMCS's page did not prove its count; scanning instead");
  }
  return scanPage(query);
}

/** Reads the list from the start, page by page, keeping and counting the matching rows. */
async function scanPage<T extends object>(query: ListQuery<T>): Promise<ListPage<T>> {
  const { offset, limit } = query;
  const batch = query.batch ?? SCAN_BATCH;
  const exactBudget = query.exactBudget ?? SCAN_EXACT_BUDGET;
  const hardLimit = query.hardLimit ?? SCAN_HARD_LIMIT;
  const idOf = query.idOf ?? defaultId;
  const wanted = offset + limit + 1;
  const seen = new Set<unknown>();
  const matched: T[] = [];
  let start = 0;
  let distinct = 0;
  let outcome: 'complete' | 'stalled' | 'stopped';

  for (;;) {
    const { rows, total } = await query.read(start, batch);
    let fresh = 0;
    for (const row of rows) {
      const id = idOf(row);
      if (id !== undefined && id !== null) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      fresh += 1;
      if (query.keep(row)) matched.push(row);
    }
    start += rows.length;
    distinct += fresh;
    if (rows.length === 0) {
      outcome = 'complete';
      break;
    }
    // Only rows already seen: WHMCS ignores limitstart, and nothing more can be read. The count is
    // whole only if WHMCS's own count says every row has been seen.
    if (fresh === 0) {
      outcome = total !== undefined && distinct < total ? 'stalled' : 'complete';
      break;
    }
    // The end of WHMCS's count; without one, a page of a size other than asked (short, or every
    // row at once because limitnum was ignored) is the last.
    if (total !== undefined ? start >= total : rows.length !== batch) {
      outcome = 'complete';
      break;
    }
    if (start >= exactBudget && matched.length >= wanted) {
      outcome = 'stopped';
      break;
    }
    if (start >= hardLimit) {
      if (matched.length > offset) {
        outcome = 'stopped';
        break;
      }
      throw new WhmcsMcpError(
        'invalid_input',
        `Listing ${query.noun} read ${start} rows from WHMCS without reaching offset ${offset}; ${query.narrowHint}.`,
        { details: { scanned: start, matched: matched.length } },
      );
    }
  }

  const items = matched.slice(offset, offset + limit);
  if (outcome === 'complete') return envelope(items, matched.length, offset, limit);
  if (outcome === 'stalled')
    return { ...envelope(items, matched.length, offset, limit), total_is_estimate: true };
  // Stopped early: more rows exist upstream, so there may be more matches than counted.
  return {
    items,
    total: matched.length,
    count: items.length,
    offset,
    limit,
    has_more: true,
    next_offset: offset + items.length,
    total_is_estimate: true,
  };
}

export interface ScanResult {
  rows: Row[];
  /** What WHMCS says matches (totalresults), or the rows read when it does not say. */
  total: number;
  /**
   * True when the scan stopped before every matching record was read: the cap was reached, or
   * WHMCS answered a later page with rows already read (it ignores limitstart).
   */
  capped: boolean;
}

const SCAN_LIST_PAGE_SIZE = 250;

/**
 * Reads a whole WHMCS list, up to `cap` records, so a report over a large installation does bounded
 * work and says when it stopped early. The first page tells the total and the page size WHMCS
 * really honours (some actions ignore limitnum); the remaining pages are requested at once and the
 * shared rate limiter spaces them out. Rows come as WHMCS sent them: callers filter them again.
 */
export async function scanList(
  ctx: Pick<ToolContext, 'whmcs'>,
  action: string,
  params: WhmcsParams,
  listKey: string,
  cap: number,
): Promise<ScanResult> {
  const read = actionPages(ctx, action, params, listKey);
  const pageSize = Math.min(SCAN_LIST_PAGE_SIZE, cap);
  const first = await read(0, pageSize);
  const total = first.total ?? first.rows.length;
  const wanted = Math.min(total, cap);
  const step = first.rows.length;
  const offsets: number[] = [];
  if (step > 0) for (let offset = step; offset < wanted; offset += step) offsets.push(offset);
  const pages = await Promise.all(offsets.map(async (offset) => (await read(offset, pageSize)).rows));
  // A record inserted while paging shifts later pages by one; keep the first copy of each id.
  const seen = new Set<number>();
  const rows: Row[] = [];
  let stalled = false;
  for (const page of [first.rows, ...pages]) {
    let fresh = 0;
    for (const row of page) {
      const id = toInt(row.id);
      if (id !== undefined) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      fresh += 1;
      if (rows.length < cap) rows.push(row);
    }
    if (page.length > 0 && fresh === 0) stalled = true;
  }
  return { rows, total: Math.max(total, rows.length), capped: total > cap || stalled };
}
