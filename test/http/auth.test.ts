/**
 * Who gets in over HTTP, through the real SDK client and raw requests against a sandbox: no token,
 * a bad token and a revoked token are refused with the resource-metadata challenge; failed guesses
 * lock an address out; each principal has a rate limit; bodies are capped; Host and Origin are
 * checked against DNS rebinding; the access log names the tool and never the arguments or token.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/principal.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import type { OAuthVerifier } from '../../src/server/http/oauth.js';
import { INITIALIZE, postMcp, startHttpHarness, type HttpHarness } from './helpers.js';

let harness: HttpHarness;
let agentToken: string;

beforeAll(async () => {
  harness = await startHttpHarness({
    http: {
      allowedOrigins: ['https://console.example.com'],
      authFailureLimit: { maxFailures: 1000 },
    },
  });
  agentToken = harness.addConsumer({ label: 'agent', roles: ['reader', 'operator'] });
});
afterAll(async () => harness?.close());

function challengeOf(response: Response): string {
  return response.headers.get('www-authenticate') ?? '';
}

describe('bearer authentication', () => {
  it('refuses a request without a token with 401 and the resource-metadata challenge', async () => {
    const response = await postMcp(harness.server.mcpUrl, INITIALIZE);
    expect(response.status).toBe(401);
    expect(challengeOf(response)).toBe(
      `Bearer resource_metadata="${harness.server.url}/.well-known/oauth-protected-resource"`,
    );
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'A valid bearer token is required.',
    });
    await expect(harness.connect(undefined)).rejects.toThrow(/401|invalid_token|Unauthorized/i);
  });

  it.each([
    ['an unknown consumer token', `wmcp_${'A'.repeat(43)}`],
    ['a token of the wrong shape', 'not-a-token'],
    ['a JWT-looking token with no OAuth configured', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
  ])('refuses %s with the same answer, naming nothing but invalid_token', async (_name, token) => {
    const response = await postMcp(harness.server.mcpUrl, INITIALIZE, { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect(challengeOf(response)).toBe(
      `Bearer resource_metadata="${harness.server.url}/.well-known/oauth-protected-resource", error="invalid_token"`,
    );
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'A valid bearer token is required.',
    });
    await expect(harness.connect(token)).rejects.toThrow(/401|invalid_token|Unauthorized/i);
  });

  it('serves the protected-resource metadata for the challenge to point at', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await fetch(`${harness.server.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        resource: harness.server.mcpUrl,
        bearer_methods_supported: ['header'],
      });
    }
  });

  it('lets a consumer token in as that consumer', async () => {
    const client = await harness.connect(agentToken);
    const result = await client.callTool({
      name: 'get_client_details',
      arguments: { client_id: SEED_FACTS.demoClient.id },
    });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.structuredContent)).toContain(SEED_FACTS.demoClient.email);
    await client.close();
  });

  it('refuses a token revoked while the server runs, on its very next request, and ends its session', async () => {
    const token = harness.addConsumer({ label: 'soon-revoked', roles: ['reader'] });
    const client = await harness.connect(token);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const sessionsBefore = harness.server.sessionCount();

    harness.revoke('soon-revoked');

    await expect(client.listTools()).rejects.toThrow(/401|invalid_token|Unauthorized/i);
    expect(harness.server.sessionCount()).toBe(sessionsBefore - 1);
    const response = await postMcp(harness.server.mcpUrl, INITIALIZE, { Authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    await client.close();
  });
});

describe('OAuth alongside consumers', () => {
  it('sends tokens that are not consumer tokens to the OAuth verifier, and serves its metadata', async () => {
    const seen: string[] = [];
    const oauthPrincipal: Principal = {
      id: 'oauth:user-17',
      label: 'ada@example.com',
      roles: ['reader'],
      clientScope: [SEED_FACTS.demoClient.id],
      transport: 'http',
    };
    const oauth: OAuthVerifier = {
      async verify(token) {
        seen.push(token);
        return token === 'header.payload.signature' ? oauthPrincipal : null;
      },
      metadata(resourceUrl) {
        return {
          resource: resourceUrl,
          authorization_servers: ['https://login.example.com'],
          scopes_supported: ['whmcs:read'],
          bearer_methods_supported: ['header'],
          resource_name: 'whmcs-mcp',
        };
      },
    };
    const both = await startHttpHarness({ http: { oauth } });
    try {
      const consumer = both.addConsumer({ label: 'agent', roles: ['reader'] });
      const client = await both.connect('header.payload.signature');
      const own = await client.callTool({
        name: 'get_client_details',
        arguments: { client_id: SEED_FACTS.demoClient.id },
      });
      expect(own.isError).toBeFalsy();
      const foreign = await client.callTool({ name: 'get_client_details', arguments: { client_id: 2 } });
      expect(foreign.isError).toBe(true);
      expect(both.logs.withMessage('http request').some((line) => line.principal === 'ada@example.com')).toBe(
        true,
      );

      const refused = await postMcp(both.server.mcpUrl, INITIALIZE, {
        Authorization: 'Bearer other.jwt.value',
      });
      expect(refused.status).toBe(401);
      // A consumer token never reaches the OAuth verifier, valid or not.
      await (
        await postMcp(both.server.mcpUrl, INITIALIZE, { Authorization: `Bearer ${consumer}` })
      ).body?.cancel();
      await postMcp(both.server.mcpUrl, INITIALIZE, { Authorization: `Bearer wmcp_${'B'.repeat(43)}` });
      expect(seen.every((token) => !token.startsWith('wmcp_'))).toBe(true);
      expect(seen).toContain('other.jwt.value');

      const metadata = await fetch(`${both.server.url}/.well-known/oauth-protected-resource`);
      expect(await metadata.json()).toMatchObject({
        resource: both.server.mcpUrl,
        authorization_servers: ['https://login.example.com'],
      });
    } finally {
      await both.close();
    }
  });
});

describe('access log', () => {
  it('logs the principal, MCP method, tool, status and outcome, never arguments or tokens', async () => {
    const marker = 'needle-7b1f0c';
    const client = await harness.connect(agentToken);
    await client.callTool({ name: 'search_clients', arguments: { query: marker } });
    await client.close();

    const line = harness.logs
      .withMessage('http request')
      .find((entry) => entry.tool === 'search_clients' && entry.principal === 'agent');
    expect(line).toMatchObject({
      method: 'POST',
      path: '/mcp',
      mcp_method: 'tools/call',
      status: 200,
      outcome: 'ok',
    });
    expect(typeof line?.duration_ms).toBe('number');
    expect(harness.logs.raw).not.toContain(marker);
    expect(harness.logs.raw).not.toContain(agentToken);
    expect(harness.logs.raw).not.toContain(agentToken.slice(5));
  });
});

describe('DNS rebinding protection', () => {
  it('refuses a request whose Origin is neither allowed nor its own host', async () => {
    for (const origin of ['http://evil.example', 'null', 'http://localhost.evil.example']) {
      const response = await postMcp(harness.server.mcpUrl, INITIALIZE, {
        Authorization: `Bearer ${agentToken}`,
        Origin: origin,
      });
      expect(response.status, origin).toBe(403);
    }
  });

  it('accepts an allowed origin and the same origin, with CORS headers for the browser', async () => {
    for (const origin of ['https://console.example.com', harness.server.url]) {
      const response = await postMcp(harness.server.mcpUrl, INITIALIZE, {
        Authorization: `Bearer ${agentToken}`,
        Origin: origin,
      });
      expect(response.status, origin).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
      await response.body?.cancel();
    }
  });

  it('answers a browser preflight from an allowed origin without asking for a token', async () => {
    const preflight = await fetch(harness.server.mcpUrl, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://console.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, mcp-session-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Mcp-Session-Id/);
    const foreign = await fetch(harness.server.mcpUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(foreign.status).toBe(403);
  });

  it('refuses a Host header that names another site', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        harness.server.mcpUrl,
        {
          method: 'POST',
          headers: {
            Host: 'attacker.example:8080',
            Authorization: `Bearer ${agentToken}`,
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
          },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify(INITIALIZE));
    });
    expect(status).toBe(403);
  });
});

describe('request limits', () => {
  it('answers 413 to a body over the cap, declared or streamed', async () => {
    const small = await startHttpHarness({ http: { maxBodyBytes: 2048 } });
    try {
      const token = small.addConsumer({ label: 'agent', roles: ['reader'] });
      const padded = { ...INITIALIZE, params: { ...INITIALIZE.params, padding: 'x'.repeat(4096) } };
      const declared = await postMcp(small.server.mcpUrl, padded, { Authorization: `Bearer ${token}` });
      expect(declared.status).toBe(413);

      const chunks = [JSON.stringify(padded).slice(0, 1500), JSON.stringify(padded).slice(1500)];
      const streamed = await fetch(small.server.mcpUrl, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: new ReadableStream({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);

      const fits = await postMcp(small.server.mcpUrl, INITIALIZE, { Authorization: `Bearer ${token}` });
      expect(fits.status).toBe(200);
      await fits.body?.cancel();
    } finally {
      await small.close();
    }
  });

  it('answers 429 with Retry-After once a principal is over its rate, and not for another principal', async () => {
    const limited = await startHttpHarness({ http: { rateLimitPerMinute: 5 } });
    try {
      const busy = limited.addConsumer({ label: 'busy', roles: ['reader'] });
      const quiet = limited.addConsumer({ label: 'quiet', roles: ['reader'] });
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let index = 0; index < 6; index += 1) {
        const response = await postMcp(
          limited.server.mcpUrl,
          { jsonrpc: '2.0', id: 1, method: 'ping' },
          {
            Authorization: `Bearer ${busy}`,
          },
        );
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
        await response.body?.cancel();
      }
      // ping without a session is a bad request, but it still counts against the rate.
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      const other = await postMcp(
        limited.server.mcpUrl,
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        {
          Authorization: `Bearer ${quiet}`,
        },
      );
      expect(other.status).toBe(400);
    } finally {
      await limited.close();
    }
  });

  it('locks an address out after too many failed authentications, even for a valid token', async () => {
    const guarded = await startHttpHarness({
      http: { authFailureLimit: { maxFailures: 3, lockoutMs: 60_000 } },
    });
    try {
      const valid = guarded.addConsumer({ label: 'agent', roles: ['reader'] });
      for (let index = 0; index < 3; index += 1) {
        const response = await postMcp(guarded.server.mcpUrl, INITIALIZE, {
          Authorization: `Bearer wmcp_${String(index).repeat(43)}`,
        });
        expect(response.status).toBe(401);
      }
      const locked = await postMcp(guarded.server.mcpUrl, INITIALIZE, { Authorization: `Bearer ${valid}` });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    } finally {
      await guarded.close();
    }
  });
});
