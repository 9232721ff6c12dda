/**
 * MCP sessions over HTTP: a session belongs to the principal that opened it (anyone else gets the
 * answer an unknown session gets, and the attempt is logged and audited), DELETE ends it, an idle
 * one expires, and one principal holds a bounded number.
 */
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIALIZE, postMcp, startHttpHarness, type HttpHarness } from './helpers.js';

const ACCEPT = 'application/json, text/event-stream';

async function openRawSession(url: string, token: string): Promise<string> {
  const response = await postMcp(url, INITIALIZE, { Authorization: `Bearer ${token}` });
  expect(response.status).toBe(200);
  await response.body?.cancel();
  const id = response.headers.get('mcp-session-id');
  if (!id) throw new Error('no session id');
  return id;
}

function sessionRequest(url: string, method: string, token: string, sessionId: string): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': sessionId,
      'Mcp-Protocol-Version': '2025-06-18',
      Accept: method === 'GET' ? 'text/event-stream' : ACCEPT,
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }) } : {}),
  });
}

describe('session ownership', () => {
  let harness: HttpHarness;
  let ownerToken: string;
  let intruderToken: string;

  beforeAll(async () => {
    harness = await startHttpHarness();
    ownerToken = harness.addConsumer({ label: 'owner', roles: ['reader', 'operator'] });
    intruderToken = harness.addConsumer({ label: 'intruder', roles: ['reader', 'operator', 'approver'] });
  });
  afterAll(async () => harness?.close());

  it('answers another principal presenting a session id exactly as an unknown session, and audits it', async () => {
    const client = await harness.connect(ownerToken);
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    expect(sessionId).toBeTruthy();

    const unknown = await sessionRequest(harness.server.mcpUrl, 'POST', intruderToken, 'x'.repeat(43));
    const unknownBody = await unknown.json();
    for (const method of ['POST', 'GET', 'DELETE']) {
      const hijack = await sessionRequest(harness.server.mcpUrl, method, intruderToken, sessionId!);
      expect(hijack.status, method).toBe(404);
      expect(await hijack.json(), method).toEqual(unknownBody);
    }
    expect(unknown.status).toBe(404);

    const logged = harness.logs.withMessage('http session refused: it belongs to another principal');
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatchObject({ principal: 'intruder', session_owner: 'owner' });
    expect(JSON.stringify(logged)).not.toContain(sessionId);
    const audit = harness.runtime.store.listAudit({ limit: 50, offset: 0 }).items;
    const refusals = audit.filter((row) => row.event === 'http_session_refused');
    expect(refusals).toHaveLength(3);
    expect(refusals[0]).toMatchObject({
      principal: 'consumer:intruder (intruder)',
      outcome: 'refused:not_found',
    });

    // The owner's session survived the attempts.
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('ends a session on DELETE; the id is unknown afterwards', async () => {
    const sessionId = await openRawSession(harness.server.mcpUrl, ownerToken);
    const deleted = await sessionRequest(harness.server.mcpUrl, 'DELETE', ownerToken, sessionId);
    expect(deleted.status).toBe(200);
    const after = await sessionRequest(harness.server.mcpUrl, 'POST', ownerToken, sessionId);
    expect(after.status).toBe(404);
  });

  it('refuses a request other than initialize without a session id', async () => {
    const response = await postMcp(
      harness.server.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { Authorization: `Bearer ${ownerToken}` },
    );
    expect(response.status).toBe(400);
  });
});

describe('session lifetime and limits', () => {
  it('expires a session that stays idle past the limit', async () => {
    const harness = await startHttpHarness({ http: { sessionIdleMs: 150, sweepIntervalMs: 50 } });
    try {
      const token = harness.addConsumer({ label: 'agent', roles: ['reader'] });
      const sessionId = await openRawSession(harness.server.mcpUrl, token);
      expect(harness.server.sessionCount()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(harness.server.sessionCount()).toBe(0);
      expect((await sessionRequest(harness.server.mcpUrl, 'POST', token, sessionId)).status).toBe(404);
    } finally {
      await harness.close();
    }
  });

  it('keeps a session with an open stream alive however long it is quiet', async () => {
    const harness = await startHttpHarness({ http: { sessionIdleMs: 150, sweepIntervalMs: 50 } });
    try {
      const token = harness.addConsumer({ label: 'agent', roles: ['reader'] });
      const client = await harness.connect(token);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(harness.server.sessionCount()).toBe(1);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  });

  it("ends a revoked consumer's sessions even when it sends nothing more", async () => {
    const harness = await startHttpHarness({ http: { sweepIntervalMs: 50 } });
    try {
      const client = await harness.connect(harness.addConsumer({ label: 'quiet', roles: ['reader'] }));
      expect(harness.server.sessionCount()).toBe(1);
      harness.revoke('quiet');
      const deadline = Date.now() + 5_000;
      while (harness.server.sessionCount() > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(harness.server.sessionCount()).toBe(0);
      await client.close();
    } finally {
      await harness.close();
    }
  });

  it('caps the sessions one principal holds, without touching another principal', async () => {
    const harness = await startHttpHarness({ http: { maxSessionsPerPrincipal: 2 } });
    try {
      const busy = harness.addConsumer({ label: 'busy', roles: ['reader'] });
      const other = harness.addConsumer({ label: 'other', roles: ['reader'] });
      const first = await openRawSession(harness.server.mcpUrl, busy);
      await openRawSession(harness.server.mcpUrl, busy);
      const third = await postMcp(harness.server.mcpUrl, INITIALIZE, { Authorization: `Bearer ${busy}` });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBeTruthy();
      await openRawSession(harness.server.mcpUrl, other);

      // Ending one frees its place.
      expect((await sessionRequest(harness.server.mcpUrl, 'DELETE', busy, first)).status).toBe(200);
      await openRawSession(harness.server.mcpUrl, busy);
    } finally {
      await harness.close();
    }
  });
});
