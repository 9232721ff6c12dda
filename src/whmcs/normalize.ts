/**
 * Turns every WHMCS success reply into typed, consistent data before the rest of the server sees it.
 *
 * Quirks absorbed (shapes per action come from generated/reply-shapes.ts, derived from the catalog):
 * - Wrapped lists `{"clients":{"client":[...]}}` collapse to `clients: [...]`, at any depth (48
 *   wrappers across the catalog, e.g. `products[].configoptions.configoption` in GetClientsProducts).
 * - A list documented as a plain array but sent wrapped (`{"customfield":[...]}`) is unwrapped too.
 * - An empty list sent as `""`, `{}`, `[]` in place of the wrapper, `null`, `false`, or not sent at
 *   all becomes `[]`; a single item sent as an object instead of a one-element array becomes a
 *   one-element array; a list PHP sent as an object with index keys (`{"0":..,"2":..}`) becomes an
 *   array in index order. This holds for documented plain arrays (`users: [...]`) as well.
 * - Replies written in WHMCS's flattened notation (`"domains[domain][0][id]":"1"`, as several
 *   official examples are) are read as the nested JSON they stand for.
 * - Ids and counts sent as strings (`"totalresults":"2"` beside `"numreturned":2`) become numbers;
 *   an empty id (`""`) becomes null. Digit strings that are not ids or counts (phone numbers,
 *   postcodes, invoice and order numbers, ticket masks) are never touched, so leading zeros survive.
 * - Money stays exact: amounts become decimal strings with two places ("15.95", "-1.00"), never
 *   binary floating point; a numeric amount is read from its shortest decimal form. Rates and
 *   percentages keep their precision ("1.00000"). Formatted amounts ("$5.95 USD") stay as text.
 * - Flags sent as `"1"`/`"0"`, `1`/`0`, `"true"`/`"false"`, `"on"`/`""` become booleans.
 * - `0000-00-00` and `0000-00-00 00:00:00` become null everywhere, in any action; an empty date is
 *   null too. Valid dates stay `YYYY-MM-DD[ HH:MM:SS]` strings.
 * - An empty object sent as `[]` (PHP's empty array) becomes `{}` where the shape expects an object.
 * - A whole reply sent as `[]` is read as an empty reply.
 * Anything the shapes do not classify is kept exactly as sent; a field of an unexpected type is kept
 * as is rather than failing the call. Normalizing a normalized reply changes nothing.
 */
import { toMoneyString } from '../money.js';
import { REPLY_SHAPES } from './generated/reply-shapes.js';

/** How one field is normalized. */
export type ReplyFieldKind = 'int' | 'money' | 'decimal' | 'bool' | 'date';

/** The normalized shape of a reply, or of a record inside one (a list item, a nested object). */
export interface ReplyShape {
  readonly fields?: Readonly<Record<string, ReplyFieldKind>>;
  readonly lists?: Readonly<Record<string, ReplyListShape>>;
  readonly objects?: Readonly<Record<string, ReplyShape>>;
  /** Objects keyed by data (currency codes, TLDs, years, dates) whose entries all look alike. */
  readonly maps?: Readonly<Record<string, ReplyMapShape>>;
}

export interface ReplyListShape {
  /** Inner key of the `{"clients":{"client":[...]}}` wrapper, or null for a plain JSON array. */
  readonly wrapper: string | null;
  readonly item?: ReplyShape;
}

export interface ReplyMapShape {
  /** Each entry is a record of this shape... */
  readonly entry?: ReplyShape;
  /** ...or a scalar of this kind. */
  readonly value?: ReplyFieldKind;
}

type JsonObject = Record<string, unknown>;

const ZERO_DATE = /^0000-00-00(?:[ T]00:00(?::00)?)?$/;
/** Amounts and decimals already in canonical form, returned as they are (most values WHMCS sends). */
const CANONICAL_MONEY = /^-?(?:0|[1-9]\d*)\.\d{2}$/;
const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d+))?$/;
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;
const TRUE_FORMS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_FORMS = new Set(['0', 'false', 'off', 'no', '']);
/** Paging counts every list action sends, often as strings; applied to every action. */
const COUNT_FIELDS = ['totalresults', 'startnumber', 'numreturned', 'count'] as const;

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key without ever touching the prototype, even for a key named `__proto__`. */
function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

// ---------------------------------------------------------------------------------------------
// Coercion helpers, also for code that projects entities out of normalized replies.

