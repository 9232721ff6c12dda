/**
 * Removes secrets from anything about to be logged, at any depth: values under sensitive keys
 * become "[redacted]", and strings lose card numbers, bearer tokens and `secret=...` pairs.
 */
import { maskCardNumbers } from './card-scan.js';

export const REDACTED = '[redacted]';

/**
 * Key names (lower case, without separators or trailing digits) that always hold a secret. WHMCS
 * spells several of them its own way: `password2`, `cardnum`, `cccvv`, `securityqans`, `bankacct`.
 */
const SENSITIVE_EXACT = new Set([
  'pass',
  'pwd',
  'auth',
  'pin',
  'cvc',
  'cvv',
  'cccvv',
  'ccnum',
  'cardnum',
  'cardcvv',
  'iban',
  'otp',
]);

const SENSITIVE_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'identifier',
  'accesskey',
  'apikey',
  'privatekey',
  'authorization',
  'cookie',
  'credential',
  'cardnumber',
  'ccnumber',
  'cardcvv',
  'cvv',
  'securityqans',
  'securityanswer',
  'bankacct',
  'bankaccount',
  'sessionid',
];

/** Verdicts already reached: every log line passes its keys twice, and the keys repeat endlessly. */
const keyVerdicts = new Map<string, boolean>();
/** Past this many distinct keys the cache starts over, so odd keys cannot grow it without bound. */
const MAX_REMEMBERED_KEYS = 4096;

export function isSensitiveKey(key: string): boolean {
  const known = keyVerdicts.get(key);
  if (known !== undefined) return known;
  const normalized = key
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/\d+$/, '');
  const sensitive =
    SENSITIVE_EXACT.has(normalized) || SENSITIVE_PARTS.some((part) => normalized.includes(part));
  if (keyVerdicts.size >= MAX_REMEMBERED_KEYS) keyVerdicts.clear();
  keyVerdicts.set(key, sensitive);
  return sensitive;
}

/** `name=value` pairs as in a query string or a form body. */
const PAIR = /([A-Za-z][A-Za-z0-9_.\-[\]]*)=([^&\s"',;]*)/g;
/** `"name": "value"` or `"name": 123` inside JSON text, such as an upstream body excerpt. */
const JSON_MEMBER = /"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s]+)/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * What every masking below needs somewhere in the text: four digits in a row (a card number), `=`
 * (a pair), `"` (JSON) or white space (after Bearer or Basic). Names, paths and codes have none.
 */
const MAYBE_SECRET = /\d{4}|[="]|\s/;

/** Masks what a string may carry: card numbers, bearer tokens, secrets in form or JSON text. */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let result = maskCardNumbers(text);
  if (result.includes('=')) {
    result = result.replace(PAIR, (pair: string, key: string) =>
      isSensitiveKey(key) ? `${key}=${REDACTED}` : pair,
    );
  }
  if (result.includes('"')) {
    result = result.replace(JSON_MEMBER, (member: string, key: string, colon: string) =>
      isSensitiveKey(key) ? `"${key}"${colon}"${REDACTED}"` : member,
    );
  }
  return result.replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
}

const MAX_DEPTH = 12;

function redactError(error: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const plain: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) plain[key] = value;
  if (error.cause !== undefined) plain.cause = error.cause;
  return redactObject(plain, seen, depth);
}

function redactObject(object: object, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  // Object.keys rather than entries: no pair array per property on a path every log line takes.
  for (const key of Object.keys(object)) {
    const value = (object as Record<string, unknown>)[key];
    copy[key] =
      isSensitiveKey(key) && value !== undefined && value !== null
        ? REDACTED
        : redactAt(value, seen, depth + 1);
  }
  return copy;
}

function redactAt(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, seen, depth);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((item) => redactAt(item, seen, depth + 1));
    if (value instanceof Map) {
      return redactObject(
        Object.fromEntries([...value].map(([key, item]) => [String(key), item])),
        seen,
        depth,
      );
    }
    if (value instanceof Set) return [...value].map((item) => redactAt(item, seen, depth + 1));
    if (value instanceof URL) return redactText(value.href);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return redactAt(toJSON.call(value), seen, depth + 1);
    return redactObject(value, seen, depth);
  } finally {
    // Only ancestors count as circular; the same object twice side by side is fine.
    seen.delete(value);
  }
}

/** A redacted deep copy; the original is not changed. */
export function redactValue(value: unknown): unknown {
  return redactAt(value, new WeakSet(), 0);
}
