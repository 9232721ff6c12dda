/**
 * Reading single fields out of normalized WHMCS rows, the same way in every projection: empty
 * strings and WHMCS's "none" values (0 ids, blank amounts) become null rather than "" or 0.
 */
import { toMoneyString } from '../../money.js';
import { toInt } from '../../whmcs/normalize.js';

export type Row = Record<string, unknown>;

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Trimmed text, or null when absent or blank. Numbers become their decimal text. */
export function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** An exact two-place amount, or null when absent or not a number. */
export function amount(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() === '') return null;
  return toMoneyString(value) ?? null;
}

/** A positive id, or null for WHMCS's "none" (0, "", absent). */
export function optionalId(value: unknown): number | null {
  const id = toInt(value);
  return id !== undefined && id > 0 ? id : null;
}

/** An integer count, or null when absent. */
export function optionalCount(value: unknown): number | null {
  return toInt(value) ?? null;
}
