/**
 * The pure parts of the HTTP guards: loopback detection, Host and Origin checks, the bearer header,
 * the per-principal token bucket, the failed-authentication lockout, and what the access log
 * reads from a JSON-RPC body.
 */
import { describe, expect, it } from 'vitest';
import { summarizeMcpBody } from '../../src/server/http/access-log.js';
import { bearerToken } from '../../src/server/http/auth.js';
import { OriginPolicy, hostHeaderName, isLoopbackAddress } from '../../src/server/http/origin.js';
import { AuthFailureLimiter, PrincipalRateLimiter } from '../../src/server/http/rate-limit.js';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackAddress(host)).toBe(true);
    },
  );
  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '192.168.1.5',
    'mcp.example.com',
    'localhost.example.com',
    '128.0.0.1',
  ])('%s is not loopback', (host) => {
    expect(isLoopbackAddress(host)).toBe(false);
  });
});

describe('OriginPolicy', () => {
  const policy = new OriginPolicy({
    boundHost: '0.0.0.0',
    extraHosts: ['mcp.example.com'],
    allowedOrigins: ['https://console.example.com'],
  });

  it('accepts the loopback names, the bound host and the listed hosts, whatever the port', () => {
    for (const host of [
      'localhost:8080',
      '127.0.0.1:9',
      '[::1]:8080',
      '0.0.0.0:1',
      'MCP.example.com',
      'mcp.example.com:443',
    ]) {
      expect(policy.check(host, undefined), host).toEqual({ ok: true });
    }
    expect(hostHeaderName('[::1]:8080')).toBe('[::1]');
  });

  it('refuses another host name, and a missing Host', () => {
    expect(policy.check('attacker.example', undefined)).toEqual({ ok: false, reason: 'host_not_allowed' });
    expect(policy.check('127.0.0.1.nip.io:8080', undefined)).toEqual({
      ok: false,
      reason: 'host_not_allowed',
    });
    expect(policy.check(undefined, undefined)).toEqual({ ok: false, reason: 'host_not_allowed' });
    for (const host of ['localhost:"x', 'localhost:80/path', 'localhost:', 'user@localhost']) {
      expect(policy.check(host, undefined), host).toEqual({ ok: false, reason: 'host_not_allowed' });
    }
  });

  it('accepts a listed origin or the same origin, and nothing else', () => {
    expect(policy.check('mcp.example.com', 'https://console.example.com')).toEqual({ ok: true });
    expect(policy.check('localhost:8080', 'http://localhost:8080')).toEqual({ ok: true });
    for (const origin of [
      'http://localhost:8081',
      'https://evil.example',
      'null',
      'https://console.example.com.evil',
    ]) {
      expect(policy.check('localhost:8080', origin), origin).toEqual({
        ok: false,
        reason: 'origin_not_allowed',
      });
    }
  });
});

describe('bearerToken', () => {
  it('reads a bearer token and nothing else', () => {
    expect(bearerToken('Bearer abc.def-ghi_~+/=')).toBe('abc.def-ghi_~+/=');
    expect(bearerToken('bearer  wmcp_x ')).toBe('wmcp_x');
    for (const header of [
      undefined,
      '',
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer a b',
      `Bearer ${'a'.repeat(20_000)}`,
    ]) {
      expect(bearerToken(header), String(header).slice(0, 20)).toBeUndefined();
    }
  });
});

describe('PrincipalRateLimiter', () => {
  it('allows a burst of the per-minute rate, then asks to retry after the refill time', () => {
    let now = 0;
    const limiter = new PrincipalRateLimiter(60, () => now);
    for (let index = 0; index < 60; index += 1) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').allowed).toBe(true);
    now += 1000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('says how long to wait at a slow rate', () => {
    const limiter = new PrincipalRateLimiter(2, () => 0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });
});

describe('AuthFailureLimiter', () => {
  it('locks an address out after the failures allowed in a window, for the lockout time', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({
      maxFailures: 3,
      windowMs: 60_000,
      lockoutMs: 120_000,
      now: () => now,
    });
    expect(limiter.recordFailure('198.51.100.7')).toBe(false);
    expect(limiter.recordFailure('198.51.100.7')).toBe(false);
    expect(limiter.check('198.51.100.7').allowed).toBe(true);
    expect(limiter.recordFailure('198.51.100.7')).toBe(true);
    expect(limiter.check('198.51.100.7')).toEqual({ allowed: false, retryAfterSeconds: 120 });
    expect(limiter.check('198.51.100.8').allowed).toBe(true);
    now += 120_000;
    expect(limiter.check('198.51.100.7').allowed).toBe(true);
  });

  it('forgets failures from an earlier window', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({
      maxFailures: 2,
      windowMs: 1_000,
      lockoutMs: 5_000,
      now: () => now,
    });
    limiter.recordFailure('a');
    now += 1_500;
    expect(limiter.recordFailure('a')).toBe(false);
    expect(limiter.check('a').allowed).toBe(true);
  });

  it('tracks a bounded number of addresses', () => {
    const limiter = new AuthFailureLimiter({
      maxFailures: 2,
      windowMs: 60_000,
      lockoutMs: 60_000,
      maxAddresses: 2,
    });
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    // 'a' was forgotten, so its next failure starts a new count instead of locking it out.
    expect(limiter.recordFailure('a')).toBe(false);
  });
});

describe('summarizeMcpBody', () => {
  it('reads the method and, for tools/call, the tool name only', () => {
    expect(
      summarizeMcpBody({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'get_invoice', arguments: { invoice_id: 9, auth_token: 'secret' } },
      }),
    ).toEqual({ method: 'tools/call', tool: 'get_invoice', initialize: false });
    expect(summarizeMcpBody({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }).initialize).toBe(
      true,
    );
  });

  it('does not echo names that are not names, and summarizes a batch', () => {
    expect(summarizeMcpBody({ method: 'tools/call', params: { name: 'x\ny" injected' } }).tool).toBe(
      '(invalid)',
    );
    expect(
      summarizeMcpBody([
        { method: 'tools/list' },
        { method: 'tools/call', params: { name: 'get_invoice' } },
        { id: 1, result: {} },
      ]),
    ).toEqual({ method: 'tools/list,tools/call,(response)', tool: 'get_invoice', initialize: false });
    expect(summarizeMcpBody([{ method: 'initialize' }]).initialize).toBe(false);
    expect(summarizeMcpBody('text')).toEqual({ method: undefined, tool: undefined, initialize: false });
  });
});
