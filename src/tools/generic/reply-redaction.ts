/**
 * What whmcs_call removes from a WHMCS reply before it leaves. A dedicated tool projects its reply
 * through an output schema; the generic call returns the reply as WHMCS shaped it, so secrets are
 * removed by name at every depth instead, and each removal is reported by path (never by value).
 */
import { isSensitiveKey } from '../../logging/redact.js';
import { cleanText } from '../untrusted.js';

/**
 * WHMCS names for secrets that the generic log redaction does not know: EPP (transfer) codes,
 * server access hashes, gateway customer references and bank details.
 */
const WHMCS_SECRET_KEYS: ReadonlySet<string> = new Set([
  'eppcode',
  'epp',
  'transfersecret',
  'accesshash',
  'serveraccesshash',
  'gatewayid',
  'remotetoken',
  'accountnumber',
  'routingnumber',
  'sortcode',
  'bankroutingnumber',
  'issuenumber',
]);

/**
 * Fields that are free text able to carry a secret from some actions: the e-mail log keeps the
 * body of every welcome e-mail, and welcome e-mails can include service passwords.
 */
const FREE_TEXT_WITH_SECRETS: Readonly<Record<string, readonly string[]>> = {
  GetEmails: ['message'],
};

function normalizedKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function isSecretKey(key: string): boolean {
  return isSensitiveKey(key) || WHMCS_SECRET_KEYS.has(normalizedKey(key));
}

export interface RedactedReply {
  reply: Record<string, unknown>;
  /** Paths of removed fields, list indexes collapsed: `products[].password`. */
  removed: string[];
}

/** A copy of the reply without secret fields, with hidden and direction-changing characters removed from text. */
export function redactReply(action: string, reply: Record<string, unknown>): RedactedReply {
  const removed = new Set<string>();
  const freeText = new Set(FREE_TEXT_WITH_SECRETS[action] ?? []);
  const visit = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return cleanText(value);
    if (Array.isArray(value)) return value.map((item) => visit(item, `${path}[]`));
    if (value !== null && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (isSecretKey(key) || freeText.has(key)) {
          removed.add(childPath);
          continue;
        }
        Object.defineProperty(copy, key, {
          value: visit(child, childPath),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return copy;
    }
    return value;
  };
  const { result: _result, ...body } = reply;
  return { reply: visit(body, '') as Record<string, unknown>, removed: [...removed].sort() };
}
