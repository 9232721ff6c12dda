/**
 * Reads a WHMCS list action page by page, up to a hard cap on records, so a report over a large
 * installation does bounded work and says when it stopped early instead of pretending to be whole.
 */
import type { WhmcsParams } from '../../whmcs/encode.js';
import { asList, toInt } from '../../whmcs/normalize.js';
import type { ToolContext } from '../define.js';

export type Row = Record<string, unknown>;

/** Records a cross-client report reads at most. */
export const REPORT_SCAN_CAP = 10_000;
/** Records a per-client section reads at most (a client with more is rare and flagged). */
export const CLIENT_SECTION_CAP = 500;

const PAGE_SIZE = 250;

export interface ScanResult {
  rows: Row[];
  /** What WHMCS says matches (totalresults), or the rows read when it does not say. */
  total: number;
  /** True when the cap stopped the scan before every matching record was read. */
  capped: boolean;
}

/**
 * Pages through `action` with limitstart/limitnum. The first page tells the total and the page size
 * WHMCS really honours (some actions ignore limitnum); the remaining pages are requested at once and
 * the shared limiter spaces them out.
 */
export async function scanList(
  ctx: ToolContext,
  action: string,
  params: WhmcsParams,
  listKey: string,
  cap: number,
): Promise<ScanResult> {
  const pageSize = Math.min(PAGE_SIZE, cap);
  const first = await ctx.whmcs.call(action, { ...params, limitstart: 0, limitnum: pageSize });
  const firstRows = asList(first[listKey]) as Row[];
  const reported = toInt(first.totalresults);
  const total = reported ?? firstRows.length;
  const wanted = Math.min(total, cap);
  const step = firstRows.length;
  const offsets: number[] = [];
  if (step > 0) for (let offset = step; offset < wanted; offset += step) offsets.push(offset);
  const pages = await Promise.all(
    offsets.map(async (offset) => {
      const reply = await ctx.whmcs.call(action, { ...params, limitstart: offset, limitnum: pageSize });
      return asList(reply[listKey]) as Row[];
    }),
  );
  // A record inserted while paging shifts later pages by one; keep the first copy of each id.
  const seen = new Set<number>();
  const rows: Row[] = [];
  for (const row of [firstRows, ...pages].flat()) {
    const id = toInt(row.id);
    if (id !== undefined) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    if (rows.length === cap) break;
    rows.push(row);
  }
  return { rows, total: Math.max(total, rows.length), capped: total > cap };
}
