/**
 * Paging over WHMCS list actions (limitstart/limitnum) for the list contract. Where WHMCS applies
 * a filter itself, one WHMCS page is one tool page; where it ignores a filter (GetClientsProducts
 * has no status filter, GetClientsDomains no status or expiry filter), the rows are scanned and
 * filtered here, and the total is marked as an estimate when the scan stops before the end.
 */
import { WhmcsMcpError } from '../../errors.js';
import { envelope, type ListPage } from '../schemas.js';

export interface WhmcsPage<Row> {
  rows: Row[];
  /** WHMCS's totalresults for the query. */
  total: number;
}

export type PageFetcher<Row> = (limitstart: number, limitnum: number) => Promise<WhmcsPage<Row>>;

/** Rows per WHMCS call while scanning. */
export const SCAN_BATCH = 100;
/** Rows read before the scan settles for an estimated total once the page is filled. */
export const SCAN_EXACT_BUDGET = 2_000;
/** Rows one call may read at most. */
export const SCAN_HARD_LIMIT = 20_000;

/** One tool page straight from one WHMCS page, when WHMCS applies every filter itself. */
export async function passThroughPage<Row>(
  fetch: PageFetcher<Row>,
  offset: number,
  limit: number,
): Promise<ListPage<Row>> {
  const { rows, total } = await fetch(offset, limit);
  // Some actions return more than limitnum; never more than `limit` leaves.
  const items = rows.slice(0, limit);
  return envelope(items, Math.max(total, offset + items.length), offset, limit);
}

export interface ScanOptions<Row> {
  fetch: PageFetcher<Row>;
  matches: (row: Row) => boolean;
  offset: number;
  limit: number;
  /** Plural noun for messages ("services"). */
  noun: string;
  /** What the caller can do when a scan reaches its limit ("filter by product_id"). */
  narrowHint: string;
  batch?: number;
  exactBudget?: number;
  hardLimit?: number;
}

/**
 * Scans WHMCS pages, keeps the rows that match, and returns the requested page of matches. The
 * total is exact when the scan reaches the end; after `exactBudget` rows it stops as soon as the
 * page is full and at least one more match exists, and reports a lower bound with
 * `total_is_estimate: true` (so `has_more` is still true and the next page can be asked for).
 */
export async function scanFilteredPage<Row>(options: ScanOptions<Row>): Promise<ListPage<Row>> {
  const batch = options.batch ?? SCAN_BATCH;
  const exactBudget = options.exactBudget ?? SCAN_EXACT_BUDGET;
  const hardLimit = options.hardLimit ?? SCAN_HARD_LIMIT;
  const wanted = options.offset + options.limit + 1;
  const matched: Row[] = [];
  let scanned = 0;
  let complete = false;

  for (;;) {
    const { rows, total } = await options.fetch(scanned, batch);
    for (const row of rows) if (options.matches(row)) matched.push(row);
    scanned += rows.length;
    if (rows.length === 0 || scanned >= total) {
      complete = true;
      break;
    }
    if (scanned >= exactBudget && matched.length >= wanted) break;
    if (scanned >= hardLimit) {
      if (matched.length >= wanted) break;
      throw new WhmcsMcpError(
        'invalid_input',
        `Filtering ${options.noun} read ${scanned} rows without reaching offset ${options.offset}; ${options.narrowHint}.`,
        { details: { scanned, matched: matched.length } },
      );
    }
  }

  const page = envelope(
    matched.slice(options.offset, options.offset + options.limit),
    matched.length,
    options.offset,
    options.limit,
  );
  return complete ? page : { ...page, total_is_estimate: true };
}

/**
 * For filters WHMCS documents but may not apply on every version: ask WHMCS for the page with
 * the filter, and trust its total only when every row it sent matches; otherwise scan and filter.
 */
export async function verifiedFilteredPage<Row>(options: ScanOptions<Row>): Promise<ListPage<Row>> {
  const first = await options.fetch(options.offset, options.limit);
  // An empty page past the end proves nothing about the filter unless nothing matched at all.
  const verified = first.rows.length > 0 ? first.rows.every(options.matches) : first.total === 0;
  if (verified) {
    const items = first.rows.slice(0, options.limit);
    return envelope(
      items,
      Math.max(first.total, options.offset + items.length),
      options.offset,
      options.limit,
    );
  }
  return scanFilteredPage(options);
}
