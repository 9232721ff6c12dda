/**
 * Canonical JSON and digests. An approval binds to the digest of the exact parameters; the audit
 * chain hashes canonical rows. Canonical means: object keys sorted, no whitespace, numbers as JSON
 * writes them, so the same data always gives the same bytes.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, child]) => child !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The digest an approval binds to: the action and its exact parameters. */
export function paramsDigest(action: string, params: Record<string, unknown>): string {
  return sha256Hex(canonicalJson({ action, params }));
}
