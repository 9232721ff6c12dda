/**
 * What every action handler shares: the handler types bound to SandboxState, readers for decoded
 * form parameters (every leaf is a string, as PHP sees it), paging, money and date rendering, and
 * the activity log.
 */
import type { SandboxContext, SandboxHandler } from '../context.js';
import { SandboxApiError } from '../types.js';
import type { SandboxParamValue, SandboxParams } from '../types.js';
import { formatCents, isExactMoneyInput, parseCents } from '../../money.js';
import type { Cents } from '../../money.js';
import { formatDateTime, formatDay, parseWhmcsDate } from '../state.js';
import type { Admin, Currency, DateTime, Day, SandboxState } from '../state.js';

export type ActionContext = SandboxContext<SandboxState>;
export type ActionHandler = SandboxHandler<SandboxState>;

/** JSON-like reply values, so handlers build exactly what the encoder will write. */
export type ReplyValue = string | number | boolean | null | ReplyValue[] | { [key: string]: ReplyValue };
export type Reply = { [key: string]: ReplyValue };

/** Throws the `{"result":"error","message":...}` reply WHMCS gives for a business error. */
export function fail(message: string): never {
  throw new SandboxApiError(message);
}

// --- parameters ---------------------------------------------------------------------------------

/** A scalar parameter as sent, or undefined when absent or not a scalar. */
export function textParam(params: SandboxParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/** A scalar parameter trimmed, or undefined when absent or blank. */
export function filledParam(params: SandboxParams, name: string): string | undefined {
  const value = textParam(params, name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** An integer parameter the way PHP's (int) cast reads it: leading digits, else 0; absent or blank is undefined. */
export function intParam(params: SandboxParams, name: string): number | undefined {
  const value = filledParam(params, name);
  if (value === undefined) return undefined;
  return toInt(value);
}

export function toInt(value: string): number {
  const match = /^\s*[+-]?\d+/.exec(value);
  return match ? Number(match[0]) : 0;
}

/**
 * A boolean flag. WHMCS reads most flags with PHP truthiness; the sandbox also treats the words
 * "false", "no" and "off" as false, since callers send them and mean it.
 */
export function flagParam(params: SandboxParams, name: string): boolean | undefined {
  const value = textParam(params, name);
  if (value === undefined) return undefined;
  return toFlag(value);
}

export function toFlag(value: string): boolean {
  const normalized = value.trim().toLowerCase();
  return !(
    normalized === '' ||
    normalized === '0' ||
    normalized === 'false' ||
    normalized === 'no' ||
    normalized === 'off'
  );
}

/** The leaves of an array parameter (`pid[]=1&pid[]=2` or `pid[0]=1`), in key order; a scalar is a one-item list. */
export function listParam(params: SandboxParams, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  return [...entriesOf(value).values()].map((leaf) => (typeof leaf === 'string' ? leaf : ''));
}

/** An array parameter as key -> value (`itemamount[12]=5.00`), scalars only. */
export function mapParam(params: SandboxParams, name: string): Map<string, string> {
  const value = params[name];
  const out = new Map<string, string>();
  if (value === undefined || typeof value === 'string') return out;
  for (const [key, leaf] of entriesOf(value)) if (typeof leaf === 'string') out.set(key, leaf);
  return out;
}

function entriesOf(
  value: SandboxParamValue[] | { [key: string]: SandboxParamValue },
): Map<string, SandboxParamValue> {
  const out = new Map<string, SandboxParamValue>();
  if (Array.isArray(value)) {
    value.forEach((leaf, index) => out.set(String(index), leaf));
    return out;
  }
  const keys = Object.keys(value);
  const numeric = keys.every((key) => /^\d+$/.test(key));
  if (numeric) keys.sort((a, b) => Number(a) - Number(b));
  for (const key of keys) {
    const leaf = value[key];
    if (leaf !== undefined) out.set(key, leaf);
  }
  return out;
}

/** A money parameter: undefined when absent, 'invalid' when not a decimal with at most two places. */
export function moneyParam(params: SandboxParams, name: string): Cents | undefined | 'invalid' {
  const value = filledParam(params, name);
  if (value === undefined) return undefined;
  return toMoney(value);
}

export function toMoney(value: string): Cents | 'invalid' {
  if (!isExactMoneyInput(value)) return 'invalid';
  return parseCents(value) ?? 'invalid';
}

/** A date parameter as `YYYY-MM-DD` (or the localised `DD/MM/YYYY`); 'invalid' when unreadable. */
export function dayParam(params: SandboxParams, name: string): Day | undefined | 'invalid' {
  const value = filledParam(params, name);
  if (value === undefined) return undefined;
  return toDay(value);
}

export function toDay(value: string): Day | 'invalid' {
  const localised = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value.trim());
  const text = localised ? `${localised[3]}-${localised[2]}-${localised[1]}` : value.trim();
  const date = parseWhmcsDate(text);
  return date ? formatDay(date) : 'invalid';
}

/** A date-time parameter (`YYYY-MM-DD HH:MM:SS`, ISO 8601, or a bare date); 'invalid' when unreadable. */
export function toDateTime(value: string): DateTime | 'invalid' {
  const text = value.trim();
  const iso = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : '');
  if (!Number.isNaN(iso)) return formatDateTime(new Date(iso));
  const date = parseWhmcsDate(text);
  if (date) return formatDateTime(date);
  const day = toDay(text);
  return day === 'invalid' ? 'invalid' : `${day} 00:00:00`;
}

// --- paging -------------------------------------------------------------------------------------

export interface Paging {
  start: number;
  limit: number;
}

/** WHMCS paging: `limitstart` offset (default 0), `limitnum` page size (default 25). */
export function pagingOf(params: SandboxParams, defaultLimit = 25): Paging {
  const start = Math.max(0, intParam(params, 'limitstart') ?? 0);
  const limitnum = intParam(params, 'limitnum') ?? 0;
  return { start, limit: limitnum > 0 ? limitnum : defaultLimit };
}

export function pageOf<T>(items: readonly T[], paging: Paging): T[] {
  return items.slice(paging.start, paging.start + paging.limit);
}

export type SortDirection = 'asc' | 'desc';

export function directionOf(value: string | undefined, fallback: SortDirection): SortDirection {
  const normalized = value?.trim().toLowerCase();
  return normalized === 'asc' || normalized === 'desc' ? normalized : fallback;
}

/** Sorts by a key with a stable id tie-break, in the given direction. */
export function sortBy<T extends { id: number }>(
  items: T[],
  key: (item: T) => string | number | bigint,
  direction: SortDirection,
): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  return items.sort((a, b) => {
    const left = key(a);
    const right = key(b);
    if (left < right) return -sign;
    if (left > right) return sign;
    return (a.id - b.id) * sign;
  });
}

