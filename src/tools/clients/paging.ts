/**
 * One page of a WHMCS list with a filter we must not take on trust. WHMCS's own paging is used when
 * the page it returns obeys the filter; when a row shows WHMCS ignored the filter (or the paging),
 * the list is scanned from the start and filtered here, and a total we could not count to the end
 * is reported as an estimate.
 */
import { envelope, pageOf, type ListPage } from '../schemas.js';

type Row = Record<string, unknown>;

export interface FetchedRows {
  rows: Row[];
  /** WHMCS's `totalresults`, when it sent one. */
  total: number | undefined;
}

export interface FilteredPageOptions<T> {
  /** One WHMCS call: rows from `start`, at most `count` of them (limitstart/limitnum). */
  fetch(start: number, count: number): Promise<FetchedRows>;
  /** The filter the caller asked for, checked again on every row. */
  matches(row: Row): boolean;
  project(row: Row): T;
  offset: number;
  limit: number;
  /** Rows a scan reads at most before it settles for an estimate. */
  maxScanRows?: number;
}

export const SCAN_PAGE_SIZE = 100;
export const DEFAULT_MAX_SCAN_ROWS = 2_000;

export async function filteredPage<T>(options: FilteredPageOptions<T>): Promise<ListPage<T>> {
  const { offset, limit } = options;
  const first = await options.fetch(offset, limit);
  if (first.rows.length <= limit && first.rows.every((row) => options.matches(row))) {
    const items = first.rows.map((row) => options.project(row));
    if (first.total !== undefined)
      return envelope(items, Math.max(first.total, offset + items.length), offset, limit);
    // No count from WHMCS: a full page may have more behind it.
    const page = envelope(items, offset + items.length, offset, limit);
    return items.length === limit ? { ...page, ...moreAfter(page), total_is_estimate: true } : page;
  }
  // WHMCS sent every row at once (it ignored limitnum): that is the whole list from the start.
  if (first.rows.length > limit && (first.total === undefined || first.rows.length >= first.total)) {
    return pageOf(first.rows.filter(options.matches).map(options.project), offset, limit);
  }
  return scan(options);
}

function moreAfter<T>(page: ListPage<T>): Pick<ListPage<T>, 'has_more' | 'next_offset'> {
  return { has_more: true, next_offset: page.offset + page.items.length };
}

async function scan<T>(options: FilteredPageOptions<T>): Promise<ListPage<T>> {
  const maxRows = options.maxScanRows ?? DEFAULT_MAX_SCAN_ROWS;
  const matching: Row[] = [];
  let start = 0;
  let exhausted = false;
  while (start < maxRows) {
    const { rows, total } = await options.fetch(start, SCAN_PAGE_SIZE);
    if (rows.length > SCAN_PAGE_SIZE) {
      // Paging ignored: this reply is the whole list, whatever `start` said.
      matching.length = 0;
      matching.push(...rows.filter((row) => options.matches(row)));
      exhausted = true;
      break;
    }
    for (const row of rows) if (options.matches(row)) matching.push(row);
    start += rows.length;
    if (rows.length < SCAN_PAGE_SIZE || (total !== undefined && start >= total)) {
      exhausted = true;
      break;
    }
  }
  const projected = matching.map((row) => options.project(row));
  if (exhausted) return pageOf(projected, options.offset, options.limit);
  const page = pageOf(projected, options.offset, options.limit);
  // Unscanned rows may match too: the total is a lower bound, and a non-empty page may continue.
  return page.items.length > 0
    ? { ...page, ...moreAfter(page), total_is_estimate: true }
    : { ...page, total_is_estimate: true };
}