/** A list from any of WHMCS's list forms: ""/{}/null/undefined/false -> [], object -> [object]. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null || value === '' || value === false) return [];
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return [];
    // PHP sends an array with gaps in its indexes as an object; keep index order.
    if (keys.every((key) => INDEX_KEY.test(key))) {
      return keys.sort((left, right) => Number(left) - Number(right)).map((key) => value[key]);
    }
    return [value];
  }
  return [value];
}

/** An integer from a number or an integer string ("42", " 7 "); undefined for anything else. */
export function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!INTEGER_TEXT.test(text)) return undefined;
  const parsed = Number(text);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** A flag from true/false, 1/0, "1"/"0", "true"/"false", "on"/"off", "yes"/"no" or "" (unchecked). */
export function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (TRUE_FORMS.has(text)) return true;
  if (FALSE_FORMS.has(text)) return false;
  return undefined;
}

/** A date string, or null for WHMCS's "no date" (`0000-00-00...`, "", null) and for non-strings. */
export function toDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text === '' || ZERO_DATE.test(text) ? null : text;
}

/** An amount as a decimal string with two places ("15.95", "-3.00"); undefined when not a number. */
export function toMoney(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return toMoneyString(value);
}

/**
 * An exact decimal string with the precision it was sent with ("1.00000", "0.1", "-2"); numbers are
 * read from their shortest decimal form, so 0.1 stays "0.1". Undefined when not a plain decimal.
 */
