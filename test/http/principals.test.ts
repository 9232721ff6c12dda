/**
 * What an authenticated HTTP principal may do, through the SDK client against the sandbox:
 * - a consumer bound to a client sees nothing of another client through tools or resources, and a
 *   foreign id gets exactly the answer a missing one gets;
 * - an intent drafted by an agent token is approved by an approver token, never by the agent;
 * - a loopback server without authentication serves one local principal that cannot approve.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { callError, callOk } from '../helpers/mcp-harness.js';
import { INITIALIZE, postMcp, startHttpHarness, type HttpHarness } from './helpers.js';

const demo = SEED_FACTS.demoClient;
const MISSING_ID = 987_654;

function foreignClientId(harness: HttpHarness): number {
  for (const client of harness.sandbox.state.clients.values()) if (client.id !== demo.id) return client.id;
  throw new Error('the seed has no second client');
}

function foreignInvoiceId(harness: HttpHarness): number {
  for (const invoice of harness.sandbox.state.invoices.values())
    if (invoice.clientId !== demo.id) return invoice.id;
  throw new Error('the seed has no foreign invoice');
}

const publishedTools = new WeakMap<Client, Promise<Tool[]>>();

/** Arguments naming an intent, under whatever name the tool's published schema gives the id. */
async function intentArgs(client: Client, tool: string, id: string, extra: Record<string, unknown> = {}) {
  if (!publishedTools.has(client))
    publishedTools.set(
      client,
      client.listTools().then((listed) => listed.tools),
    );
  const tools = await publishedTools.get(client)!;
  const schema = tools.find((candidate) => candidate.name === tool)?.inputSchema;
  const field = schema?.properties && 'intent_id' in schema.properties ? 'intent_id' : 'id';
  return { [field]: id, ...extra };
}

/** The message with the id itself set aside, so a foreign and a missing answer can be compared. */
function withoutId(message: string, id: number): string {
  return message.replace(new RegExp(`\\b${id}\\b`, 'g'), '<id>');
}

