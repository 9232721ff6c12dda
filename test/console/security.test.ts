/**
 * The console's browser protections as pure functions: the CSRF comparison, the same-origin check
 * (including the `Origin: null` a no-referrer page posts with), the session cookie's flags, and
 * the session store's expiry, rotation and limits.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/principal.js';
import {
  CONTENT_SECURITY_POLICY,
  checkSameOrigin,
  csrfTokenMatches,
  readSessionCookie,
  sessionCookie,
} from '../../src/server/console/security.js';
import { ConsoleSessionStore, DEFAULT_SESSION_LIMITS } from '../../src/server/console/sessions.js';

const approver: Principal = {
  id: 'consumer:finance-lead',
  label: 'finance-lead',
  roles: ['approver'],
  transport: 'console',
};

describe('the CSRF token comparison', () => {
  it('accepts the exact token and nothing else', () => {
    const token = 'Q2x5b2tlbi1mb3ItdGhlLXNlc3Npb24tdGhhdC1pcy1sb25n';
    expect(csrfTokenMatches(token, token)).toBe(true);
    expect(csrfTokenMatches(token, `${token}x`)).toBe(false);
    expect(csrfTokenMatches(token, token.slice(0, -1))).toBe(false);
    expect(csrfTokenMatches(token, token.toLowerCase())).toBe(false);
    expect(csrfTokenMatches(token, '')).toBe(false);
    expect(csrfTokenMatches(token, null)).toBe(false);
    expect(csrfTokenMatches(token, undefined)).toBe(false);
    expect(csrfTokenMatches(token, 'x'.repeat(10_000))).toBe(false);
  });
});

describe('the same-origin check for console forms', () => {
  const host = '127.0.0.1:8080';

  it('accepts a browser form from a no-referrer page: Origin null, Sec-Fetch-Site same-origin', () => {
    expect(checkSameOrigin({ host, origin: 'null', 'sec-fetch-site': 'same-origin' }, undefined)).toEqual({
      ok: true,
    });
  });

  it('accepts a matching Origin or Referer when the browser sends no fetch metadata', () => {
    expect(checkSameOrigin({ host, origin: `http://${host}` }, undefined).ok).toBe(true);
    expect(checkSameOrigin({ host, referer: `http://${host}/console/` }, undefined).ok).toBe(true);
  });

  it('accepts the public URL origin behind a proxy', () => {
    expect(
      checkSameOrigin({ host: '10.0.0.5:8080', origin: 'https://mcp.example.com' }, 'https://mcp.example.com')
        .ok,
    ).toBe(true);
  });

  it('refuses anything another site could send', () => {
    const refused = [
      { host, 'sec-fetch-site': 'cross-site', origin: 'null' },
      { host, 'sec-fetch-site': 'same-site', origin: `http://${host}` },
      { host, 'sec-fetch-site': 'none' },
      { host, origin: 'https://evil.example' },
      { host, origin: `http://${host}.evil.example` },
      { host, 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' },
      { host, referer: 'https://evil.example/console/' },
      { host, origin: 'null' },
      { host },
    ];
    for (const headers of refused)
      expect(checkSameOrigin(headers, undefined).ok, JSON.stringify(headers)).toBe(false);
  });
});

describe('the session cookie', () => {
  it('holds only the id, HttpOnly, SameSite=Strict, Path=/console, Secure when asked', () => {
    const secure = sessionCookie('abcdefghijklmnopqrstuvwx', { secure: true, maxAgeSeconds: 3600 });
    expect(secure.split('; ')).toEqual([
      'wmcp_console=abcdefghijklmnopqrstuvwx',
      'Path=/console',
      'HttpOnly',
      'SameSite=Strict',
      'Max-Age=3600',
      'Secure',
    ]);
    expect(sessionCookie('abcdefghijklmnopqrstuvwx', { secure: false, maxAgeSeconds: 60 })).not.toContain(
      'Secure',
    );
    expect(sessionCookie('', { secure: false, maxAgeSeconds: 0 })).toContain('Max-Age=0');
  });

  it('reads the session id among other cookies and ignores malformed values', () => {
    expect(readSessionCookie('a=1; wmcp_console=abcdefghijklmnopqrstuvwx; b=2')).toBe(
      'abcdefghijklmnopqrstuvwx',
    );
    expect(readSessionCookie('wmcp_console=short')).toBeUndefined();
    expect(readSessionCookie('wmcp_console=abc"def;ghijklmnopqrstuvwxyz')).toBeUndefined();
    expect(readSessionCookie(undefined)).toBeUndefined();
  });

  it('comes with a policy that forbids inline script and style', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });
});

describe('console sessions', () => {
  function store(limits = {}) {
    let now = 1_000_000;
    const sessions = new ConsoleSessionStore({ ...DEFAULT_SESSION_LIMITS, ...limits }, () => now);
    return { sessions, advance: (ms: number) => (now += ms) };
  }

  it('gives a new id and CSRF token at sign-in, and the old id stops working', () => {
    const { sessions } = store();
    const anonymous = sessions.createAnonymous();
    const signed = sessions.signIn(anonymous, approver)!;
    expect(signed.id).not.toBe(anonymous.id);
    expect(signed.csrfToken).not.toBe(anonymous.csrfToken);
    expect(signed.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.get(anonymous.id)).toBeUndefined();
    expect(sessions.get(signed.id)?.principal).toEqual(approver);
  });

  it('ends a session when idle too long, and at its absolute lifetime however busy', () => {
    const { sessions, advance } = store({ idleMs: 1_000, maxAgeMs: 5_000 });
    const idle = sessions.signIn(undefined, approver)!;
    advance(999);
    expect(sessions.get(idle.id)).toBeDefined();
    advance(1_000);
    expect(sessions.get(idle.id)).toBeUndefined();

    const busy = sessions.signIn(undefined, approver)!;
    for (let step = 0; step < 5; step += 1) {
      advance(900);
      expect(sessions.get(busy.id)).toBeDefined();
    }
    advance(900);
    expect(sessions.get(busy.id)).toBeUndefined();
  });

  it('lets a sign-in form lapse, and keeps anonymous sessions bounded', () => {
    const { sessions, advance } = store({ anonymousMs: 1_000, maxAnonymous: 3 });
    const first = sessions.createAnonymous();
    sessions.createAnonymous();
    sessions.createAnonymous();
    sessions.createAnonymous();
    expect(sessions.size.anonymous).toBe(3);
    expect(sessions.get(first.id)).toBeUndefined();
    const late = sessions.createAnonymous();
    advance(1_000);
    expect(sessions.get(late.id)).toBeUndefined();
  });

  it('never pushes a signed-in session out: past the limit, sign-in is refused', () => {
    const { sessions } = store({ maxSignedIn: 2 });
    const first = sessions.signIn(undefined, approver)!;
    sessions.signIn(undefined, approver);
    expect(sessions.signIn(undefined, approver)).toBeUndefined();
    expect(sessions.get(first.id)).toBeDefined();
  });
});
