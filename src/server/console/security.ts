/**
 * The console's browser-facing protections: response headers (a strict Content-Security-Policy
 * without inline script or style), the session cookie, the CSRF token comparison, and the check
 * that a state-changing request was sent by a page of this console and not by another site.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const CONSOLE_PATH = '/console';
export const SESSION_COOKIE = 'wmcp_console';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Sent with every console response, pages, assets, exports and refusals alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
}

/** The Set-Cookie value of the session cookie: only a random id, never a token. */
export function sessionCookie(value: string, options: CookieOptions): string {
  const attributes = [
    `${SESSION_COOKIE}=${value}`,
    `Path=${CONSOLE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

const COOKIE_VALUE = /^[A-Za-z0-9_-]{16,128}$/;

/** The session id the browser presented, if any; malformed values count as none. */
export function readSessionCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(separator + 1).trim();
    return COOKIE_VALUE.test(value) ? value : undefined;
  }
  return undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares a submitted CSRF token with the session's in constant time (equal-length digests). */
export function csrfTokenMatches(expected: string, submitted: string | null | undefined): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0 || submitted.length > 256) return false;
  return timingSafeEqual(digest(expected), digest(submitted));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export type OriginCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a POST came from a page of this console. The console's pages send no referrer, so a
 * browser posts their forms with `Origin: null`; Sec-Fetch-Site, which browsers set themselves
 * and pages cannot forge, is what proves same-origin then. A real Origin or a Referer, when
 * present, must name this server as well.
 */
export function checkSameOrigin(headers: IncomingHttpHeaders, publicOrigin: string | undefined): OriginCheck {
  const host = header(headers, 'host')?.trim().toLowerCase();
  const matches = (value: string): boolean => {
    try {
      const url = new URL(value);
      return url.host === host || (publicOrigin !== undefined && url.origin === publicOrigin);
    } catch {
      return false;
    }
  };
  const site = header(headers, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') {
    return { ok: false, reason: `the request came from another site (Sec-Fetch-Site: ${site.slice(0, 20)})` };
  }
  const origin = header(headers, 'origin');
  if (origin !== undefined && origin !== 'null') {
    return matches(origin) ? { ok: true } : { ok: false, reason: 'the request came from another origin' };
  }
  const referer = header(headers, 'referer');
  if (referer !== undefined) {
    return matches(referer) ? { ok: true } : { ok: false, reason: 'the request came from another page' };
  }
  return site === 'same-origin'
    ? { ok: true }
    : { ok: false, reason: 'nothing in the request shows it came from this console' };
}
