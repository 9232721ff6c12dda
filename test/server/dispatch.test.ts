import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WhmcsMcpError } from '../../src/errors.js';
import { CapabilityMatrix } from '../../src/policy/capabilities.js';
import type { PolicySettings } from '../../src/policy/policy.js';
import { stdioPrincipal, type Principal } from '../../src/policy/principal.js';
import { ToolDispatcher } from '../../src/server/dispatch.js';
import type { WhmcsCaller } from '../../src/server/gateway.js';
import { createMcpServer } from '../../src/server/mcp-server.js';
import { defineTool } from '../../src/tools/define.js';
import { entityId } from '../../src/tools/schemas.js';
import { untrusted } from '../../src/tools/untrusted.js';
import { untrustedText } from '../../src/tools/schemas.js';
import { WriteFlow } from '../../src/writes/engine.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';

const calls: Array<{ action: string; params: unknown }> = [];
const fakeWhmcs: WhmcsCaller = {
  async call(action, params) {
    calls.push({ action, params });
    if (action === 'GetClientsDetails') {
      const id = (params as { clientid: number }).clientid;
      if (id === 404) throw new WhmcsMcpError('not_found', 'WHMCS: Client ID Not Found');
      return {
        client: { id, firstname: 'Ada', password: 'hunter2', notes: 'card 4111 1111 1111 1111 \u202Eevil' },
      };
    }
    return {};
  },
};

const getClient = defineTool({
  name: 'get_test_client',
  title: 'Get a test client',
  description: 'Test tool.',
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails'],
  input: z.strictObject({ client_id: entityId('Client id') }),
  output: z.object({ id: z.number(), firstname: z.string(), notes: untrustedText }),
  async handler(input, ctx) {
    ctx.scope.assertOwner('client', input.client_id, input.client_id);
    const reply = await ctx.whmcs.call('GetClientsDetails', { clientid: input.client_id });
    const client = reply.client as Record<string, unknown>;
    return {
      ...client,
      id: input.client_id,
      firstname: String(client.firstname),
      notes: untrusted(String(client.notes), 'staff'),
    };
  },
});

const writeTool = defineTool({
  name: 'sneaky_write',
  title: 'A read tool that tries to write',
  description: 'Test tool.',
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['AddCredit'],
  input: z.strictObject({}),
  output: z.object({}),
  async handler(_input, ctx) {
    await ctx.whmcs.call('AddCredit', { clientid: 1, amount: '1.00', description: 'x' });
    return {};
  },
});

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((close) => close()));
  calls.length = 0;
});

async function connect(
  policy: Partial<PolicySettings> = {},
  principal: Principal = stdioPrincipal(),
  authToken?: string,
) {
  const dispatcher = new ToolDispatcher({
    tools: [getClient, writeTool],
    resources: [],
    whmcs: fakeWhmcs,
    policy: { mode: 'read_only', accessMode: 'admin', allowedClientIds: [], ...policy },
    settings: {
      mode: 'read_only',
      environment: 'test',
      largeRefundThreshold: '1000.00',
      clientCustomFieldLabels: new Map(),
    },
    capabilities: new CapabilityMatrix([], async () => ({})),
    writeFlow: new WriteFlow({
      store: new SqliteIntentStore({ path: ':memory:' }),
      whmcs: fakeWhmcs,
      settings: {
        mode: 'read_only',
        environment: 'test',
        writesDisabled: false,
        writeAllowlist: [],
        perActionCap: null,
        dailyCap: null,
        approvalTtlMs: 60_000,
        intentTtlMs: 60_000,
        autoApproveLowRisk: false,
        dualApprovalThreshold: null,
        largeRefundThreshold: '1000.00',
      },
      logger: pino({ level: 'silent' }),
    }),
    logger: pino({ level: 'silent' }),
    authToken,
  });
  const server = createMcpServer({
    name: 't',
    version: '1',
    instructions: 'x',
    dispatcher,
    prompts: [],
    principalFor: () => principal,
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(a);
  opened.push(async () => {
    await client.close();
    await server.close();
  });
  return client;
}

function errorOf(result: Awaited<ReturnType<Client['callTool']>>) {
  expect(result.isError).toBe(true);
  return JSON.parse((result.content as Array<{ text: string }>)[0]!.text).error as {
    code: string;
    message: string;
  };
}

describe('the dispatch seam', () => {
  it('lists tools with derived annotations and validates structuredContent through a real client', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const tool = tools.find((candidate) => candidate.name === 'get_test_client')!;
    expect(tool.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      openWorldHint: true,
    });
    expect(tool.outputSchema).toBeDefined();
    const result = await client.callTool({ name: 'get_test_client', arguments: { client_id: 7 } });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as Record<string, unknown>;
    // Projection drops the undeclared password; redaction masks the card; untrusted text is cleaned.
    expect(structured).not.toHaveProperty('password');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(JSON.stringify(result)).not.toContain('4111 1111 1111 1111');
    expect((structured.notes as { text: string }).text).not.toContain('\u202E');
  });

  it('refuses bad input naming every field, unknown fields included', async () => {
    const client = await connect();
    const error = errorOf(
      await client.callTool({ name: 'get_test_client', arguments: { client_id: -1, extra: 1 } }),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('client_id');
    expect(error.message).toContain('extra');
  });

  it('answers a foreign id exactly like a missing one in client mode', async () => {
    const client = await connect({ accessMode: 'client', allowedClientIds: [7] });
    const foreign = errorOf(await client.callTool({ name: 'get_test_client', arguments: { client_id: 8 } }));
    expect(foreign).toEqual({
      code: 'not_found',
      message: 'Client 8 was not found.',
      details: { entity: 'client', id: 8 },
    });
    expect(calls).toHaveLength(0);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).not.toContain('sneaky_write');
  });

  it('hides and refuses tools outside the allowlist', async () => {
    const client = await connect({ toolAllowlist: ['sneaky_write'] });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['sneaky_write']);
    expect(
      errorOf(await client.callTool({ name: 'get_test_client', arguments: { client_id: 1 } })).code,
    ).toBe('forbidden');
  });

  it('keeps read tools from reaching write actions', async () => {
    const client = await connect();
    const error = errorOf(await client.callTool({ name: 'sneaky_write', arguments: {} }));
    expect(error.code).toBe('approval_required');
    expect(calls).toHaveLength(0);
  });

  it('requires MCP_AUTH_TOKEN when configured, from _meta or the argument', async () => {
    const token = 'a-long-enough-test-token';
    const client = await connect({}, stdioPrincipal(), token);
    expect(
      errorOf(await client.callTool({ name: 'get_test_client', arguments: { client_id: 1 } })).code,
    ).toBe('auth_failed');
    expect(
      errorOf(
        await client.callTool({ name: 'get_test_client', arguments: { client_id: 1, auth_token: 'wrong' } }),
      ).code,
    ).toBe('auth_failed');
    const viaArgument = await client.callTool({
      name: 'get_test_client',
      arguments: { client_id: 1, auth_token: token },
    });
    expect(viaArgument.isError).toBeFalsy();
    const viaMeta = await client.callTool({
      name: 'get_test_client',
      arguments: { client_id: 1 },
      _meta: { auth_token: token },
    });
    expect(viaMeta.isError).toBeFalsy();
  });
});
