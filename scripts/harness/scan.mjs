// What the hygiene layer looks for in everything the server sent back: stack traces, secrets,
// password-like fields, card numbers and raw upstream bodies. Pure functions over recorded outputs.

/** A V8 stack frame ("    at fn (file.js:1:2)", "at file:///x.mjs:3:4") or a source position. */
const STACK_PATTERNS = [
  { name: 'stack frame', pattern: /(^|\n)\s*at\s+(?:async\s+)?[^\s()]+(?:\s+\([^()\n]*:\d+:\d+\)|:\d+:\d+)/ },
  { name: 'stack frame', pattern: /\bat\s+(?:async\s+)?\S+\s+\((?:file:\/\/|node:|\/)[^()\n]*\)/ },
  { name: 'source position', pattern: /[\w@./-]+\.(?:ts|js|mjs|cjs):\d+(?::\d+)?\b/ },
  { name: 'node internals', pattern: /\bnode:internal\// },
];

/** Pages and framework errors that mean an upstream body was passed through as it came. */
const UPSTREAM_BODY_PATTERNS = [
  { name: 'HTML page', pattern: /<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<\/html>/i },
  { name: 'XML reply', pattern: /<\?xml\s|<whmcsapi[\s>]/i },
  { name: 'PHP error', pattern: /\b(?:PHP )?(?:Fatal error|Parse error|Warning|Notice):\s.*\bon line \d+/i },
  { name: 'SQL error', pattern: /\bSQLSTATE\[|\bPDOException\b|You have an error in your SQL syntax/i },
];

/** Field names whose string value would be a secret wherever it appears. */
const SECRET_FIELD =
  /^(?:password\d*|passwd|pwd|pass|secret|client_?secret|api_?secret|security_?answer|securityq?ans(?:wer)?|cvv2?|cvc|card_?num(?:ber)?|cc_?num(?:ber)?|bank_?acct|bank_?account_?number|access_?key|api_?key|auth_?token|bearer_?token|token|remote_?token|gateway_?token|private_?key|epp_?code|eppcode)$/i;

/** Tokens that are secrets by their form, whoever they belong to. */
const TOKEN_PATTERNS = [
  { name: 'consumer token', pattern: /\bwmcp_[A-Za-z0-9_-]{20,}/ },
  { name: 'bearer credential', pattern: /\bBearer\s+[A-Za-z0-9\-._~+/]{16,}=*/ },
  { name: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

function isRecord(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Customer-written strings, marked `{untrusted: true, text}` by the server. */
export function untrustedTexts(value, found = []) {
  if (Array.isArray(value)) {
    for (const item of value) untrustedTexts(item, found);
  } else if (isRecord(value)) {
    if (value.untrusted === true && typeof value.text === 'string') found.push(value.text);
    for (const child of Object.values(value)) untrustedTexts(child, found);
  }
  return found;
}

/**
 * The text of an output without the customer-written parts: a customer may paste a stack trace or
 * an HTML page into a ticket, which the server rightly returns as data.
 */
export function withoutUntrusted(text, untrusted) {
  let result = text;
  for (const piece of untrusted) {
    if (piece.length < 4) continue;
    result = result.split(piece).join(' ');
    result = result.split(JSON.stringify(piece).slice(1, -1)).join(' ');
  }
  return result;
}

function excerpt(text, index, length = 80) {
  const start = Math.max(0, index - 20);
  return text
    .slice(start, start + length)
    .replace(/\s+/g, ' ')
    .trim();
}

function firstMatch(text, patterns) {
  for (const { name, pattern } of patterns) {
    const match = pattern.exec(text);
    if (match) return { name, excerpt: excerpt(text, match.index) };
  }
  return null;
}

/** Stack frames or source positions outside customer-written text. */
export function findStackTrace(text, untrusted = []) {
  return firstMatch(withoutUntrusted(text, untrusted), STACK_PATTERNS);
}

/** An HTML page, raw XML reply, PHP or SQL error outside customer-written text. */
export function findUpstreamBody(text, untrusted = []) {
  return firstMatch(withoutUntrusted(text, untrusted), UPSTREAM_BODY_PATTERNS);
}

/** A known secret value or a token by its form; the secret itself is never echoed, only its name. */
export function findSecret(text, secrets) {
  for (const secret of secrets) {
    if (text.includes(secret.value)) return { name: secret.name };
  }
  const token = firstMatch(text, TOKEN_PATTERNS);
  return token ? { name: token.name } : null;
}

function passesLuhn(digits) {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = Number(digits[index]);
    if (double) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A 13-19 digit card number (contiguous, or printed in groups of four) that passes Luhn. */
export function findCardNumber(text) {
  const candidates = text.match(/\b\d{13,19}\b|\b\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}\b/g) ?? [];
  for (const candidate of candidates) {
    const digits = candidate.replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) {
      return { name: 'card number', excerpt: `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}` };
    }
  }
  return null;
}

/** Fields named like secrets that hold a non-empty string, anywhere in a structured output. */
export function findSecretFields(value, path = '') {
  const found = [];
  if (Array.isArray(value)) {
    value.forEach((item, index) => found.push(...findSecretFields(item, `${path}[${index}]`)));
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (
        SECRET_FIELD.test(key) &&
        typeof child === 'string' &&
        child.trim() !== '' &&
        !/^\*+$/.test(child)
      ) {
        found.push(childPath);
      }
      found.push(...findSecretFields(child, childPath));
    }
  }
  return found;
}

/** String values of a structured output (numbers are ids and amounts, never free text). */
export function stringValues(value, found = []) {
  if (typeof value === 'string') found.push(value);
  else if (Array.isArray(value)) for (const item of value) stringValues(item, found);
  else if (isRecord(value)) for (const child of Object.values(value)) stringValues(child, found);
  return found;
}
