/**
 * The list contract over WHMCS list actions. WHMCS applies some filters itself and ignores others
 * (no date filters on GetInvoices, no paging on GetTransactions or GetProducts, filters an older
 * version may not know), so every row is checked here again before it is counted or returned.
 * When WHMCS applied every filter and each row of its page passes the check, its own count is used;
 * otherwise the rows are scanned and counted here, and a scan that stops early says its total is a
 * lower bound (`total_is_estimate`).
 */
import { WhmcsMcpError } from '../../errors.js';
import type { WhmcsParams } from '../../whmcs/encode.js';
import { asList, toInt } from '../../whmcs/normalize.js';
import type { ToolContext } from '../define.js';
import { envelope, pageOf, type ListPage } from '../schemas.js';

export type Row = Record<string, unknown>;

/** Rows asked of WHMCS per call while scanning. */
export const SCAN_BATCH = 100;
/** Rows read for an exact total; past this the scan stops once the page and one more match are found. */
export const SCAN_EXACT_BUDGET = 5_000;
/** Rows one tool call reads at most. */
export const SCAN_HARD_LIMIT = 20_000;

export interface ListQuery {
  action: string;
  /** Filters and ordering WHMCS applies itself (status, userid, orderby, order, ...). */
  params: WhmcsParams;
  /** The list's key in the normalized reply ("invoices", "orders"). */
  listKey: string;
  /** The check every returned row passes: all filters, and the owner in client mode. */
  keep: (row: Row) => boolean;
  /**
   * True when every filter in `keep` was also sent to WHMCS, so WHMCS's count is right as long as
   * the rows it sends pass `keep`. False when a filter exists only here (a date range).
   */
  serverAppliesAllFilters: boolean;
  /** Whether the action pages with limitstart/limitnum; without it one call returns every row. */
  paged: boolean;
  offset: number;
  limit: number;
  /** Plural noun for messages ("invoices"). */
  noun: string;
  /** What a caller can do when the scan limit is reached ("add a status filter"). */
  narrowHint: string;
  /** Row identity, to notice a WHMCS that ignores limitstart and sends the same rows again. */
  idOf?: (row: Row) => unknown;
  exactBudget?: number;
  hardLimit?: number;
  batch?: number;
}

/** What listing needs from a tool call: the gateway and the logger. */
export type ListContext = Pick<ToolContext, 'whmcs' | 'logger'>;

async function fetchRows(ctx: ListContext, query: ListQuery, limitstart?: number, limitnum?: number) {
  const params: WhmcsParams =
    limitstart === undefined ? { ...query.params } : { ...query.params, limitstart, limitnum };
  const reply = await ctx.whmcs.call(query.action, params);
  const rows = (asList(reply[query.listKey]) as unknown[]).filter(
    (row): row is Row => typeof row === 'object' && row !== null && !Array.isArray(row),
  );
  return { rows, total: toInt(reply.totalresults) };
}

/** One page of matching rows, with a total that is exact unless `total_is_estimate` says otherwise. */
export async function listPage(ctx: ListContext, query: ListQuery): Promise<ListPage<Row>> {
  if (!query.paged) {
    const { rows } = await fetchRows(ctx, query);
    return pageOf(rows.filter(query.keep), query.offset, query.limit);
  }
  if (query.serverAppliesAllFilters) {
    const { rows, total } = await fetchRows(ctx, query, query.offset, query.limit);
    // WHMCS's count holds only if it honoured the page size and every filter on what it sent.
    const trusted = total !== undefined && rows.length <= query.limit && rows.every(query.keep);
    if (trusted && (rows.length > 0 || total === 0 || query.offset >= total)) {
      return envelope(rows, Math.max(total, query.offset + rows.length), query.offset, query.limit);
    }
    ctx.logger.debug({ action: query.action }, 'WHMCS did not apply every filter; scanning instead');
  }
  return scanPage(ctx, query);
}

/** Reads WHMCS page by page, keeping and counting the matching rows. */
export async function scanPage(ctx: ListContext, query: ListQuery): Promise<ListPage<Row>> {
  const batch = query.batch ?? SCAN_BATCH;
  const exactBudget = query.exactBudget ?? SCAN_EXACT_BUDGET;
  const hardLimit = query.hardLimit ?? SCAN_HARD_LIMIT;
  const wanted = query.offset + query.limit + 1;
  const seen = new Set<unknown>();
  const matched: Row[] = [];
  let start = 0;
  let complete = false;

  for (;;) {
    const { rows, total } = await fetchRows(ctx, query, start, batch);
    let fresh = 0;
    for (const row of rows) {
      const id = query.idOf?.(row);
      if (id !== undefined && id !== null) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      fresh += 1;
      if (query.keep(row)) matched.push(row);
    }
    start += rows.length;
    // An empty page, a page of rows already seen (limitstart ignored), an oversized page (limitnum
    // ignored: WHMCS sent everything), or the end of WHMCS's count all mean nothing more is coming.
    if (fresh === 0 || rows.length > batch || (total !== undefined ? start >= total : rows.length < batch)) {
      complete = true;
      break;
    }
    if (start >= exactBudget && matched.length >= wanted) break;
    if (start >= hardLimit) {
      if (matched.length > query.offset) break;
      throw new WhmcsMcpError(
        'invalid_input',
        `Listing ${query.noun} read ${start} rows from WHMCS without reaching offset ${query.offset}; ${query.narrowHint}.`,
        { details: { scanned: start, matched: matched.length } },
      );
    }
  }

  const items = matched.slice(query.offset, query.offset + query.limit);
  if (complete) return envelope(items, matched.length, query.offset, query.limit);
  // Stopped early: more rows exist upstream, so there may be more matches than counted.
  return {
    items,
    total: matched.length,
    count: items.length,
    offset: query.offset,
    limit: query.limit,
    has_more: true,
    next_offset: query.offset + items.length,
    total_is_estimate: true,
  };
}