// --- rendering ----------------------------------------------------------------------------------

export function money(cents: Cents): string {
  return formatCents(cents);
}

/** An amount with the currency's prefix and suffix ("$10.00 USD"), as WHMCS formats statistics. */
export function currencyAmount(currency: Currency, cents: Cents): string {
  return `${currency.prefix}${formatCents(cents)}${currency.suffix}`;
}

export function bit(value: boolean): string {
  return value ? '1' : '0';
}

/** An id list as WHMCS joins it in replies ("1,2"). */
export function idList(ids: readonly number[]): string {
  return ids.join(',');
}

// --- clock --------------------------------------------------------------------------------------

export function today(ctx: ActionContext): Day {
  return formatDay(ctx.now());
}

export function nowDateTime(ctx: ActionContext): DateTime {
  return formatDateTime(ctx.now());
}

// --- admins and the activity log ------------------------------------------------------------------

/** The admin the request authenticated as; the state's API admin when the name is unknown. */
export function currentAdmin(ctx: ActionContext): Admin {
  for (const admin of ctx.state.admins.values()) {
    if (admin.username.toLowerCase() === ctx.adminUsername.toLowerCase()) return admin;
  }
  return ctx.state.apiAdmin();
}

export function adminDisplayName(admin: Admin): string {
  return `${admin.firstname} ${admin.lastname}`.trim();
}

/** Writes an activity log entry the way WHMCS does for admin-area and API actions. */
export function logActivity(ctx: ActionContext, description: string, clientId = 0): void {
  const admin = currentAdmin(ctx);
  ctx.state.insertActivity({
    date: nowDateTime(ctx),
    description,
    username: admin.username,
    clientId,
    userId: 0,
    adminId: admin.id,
    ipAddress: ctx.clientIp,
  });
}

/** A loose email check, the same strength as WHMCS's own validation. */
export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/**
 * Reads the base64 of a PHP-serialized flat array (`base64_encode(serialize([1 => 'x']))`), the
 * form WHMCS wants for `customfields`. Returns undefined when the text is not such an array.
 */
export function decodeSerializedArray(base64: string): Map<string, string> | undefined {
  const bytes = Buffer.from(base64.trim(), 'base64');
  let at = 0;
  const expect = (text: string): boolean => {
    if (bytes.toString('latin1', at, at + text.length) !== text) return false;
    at += text.length;
    return true;
  };
  const readUntil = (stop: string): string | undefined => {
    const end = bytes.indexOf(stop, at, 'latin1');
    if (end < 0) return undefined;
    const text = bytes.toString('latin1', at, end);
    at = end + 1;
    return text;
  };
  const readScalar = (): string | undefined => {
    const kind = bytes.toString('latin1', at, at + 2);
    at += 2;
    if (kind === 's:') {
      const length = Number(readUntil(':'));
      if (!Number.isInteger(length) || !expect('"')) return undefined;
      const text = bytes.toString('utf8', at, at + length);
      at += length;
      return expect('";') ? text : undefined;
    }
    if (kind === 'i:' || kind === 'd:' || kind === 'b:') return readUntil(';');
    if (kind === 'N;') return '';
    return undefined;
  };
  if (!expect('a:')) return undefined;
  const count = Number(readUntil(':'));
  if (!Number.isInteger(count) || !expect('{')) return undefined;
  const out = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const key = readScalar();
    const value = readScalar();
    if (key === undefined || value === undefined) return undefined;
    out.set(key, value);
  }
  return expect('}') ? out : undefined;
}
