/**
 * Reading single fields out of NORMALIZED WHMCS rows (src/whmcs/normalize.ts has already made lists
 * arrays, ids numbers and amounts exact), the same way in every projection: blank strings and
 * WHMCS's "none" values (0 ids, blank amounts) become null rather than "" or 0.
 */
import { asList, toInt, toMoney } from '../../whmcs/normalize.js';

export type Row = Record<string, unknown>;

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The client record of a GetClientsDetails reply (under `client`, or the legacy flat form). */
export function clientRecord(reply: Row): Row {
  return isRow(reply.client) ? reply.client : reply;
}

/** The records of a list in any of WHMCS's list forms; anything that is not a record is dropped. */
export function rowsOf(value: unknown): Row[] {
  return asList(value).filter(isRow);
}

/** Trimmed text, or null when absent or blank. Numbers become their decimal text. */
export function text(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Text exactly as WHMCS sent it, numbers as their decimal text, '' when there is none. */
export function plainText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** An exact two-place amount, or null when absent, blank or not a number. */
export function amount(value: unknown): string | null {
  return toMoney(value) ?? null;
}

/** A positive id, or null for WHMCS's "none" (0, "", absent). */
export function optionalId(value: unknown): number | null {
  const id = toInt(value);
  return id !== undefined && id > 0 ? id : null;
}

/** An integer (a usage figure, a limit), or null when absent. */
export function optionalInt(value: unknown): number | null {
  return toInt(value) ?? null;
}

/** A count WHMCS sent (number or digit string), or null when it sent none or a negative one. */
export function countOf(value: unknown): number | null {
  const count = toInt(value);
  return count !== undefined && count >= 0 ? count : null;
}