export function toDecimalString(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction] = match;
  if (whole === '' && fraction === undefined) return undefined;
  const integerPart = whole.replace(/^0+(?=\d)/, '') || '0';
  return `${sign === '-' ? '-' : ''}${integerPart}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Places after the decimal point of a decimal string or number, or undefined. */
function decimalPlaces(value: unknown): number | undefined {
  const text = toDecimalString(value);
  if (text === undefined) return undefined;
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

// ---------------------------------------------------------------------------------------------
// Field normalization. Each returns the value unchanged when it is not of a form the kind knows.

function normalizeField(kind: ReplyFieldKind, value: unknown): unknown {
  switch (kind) {
    case 'int':
      if (value === '' || value === null) return null;
      return toInt(value) ?? value;
    case 'money': {
      if (value === '' || value === null) return null;
      if (typeof value === 'string' && CANONICAL_MONEY.test(value) && value !== '-0.00') return value;
      // More than two places is not money as WHMCS stores it: keep it exact rather than round.
      const places = decimalPlaces(value);
      if (places === undefined) return value;
      return (places <= 2 ? toMoney(value) : toDecimalString(value)) ?? value;
    }
    case 'decimal':
      if (value === '' || value === null) return null;
      if (typeof value === 'string' && CANONICAL_DECIMAL.test(value)) return value;
      return toDecimalString(value) ?? value;
    case 'bool':
      return toBool(value) ?? value;
    case 'date':
      if (value === null) return null;
      return typeof value === 'string' ? toDate(value) : value;
  }
}

/** Zero dates become null anywhere; everything else keeps its value, walked for nested dates. */
function normalizeUnknown(value: unknown): unknown {
  if (typeof value === 'string') return ZERO_DATE.test(value.trim()) ? null : value;
  if (Array.isArray(value)) return value.map(normalizeUnknown);
  if (isRecord(value)) return normalizeRecord(value, undefined);
  return value;
}

/** The array inside a one-key object (`{"customfield":[...]}`), if that is what it is. */
function wrappedArray(value: JsonObject): unknown[] | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const inner = value[keys[0] ?? ''];
  return Array.isArray(inner) ? inner : undefined;
}

function normalizeList(value: unknown, list: ReplyListShape): unknown[] {
  let items: unknown[];
  if (Array.isArray(value)) {
    items = value;
  } else if (list.wrapper !== null && isRecord(value) && Object.hasOwn(value, list.wrapper)) {
    items = asList(value[list.wrapper]);
  } else {
    // A list the documentation shows plain may come wrapped from another WHMCS version.
    const unwrapped = list.wrapper === null && isRecord(value) ? wrappedArray(value) : undefined;
    items = unwrapped ?? asList(value);
  }
  return items.map((item) => (isRecord(item) ? normalizeRecord(item, list.item) : normalizeUnknown(item)));
}

function normalizeObject(value: unknown, shape: ReplyShape): unknown {
  if (isRecord(value)) return normalizeRecord(value, shape);
  // PHP encodes an empty associative array as [].
  if (Array.isArray(value) && value.length === 0) return {};
  return normalizeUnknown(value);
}

function normalizeMap(value: unknown, map: ReplyMapShape): unknown {
  if (Array.isArray(value) && value.length === 0) return {};
  if (!isRecord(value)) return normalizeUnknown(value);
  const out: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) {
    let normalized: unknown;
    if (map.entry !== undefined && isRecord(entry)) normalized = normalizeRecord(entry, map.entry);
    else if (map.value !== undefined) normalized = normalizeField(map.value, entry);
    else normalized = normalizeUnknown(entry);
    setOwn(out, key, normalized);
  }
  return out;
}

function normalizeRecord(record: JsonObject, shape: ReplyShape | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(record)) {
    let normalized: unknown;
    const list = shape?.lists?.[key];
    const object = shape?.objects?.[key];
    const map = shape?.maps?.[key];
    const kind = shape?.fields?.[key];
    if (list !== undefined) normalized = normalizeList(value, list);
    else if (object !== undefined) normalized = normalizeObject(value, object);
    else if (map !== undefined) normalized = normalizeMap(value, map);
    else if (kind !== undefined) normalized = normalizeField(kind, value);
    else normalized = normalizeUnknown(value);
    setOwn(out, key, normalized);
  }
  // A list WHMCS left out is an empty list, not a missing one.
  for (const key of Object.keys(shape?.lists ?? {})) {
    if (!Object.hasOwn(out, key)) setOwn(out, key, []);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Flattened notation: `"tasks[task][0][id]":"1"` -> { tasks: { task: [ { id: "1" } ] } }.
// scripts/generate-reply-shapes.mjs reads the catalog examples the same way; the two must agree.

const BRACKET_KEY = /^([^[\]]+)((?:\[[^[\]]*\])+)$/;
const BRACKET_SEGMENT = /\[([^[\]]*)\]/g;
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

function unflattenBracketKeys(reply: JsonObject): JsonObject {
  const bracketed: Array<{ key: string; segments: string[]; value: unknown }> = [];
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(reply)) {
    const match = BRACKET_KEY.exec(key.trim());
    if (match === null) {
      setOwn(out, key, value);
      continue;
    }
    const segments = [match[1] ?? ''];
    for (const part of (match[2] ?? '').matchAll(BRACKET_SEGMENT)) segments.push(part[1] ?? '');
    bracketed.push({ key, segments, value });
  }
  if (bracketed.length === 0) return reply;
  // Only objects created here are filled in, so the caller's reply is never modified.
  const built = new Set<JsonObject>();
  for (const { key, segments, value } of bracketed) {
    const unsafe = segments.some((segment) => UNSAFE_SEGMENTS.has(segment));
    if (unsafe || !placeAtPath(out, segments, value, built)) setOwn(out, key, value);
  }
  return arraysFromIndexes(out, built);
}

function placeAtPath(root: JsonObject, segments: string[], value: unknown, built: Set<JsonObject>): boolean {
  let node = root;
  for (let index = 0; index < segments.length - 1; index += 1) {
    const segment = segments[index] ?? '';
    if (!Object.hasOwn(node, segment)) {
      const child: JsonObject = {};
      built.add(child);
      node[segment] = child;
    }
    const next = node[segment];
    if (!isRecord(next) || !built.has(next)) return false;
    node = next;
  }
  const last = segments[segments.length - 1] ?? '';
  if (Object.hasOwn(node, last)) return false;
  node[last] = value;
  return true;
}

function arraysFromIndexes(node: JsonObject, built: Set<JsonObject>): JsonObject {
  for (const key of Object.keys(node)) {
    const child = node[key];
    if (!isRecord(child) || !built.has(child)) continue;
    arraysFromIndexes(child, built);
    const keys = Object.keys(child);
    if (keys.length > 0 && keys.every((childKey, index) => childKey === String(index))) {
      node[key] = keys.map((childKey) => child[childKey]);
    }
  }
  return node;
}

// ---------------------------------------------------------------------------------------------

const SHAPES_BY_LOWER_NAME = new Map(
  Object.entries(REPLY_SHAPES).map(([name, shape]) => [name.toLowerCase(), shape] as const),
);

/** The generated shape of an action's reply (action names are case-insensitive, as in WHMCS). */
export function replyShapeFor(action: string): ReplyShape | undefined {
  return REPLY_SHAPES[action] ?? SHAPES_BY_LOWER_NAME.get(action.toLowerCase());
}

/**
 * Normalizes a WHMCS success reply for `action` (see the quirks listed at the top of this file).
 * Unknown actions get the generic treatment: paging counts become numbers, zero dates null.
 * Returns a new object; `raw` is not modified.
 */
export function normalizeReply(action: string, raw: Record<string, unknown>): Record<string, unknown> {
  const input: unknown = raw;
  // PHP sends an empty reply as []; any other non-object has nothing to normalize.
  if (Array.isArray(input) && input.length === 0) return normalizeReply(action, {});
  if (!isRecord(input)) return raw;
  const shape = replyShapeFor(action);
  const reply = normalizeRecord(unflattenBracketKeys(input), shape);
  for (const field of COUNT_FIELDS) {
    const declared =
      shape?.fields?.[field] ?? shape?.lists?.[field] ?? shape?.objects?.[field] ?? shape?.maps?.[field];
    if (declared === undefined && Object.hasOwn(reply, field))
      reply[field] = normalizeField('int', reply[field]);
  }
  return reply;
}