describe('a client-scoped consumer', () => {
  let harness: HttpHarness;
  let scoped: Client;

  beforeAll(async () => {
    harness = await startHttpHarness();
    const token = harness.addConsumer({ label: 'support-bot', roles: ['reader'], clientIds: [demo.id] });
    scoped = await harness.connect(token);
  });
  afterAll(async () => harness?.close());

  it('reads its own client', async () => {
    const own = await callOk(scoped, 'get_client_details', { client_id: demo.id });
    expect(JSON.stringify(own)).toContain(demo.email);
  });

  it('gets the missing answer for another client, through tools', async () => {
    const foreign = foreignClientId(harness);
    const foreignError = await callError(scoped, 'get_client_details', { client_id: foreign });
    const missingError = await callError(scoped, 'get_client_details', { client_id: MISSING_ID });
    expect(foreignError.code).toBe('not_found');
    expect(withoutId(foreignError.message, foreign)).toBe(withoutId(missingError.message, MISSING_ID));

    const invoice = foreignInvoiceId(harness);
    const foreignInvoice = await callError(scoped, 'get_invoice', { invoice_id: invoice });
    const missingInvoice = await callError(scoped, 'get_invoice', { invoice_id: MISSING_ID });
    expect(foreignInvoice.code).toBe(missingInvoice.code);
    expect(withoutId(foreignInvoice.message, invoice)).toBe(withoutId(missingInvoice.message, MISSING_ID));
  });

  it('gets the missing answer for another client, through resources', async () => {
    const foreign = foreignClientId(harness);
    const read = async (id: number) => {
      try {
        await scoped.readResource({ uri: `whmcs://clients/${id}/summary` });
        return 'read';
      } catch (error) {
        return withoutId((error as Error).message, id);
      }
    };
    const own = await scoped.readResource({ uri: `whmcs://clients/${demo.id}/summary` });
    expect(JSON.stringify(own)).toContain(demo.email);
    const foreignAnswer = await read(foreign);
    expect(foreignAnswer).not.toBe('read');
    expect(foreignAnswer).toBe(await read(MISSING_ID));
  });

  it('is not offered tools that span clients, and searching finds only its client', async () => {
    const names = (await scoped.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('get_client_details');
    expect(names).not.toContain('get_receivables_aging');
    expect(names).not.toContain('list_invoices');
    const foreign = harness.sandbox.state.clients.get(foreignClientId(harness))!;
    const found = await scoped.callTool({ name: 'search_clients', arguments: { query: foreign.email } });
    expect(JSON.stringify(found)).not.toContain(foreign.email);
  });
});

describe('approval across principals (MCP_MODE=full)', () => {
  let harness: HttpHarness;
  let agent: Client;
  let approver: Client;

  beforeAll(async () => {
    harness = await startHttpHarness({ env: { MCP_MODE: 'full' } });
    agent = await harness.connect(
      harness.addConsumer({ label: 'billing-agent', roles: ['reader', 'operator'] }),
    );
    approver = await harness.connect(harness.addConsumer({ label: 'finance-lead', roles: ['approver'] }));
  });
  afterAll(async () => harness?.close());

  it('lets the approver token approve what the agent token drafted, and never the agent itself', async () => {
    const drafted = await callOk(agent, 'add_client_note', {
      client_id: demo.id,
      note: 'Called about the overdue invoice; promised payment Friday.',
      reason: 'Record the phone call',
    });
    expect(drafted.state).toBe('validated');
    expect(drafted.drafted_by_label).toBe('billing-agent');
    const id = String(drafted.id);

    const refused = await callError(
      agent,
      'approve_write_intent',
      await intentArgs(agent, 'approve_write_intent', id, { reason: 'I approve my own work' }),
    );
    expect(refused.message).toMatch(/approver role/);
    expect(refused.message).toContain('billing-agent');
    const unchanged = await callOk(
      approver,
      'get_write_intent',
      await intentArgs(approver, 'get_write_intent', id),
    );
    expect(unchanged.state).toBe('validated');

    const approved = await callOk(
      approver,
      'approve_write_intent',
      await intentArgs(approver, 'approve_write_intent', id, { reason: 'Checked the call notes' }),
    );
    expect(approved.state).toBe('approved');
    expect(JSON.stringify(approved.approvals)).toContain('finance-lead');

    const executed = await callOk(
      agent,
      'execute_write_intent',
      await intentArgs(agent, 'execute_write_intent', id),
    );
    expect(executed.state).toBe('executed');
    const audit = harness.runtime.store.listAudit({ intent_id: id, limit: 50, offset: 0 }).items;
    expect(audit.map((row) => [row.event, row.principal, row.outcome])).toEqual(
      expect.arrayContaining([
        ['draft', 'consumer:billing-agent (billing-agent)', 'success'],
        ['approve', 'consumer:finance-lead (finance-lead)', 'success'],
        ['execute', 'consumer:billing-agent (billing-agent)', 'success'],
      ]),
    );
  });
});

describe('a loopback server without authentication', () => {
  let harness: HttpHarness;

  beforeAll(async () => {
    harness = await startHttpHarness({ consumers: false, env: { MCP_MODE: 'full' } });
  });
  afterAll(async () => harness?.close());

  it('serves one local principal that reads and drafts but cannot approve', async () => {
    const client = await harness.connect(undefined);
    await callOk(client, 'get_client_details', { client_id: demo.id });
    const drafted = await callOk(client, 'add_client_note', {
      client_id: demo.id,
      note: 'Local note',
      reason: 'Testing the local principal',
    });
    expect(drafted.drafted_by_label).toBe('http-local');
    const refused = await callError(
      client,
      'approve_write_intent',
      await intentArgs(client, 'approve_write_intent', String(drafted.id), {
        reason: 'Approving my own note',
      }),
    );
    expect(refused.message).toMatch(/approver role/);
    expect(refused.message).toContain('http-local');
  });

  it('publishes no protected-resource metadata, since there is nothing to authenticate', async () => {
    expect((await fetch(`${harness.server.url}/.well-known/oauth-protected-resource`)).status).toBe(404);
  });
});

describe('a loopback server with MCP_AUTH_TOKEN only', () => {
  it('requires that token as a bearer token', async () => {
    const secret = 'local-shared-secret-0123456789';
    const harness = await startHttpHarness({ consumers: false, env: { MCP_AUTH_TOKEN: secret } });
    try {
      expect((await postMcp(harness.server.mcpUrl, INITIALIZE)).status).toBe(401);
      expect(
        (await postMcp(harness.server.mcpUrl, INITIALIZE, { Authorization: 'Bearer wrong-secret-value' }))
          .status,
      ).toBe(401);
      const client = await harness.connect(secret);
      await callOk(client, 'get_client_details', { client_id: demo.id });
    } finally {
      await harness.close();
    }
  });
});
