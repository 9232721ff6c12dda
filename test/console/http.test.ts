/**
 * The console through real HTTP with plain fetch (no browser): the HTTP server from
 * startHttpServer, the sandbox WHMCS, consumer tokens in a watched file, and agents drafting
 * through the SDK client. Covers the response headers, the cookie, forged forms, escaping, the
 * roles (reader, drafter, approver, admin), the audit page and its exports, the kill switch,
 * sign-out and revocation.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER } from '../../src/cli/commands/audit.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/console/index.js';
import { callError, callOk } from '../helpers/mcp-harness.js';
import { startHttpHarness, type HttpHarness } from '../http/helpers.js';
import { ConsoleVisitor, draftCredit, type ConsolePage } from './helpers.js';

const demo = SEED_FACTS.demoClient;

function expectSecurityHeaders(page: ConsolePage): void {
  expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('cache-control')).toBe('no-store');
}

/** The flash notice shown after a form's redirect, as plain text. */
function notice(page: ConsolePage): string {
  const match = /<div class="notice (?:ok|error)"[\s\S]*?<\/div>/.exec(page.body);
  return (match?.[0] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the console over HTTP (MCP_MODE=full)', () => {
  let harness: HttpHarness;
  let agent: Client;
  let opsLead: Client;
  const tokens = { agent: '', approver: '', reader: '', admin: '', opsLead: '', leaving: '' };

  beforeAll(async () => {
    harness = await startHttpHarness({ env: { MCP_MODE: 'full' } });
    tokens.agent = harness.addConsumer({ label: 'billing-agent', roles: ['reader', 'operator'] });
    tokens.approver = harness.addConsumer({ label: 'finance-lead', roles: ['approver'] });
    tokens.reader = harness.addConsumer({ label: 'auditor', roles: ['reader'] });
    tokens.admin = harness.addConsumer({ label: 'ops-admin', roles: ['admin'] });
    tokens.opsLead = harness.addConsumer({ label: 'ops-lead', roles: ['operator', 'approver'] });
    tokens.leaving = harness.addConsumer({ label: 'leaving-approver', roles: ['approver'] });
    agent = await harness.connect(tokens.agent);
    opsLead = await harness.connect(tokens.opsLead);
  });
  afterAll(async () => harness?.close());

  const visitor = () => new ConsoleVisitor(harness.server.url);
  const stateOf = (id: string) => harness.runtime.store.getIntent(id)?.state;

  it('sends the security headers on pages, assets, redirects and refusals, and no inline code', async () => {
    const anonymous = visitor();
    const signIn = await anonymous.get('/console/sign-in');
    expect(signIn.status).toBe(200);
    expectSecurityHeaders(signIn);
    expectSecurityHeaders(await anonymous.get('/console/'));
    const css = await anonymous.get('/console/assets/console.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expectSecurityHeaders(css);
    const script = await anonymous.get('/console/assets/console.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expectSecurityHeaders(script);
    expectSecurityHeaders(await anonymous.post('/console/sign-in', { token: 'x' }, {}));

    const signed = visitor();
    const pending = await signed.signIn(tokens.approver);
    expectSecurityHeaders(pending);
    for (const body of [signIn.body, pending.body]) {
      // Scripts only by src, styles only by link: the policy would block anything inline anyway.
      expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
  });

  it('keeps only a random id in an HttpOnly, SameSite=Strict cookie on /console, and the token nowhere', async () => {
    const browser = visitor();
    await browser.get('/console/sign-in');
    const answer = await browser.post('/console/sign-in', { csrf: browser.csrf!, token: tokens.approver });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/console/');
    const cookie = answer.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^wmcp_console=[A-Za-z0-9_-]{43}; /);
    expect(cookie.split('; ')).toEqual(
      expect.arrayContaining(['Path=/console', 'HttpOnly', 'SameSite=Strict']),
    );
    // The server listens on loopback over plain HTTP, where a Secure cookie would never come back.
    expect(cookie).not.toContain('Secure');
    expect(cookie).not.toContain(tokens.approver);
    expect(cookie).not.toContain(tokens.approver.slice(5, 20));
    const pending = await browser.get('/console/');
    expect(pending.body).not.toContain(tokens.approver);
    expect(harness.logs.raw).not.toContain(tokens.approver);
    const signIns = harness.runtime.store.listAudit({ event: 'console_sign_in', limit: 50, offset: 0 }).items;
    expect(signIns.at(-1)).toMatchObject({
      principal: 'consumer:finance-lead (finance-lead)',
      outcome: 'success',
    });
  });

  it('refuses a forged approval: no CSRF token, a wrong one, another origin, or no proof of origin', async () => {
    const { id } = await draftCredit(agent, demo.id, 'Goodwill credit for the outage');
    const approver = visitor();
    await approver.signIn(tokens.approver);
    const path = `/console/intents/${id}/approve`;
    const forgeries: Array<[Record<string, string>, Record<string, string>]> = [
      [{}, { Origin: harness.server.url }],
      [{ csrf: 'A'.repeat(43) }, { Origin: harness.server.url }],
      [{ csrf: approver.csrf! }, { Origin: 'https://evil.example' }],
      [{ csrf: approver.csrf! }, { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' }],
      [{ csrf: approver.csrf! }, {}],
    ];
    for (const [fields, headers] of forgeries) {
      const refused = await approver.post(path, { ...fields, return_to: '/console/' }, headers);
      expect(refused.status, JSON.stringify({ fields, headers })).toBe(403);
      expect(refused.body).toContain('Form refused');
      expectSecurityHeaders(refused);
    }
    expect(stateOf(id)).toBe('validated');
    const rows = harness.runtime.store.listAudit({ intent_id: id, limit: 50, offset: 0 }).items;
    expect(rows.map((row) => row.event)).not.toContain('approve');
    const refusals = harness.runtime.store.listAudit({ event: 'console_form', limit: 50, offset: 0 }).items;
    expect(refusals.length).toBeGreaterThanOrEqual(forgeries.length);
    expect(refusals.every((row) => row.outcome === 'refused:forbidden')).toBe(true);

    // The same form with the token, from the console's own origin, goes through.
    const accepted = await approver.post(path, { csrf: approver.csrf!, return_to: '/console/' });
    expect(accepted.status).toBe(303);
    expect(stateOf(id)).toBe('approved');
  });

  it('shows an intent reason containing <script> as text', async () => {
    const { id } = await draftCredit(agent, demo.id, 'Refund <script>alert("owned")</script> & "thanks"');
    const approver = visitor();
    const pending = await approver.signIn(tokens.approver);
    const card = pending.body.slice(pending.body.indexOf(`id="intent-${id}"`));
    expect(card).toContain(
      'Refund &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &quot;thanks&quot;',
    );
    expect(pending.body).not.toContain('<script>alert');
    const detail = await approver.get(`/console/intents/${id}`);
    expect(detail.body).not.toContain('<script>alert');
    expect(detail.body).toContain('&lt;script&gt;');
  });

  it('lets a reader sign in and look, but not approve: no form, and a posted approval is refused', async () => {
    const { id } = await draftCredit(agent, demo.id, 'Credit the reader must not approve');
    const reader = visitor();
    const pending = await reader.signIn(tokens.reader);
    expect(pending.status).toBe(200);
    expect(pending.body).toContain('Signed in as <strong>auditor</strong> (reader)');
    expect(pending.body).not.toContain('/approve"');
    const answer = await reader.post(`/console/intents/${id}/approve`, {
      csrf: reader.csrf!,
      return_to: '/console/',
    });
    expect(answer.status).toBe(303);
    const shown = notice(await reader.get('/console/'));
    expect(shown).toContain('Approval refused (forbidden)');
    expect(shown).toContain('auditor does not hold the approver role');
    expect(stateOf(id)).toBe('validated');
    const refused = harness.runtime.store
      .listAudit({ principal: 'consumer:auditor (auditor)', event: 'approve', limit: 10, offset: 0 })
      .items.at(-1);
    expect(refused?.outcome).toBe('refused:forbidden');
    expect((await reader.get('/console/audit')).status).toBe(403);
  });

  it('refuses the drafter approving its own intent, and says so plainly', async () => {
    const drafted = await callOk(opsLead, 'add_credit', {
      client_id: demo.id,
      amount: '5.00',
      reason: 'Self-approval attempt',
    });
    const id = String(drafted.id);
    const lead = visitor();
    const pending = await lead.signIn(tokens.opsLead);
    expect(pending.body).toContain('You drafted this intent');
    await lead.post(`/console/intents/${id}/approve`, {
      csrf: lead.csrf!,
      return_to: `/console/intents/${id}`,
    });
    const detail = await lead.get(`/console/intents/${id}`);
    expect(notice(detail)).toContain('Approval refused (forbidden)');
    expect(notice(detail)).toContain('The drafter of an intent cannot approve it');
    expect(stateOf(id)).toBe('validated');
  });

  it('rejects only with a reason, and the agent then sees the intent rejected', async () => {
    const { id } = await draftCredit(agent, demo.id, 'Credit to be rejected');
    const approver = visitor();
    await approver.signIn(tokens.approver);
    await approver.post(`/console/intents/${id}/reject`, { csrf: approver.csrf!, reason: '  ' });
    expect(notice(await approver.get('/console/'))).toContain('Rejection refused (invalid_input)');
    expect(stateOf(id)).toBe('validated');
    await approver.post(`/console/intents/${id}/reject`, {
      csrf: approver.csrf!,
      reason: 'No outage affected this client',
    });
    expect(notice(await approver.get('/console/'))).toContain('Rejected');
    const seen = await callOk(agent, 'get_write_intent', { intent_id: id });
    expect(seen.state).toBe('rejected');
    expect(JSON.stringify(seen.approvals)).toContain('console');
  });

  it('lists intents with filters and shows one intent with its whole timeline', async () => {
    const { id } = await draftCredit(agent, demo.id, 'Credit for the timeline');
    const approver = visitor();
    await approver.signIn(tokens.approver);
    await approver.post(`/console/intents/${id}/approve`, { csrf: approver.csrf! });
    expect((await callOk(agent, 'execute_write_intent', { intent_id: id })).state).toBe('executed');

    const executed = await approver.get('/console/intents?state=executed&action=addcredit');
    expect(executed.body).toContain(id);
    expect(executed.body).not.toMatch(/class="badge validated"/);
    const byOther = await approver.get('/console/intents?principal=consumer%3Aops-lead');
    expect(byOther.body).not.toContain(id);
    const today = new Date().toISOString().slice(0, 10);
    expect((await approver.get(`/console/intents?since=${today}&until=${today}`)).body).toContain(id);
    expect((await approver.get('/console/intents?until=2000-01-01')).body).not.toContain(id);

    const detail = await approver.get(`/console/intents/${id}`);
    const events = [...detail.body.matchAll(/<tr data-seq="\d+">[\s\S]*?<\/tr>/g)].map((row) =>
      row[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
    );
    expect(events.map((row) => /\b(draft|validate|approve|execute)\b/.exec(row)?.[1])).toEqual([
      'draft',
      'validate',
      'approve',
      'execute',
      'execute',
    ]);
    expect(events[2]).toContain('consumer:finance-lead (finance-lead)');
    expect(detail.body).toContain('class="badge executed"');

    const state = await approver.get('/console/state');
    expect(state.body).toMatch(/<td>USD<\/td>\s*<td>\d+\.\d{2}<\/td>/);
    expect(state.body).not.toMatch(/<td>USD<\/td>\s*<td>0\.00<\/td>/);
  });

  it('shows the audit log newest first with a verified chain, and streams CSV and JSONL exports', async () => {
    const approver = visitor();
    await approver.signIn(tokens.approver);
    const audit = await approver.get('/console/audit');
    expect(audit.status).toBe(200);
    expect(audit.body).toContain('Audit chain verified');
    const seqs = [...audit.body.matchAll(/<tr data-seq="(\d+)">/g)].map((match) => Number(match[1]));
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const total = harness.runtime.store.listAudit({ limit: 1, offset: 0 }).total;
    const csv = await approver.get('/console/audit/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="whmcs-mcp-audit-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expectSecurityHeaders(csv);
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe(AUDIT_CSV_HEADER);
    expect(lines.length - 1).toBeGreaterThanOrEqual(total);

    const jsonl = await approver.get('/console/audit/export.jsonl?event=approve');
    const rows = jsonl.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; event: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.event === 'approve')).toBe(true);
    expect(rows.map((row) => row.seq)).toEqual([...rows.map((row) => row.seq)].sort((a, b) => a - b));
  });

  it('lets an admin engage and release the kill switch (audited); nobody else', async () => {
    const { id } = await draftCredit(agent, demo.id, 'Credit held by the kill switch');
    const approver = visitor();
    await approver.signIn(tokens.approver);
    await approver.post(`/console/intents/${id}/approve`, { csrf: approver.csrf! });
    const notAdmin = await approver.get('/console/state');
    expect(notAdmin.body).toContain('Only an admin can engage or release');
    await approver.post('/console/kill-switch', { csrf: approver.csrf!, action: 'engage' });
    expect(notice(await approver.get('/console/state'))).toContain('Kill switch unchanged (forbidden)');
    expect(harness.runtime.writeFlow.killSwitchEngaged()).toBe(false);

    const admin = visitor();
    await admin.signIn(tokens.admin);
    const state = await admin.get('/console/state');
    expect(state.body).toContain('Engage the kill switch');
    await admin.post('/console/kill-switch', {
      csrf: admin.csrf!,
      action: 'engage',
      reason: 'Billing incident',
    });
    const engaged = await admin.get('/console/state');
    expect(notice(engaged)).toContain('Kill switch engaged');
    expect(engaged.body).toContain('ENGAGED (console)');
    expect(harness.runtime.writeFlow.killSwitchEngaged()).toBe(true);
    const refused = await callError(agent, 'execute_write_intent', { intent_id: id });
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toContain('kill switch');

    await admin.post('/console/kill-switch', { csrf: admin.csrf!, action: 'release' });
    expect(harness.runtime.writeFlow.killSwitchEngaged()).toBe(false);
    const switches = harness.runtime.store.listAudit({ event: 'kill_switch', limit: 50, offset: 0 }).items;
    expect(switches.map((row) => [row.principal, row.outcome])).toEqual([
      ['consumer:finance-lead (finance-lead)', 'refused:forbidden'],
      ['consumer:ops-admin (ops-admin)', 'engaged'],
      ['consumer:ops-admin (ops-admin)', 'released'],
    ]);
    expect(switches[1]!.detail).toEqual({ channel: 'console', reason: 'Billing incident' });
    expect((await callOk(agent, 'execute_write_intent', { intent_id: id })).state).toBe('executed');
    expect(harness.runtime.store.verifyAudit().ok).toBe(true);
  });

  it('ends the session at sign-out, and at once when the consumer is revoked', async () => {
    const leaving = visitor();
    await leaving.signIn(tokens.approver);
    const cookie = leaving.cookie;
    const out = await leaving.post('/console/sign-out', { csrf: leaving.csrf! });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    leaving.cookie = cookie;
    const after = await leaving.get('/console/');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/sign-in');

    const revoked = visitor();
    await revoked.signIn(tokens.leaving);
    harness.revoke('leaving-approver');
    const denied = await revoked.get('/console/');
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('Your access was revoked');
    const again = await revoked.get('/console/');
    expect(again.status).toBe(303);
  });

  it('answers unknown pages, wrong methods, foreign hosts and wrong tokens plainly', async () => {
    const approver = visitor();
    await approver.signIn(tokens.approver);
    expect((await approver.get('/console/nothing-here')).status).toBe(404);
    expect((await approver.get('/console/intents/wi_missing')).status).toBe(404);
    expect((await approver.get('/console/intents/wi_x/approve')).status).toBe(405);
    const root = await approver.get('/console');
    expect([root.status, root.headers.get('location')]).toEqual([303, '/console/']);

    const wrong = visitor();
    await wrong.get('/console/sign-in');
    const refused = await wrong.post('/console/sign-in', {
      csrf: wrong.csrf!,
      token: 'wmcp_not-a-real-token',
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('That token was not accepted.');
    expect(refused.body).not.toContain('wmcp_not-a-real-token');

    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL('/console/sign-in', harness.server.url);
      request(url, { headers: { Host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });
});

describe('the console behind an https public URL, and its sign-in lockout', () => {
  let harness: HttpHarness;

  beforeAll(async () => {
    harness = await startHttpHarness({ http: { publicUrl: 'https://mcp.example.com' } });
  });
  afterAll(async () => harness?.close());

  it('marks the cookie Secure', async () => {
    const page = await new ConsoleVisitor(harness.server.url).get('/console/sign-in');
    expect(page.headers.get('set-cookie')).toContain('; Secure');
  });

  it('locks an address out after repeated wrong tokens', async () => {
    const guesser = new ConsoleVisitor(harness.server.url);
    await guesser.get('/console/sign-in');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      const answer = await guesser.post('/console/sign-in', {
        csrf: guesser.csrf!,
        token: `wmcp_guess${attempt}`,
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('a tampered audit log', () => {
  let harness: HttpHarness;

  beforeAll(async () => {
    harness = await startHttpHarness({ env: { MCP_MODE: 'full' } });
  });
  afterAll(async () => harness?.close());

  it('is shown broken at the first bad row, at the latest when a fresh check is asked for', async () => {
    const agent = await harness.connect(harness.addConsumer({ label: 'billing-agent', roles: ['operator'] }));
    const token = harness.addConsumer({ label: 'finance-lead', roles: ['approver'] });
    await draftCredit(agent, demo.id, 'A credit whose audit rows get edited');
    const approver = new ConsoleVisitor(harness.server.url);
    await approver.signIn(token);
    expect((await approver.get('/console/audit')).body).toContain('Audit chain verified');

    // Someone with the file edits a row behind the store's back (the triggers are dropped first).
    const db = new Database(join(harness.directory, 'state.sqlite'));
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET outcome = 'success (edited)' WHERE seq = 2");
    db.close();
    // A verification is reused for a minute, and says when it ran.
    const reused = await approver.get('/console/audit');
    expect(reused.body).toContain('Audit chain verified');
    expect(reused.body).toContain('check again');
    const audit = await approver.get('/console/audit?verify=now');
    expect(audit.body).toContain('AUDIT CHAIN BROKEN at row 2');
    expect(audit.body).toContain('row 2 was edited');
    expect((await approver.get('/console/audit')).body).toContain('AUDIT CHAIN BROKEN at row 2');
  });
});
