/**
 * Client scope, exhaustively, through a real SDK client in client mode (bound to client 1):
 * - for every tool and resource that takes an entity id, a foreign id and a missing id give the
 *   same answer (same code and message once the id itself is set aside);
 * - no output of any tool or resource contains another client's e-mail address or name.
 * The cases come from each tool's published input schema, so a new tool is swept automatically.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { startHarness, type Harness } from '../helpers/mcp-harness.js';

const BOUND_CLIENT = SEED_FACTS.demoClient.id;
const MISSING_ID = 987_654;
const demo = SEED_FACTS.demoClient;

let harness: Harness;
let tools: Tool[];

beforeAll(async () => {
  harness = await startHarness({
    env: { MCP_MODE: 'full', MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(BOUND_CLIENT) },
  });
  tools = (await harness.client.listTools()).tools;
  // The seed's only quote belongs to client 1; give client 2 one so quotes are swept too.
  const quotes = harness.sandbox.state.quotes;
  const template = quotes.get(demo.quoteId)!;
  const id = Math.max(...quotes.keys()) + 1;
  quotes.set(id, { ...template, id, clientId: SEED_FACTS.euroClient.id });
});
afterAll(async () => harness?.close());

type EntityTable = 'clients' | 'invoices' | 'services' | 'domains' | 'tickets' | 'orders' | 'quotes';

const ID_FIELDS: Record<string, EntityTable> = {
  client_id: 'clients',
  invoice_id: 'invoices',
  service_id: 'services',
  domain_id: 'domains',
  ticket_id: 'tickets',
  order_id: 'orders',
  quote_id: 'quotes',
};

/** Ids of client 1's own entities, for calls that must succeed. */
const OWN_IDS: Record<string, number> = {
  client_id: demo.id,
  invoice_id: demo.invoices.unpaid,
  service_id: demo.services.active,
  domain_id: demo.domains.active,
  ticket_id: demo.tickets.customerReply,
  order_id: demo.orders.active,
  quote_id: demo.quoteId,
};

function foreignId(table: EntityTable): number {
  const rows = harness.sandbox.state[table] as Map<number, { id: number; clientId?: number }>;
  for (const row of rows.values()) {
    const owner = table === 'clients' ? row.id : row.clientId;
    if (owner !== undefined && owner !== BOUND_CLIENT && owner !== 0) return row.id;
  }
  throw new Error(`the seed has no foreign ${table}`);
}

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  minLength?: number;
  minItems?: number;
}

/** Plausible values for the other required fields, so the call reaches the ownership check. */
function filler(field: string, schema: PropertySchema): unknown {
  if (schema.enum) return schema.enum[0];
  if (field === 'limit') return 10;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return field === 'reason' ? 'scope sweep' : 'Scope sweep text';
  }
}

function argsFor(tool: Tool, overrides: Record<string, unknown>): Record<string, unknown> {
  const schema = tool.inputSchema as { properties?: Record<string, PropertySchema>; required?: string[] };
  const args: Record<string, unknown> = {};
  for (const field of schema.required ?? []) {
    const property = schema.properties?.[field] ?? {};
    args[field] = field in OWN_IDS ? OWN_IDS[field] : filler(field, property);
  }
  return { ...args, ...overrides };
}

/** Sets the id itself aside (as a whole number, so "-32002" survives an id of 2). */
function withoutId(text: string, id: number): string {
  return text.replace(new RegExp(`\\b${id}\\b`, 'g'), '<id>');
}

describe('client mode', () => {
  it('lists no tool that spans clients', () => {
    const names = tools.map((tool) => tool.name);
    for (const name of [
      'search_clients',
      'list_invoices',
      'list_services',
      'get_accounts_receivable_aging',
      'whmcs_call',
    ]) {
      expect(names).not.toContain(name);
    }
    for (const tool of tools) expect(tool._meta?.['whmcs-mcp/client-mode'], tool.name).not.toBe('admin_only');
  });

  it('answers a foreign id exactly like a missing one, on every tool that takes an entity id', async () => {
    let compared = 0;
    for (const tool of tools) {
      const properties = (tool.inputSchema as { properties?: Record<string, unknown> }).properties ?? {};
      for (const [field, table] of Object.entries(ID_FIELDS)) {
        if (!(field in properties)) continue;
        const foreign = foreignId(table);
        const asForeign = await harness.client.callTool({
          name: tool.name,
          arguments: argsFor(tool, { [field]: foreign }),
        });
        const asMissing = await harness.client.callTool({
          name: tool.name,
          arguments: argsFor(tool, { [field]: MISSING_ID }),
        });
        const label = `${tool.name}.${field}`;
        expect(asForeign.isError, `${label} with a foreign id`).toBe(true);
        expect(asMissing.isError, `${label} with a missing id`).toBe(true);
        const foreignRaw = (asForeign.content as Array<{ text: string }>)[0]!.text;
        const missingRaw = (asMissing.content as Array<{ text: string }>)[0]!.text;
        expect(withoutId(foreignRaw, foreign), label).toBe(withoutId(missingRaw, MISSING_ID));
        expect(JSON.parse(foreignRaw).error.code, label).toBe('not_found');
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('answers a foreign id exactly like a missing one on every resource template', async () => {
    const { resourceTemplates } = await harness.client.listResourceTemplates();
    const tables: Record<string, EntityTable> = {
      clients: 'clients',
      invoices: 'invoices',
      tickets: 'tickets',
    };
    let compared = 0;
    for (const template of resourceTemplates) {
      const table = tables[/^whmcs:\/\/([a-z]+)\//.exec(template.uriTemplate)?.[1] ?? ''];
      if (!table) continue;
      const read = async (id: number) => {
        try {
          await harness.client.readResource({ uri: template.uriTemplate.replace('{id}', String(id)) });
          return 'succeeded';
        } catch (error) {
          return withoutId(String((error as Error).message), id);
        }
      };
      const foreign = foreignId(table);
      const [asForeign, asMissing] = [await read(foreign), await read(MISSING_ID)];
      expect(asForeign, template.uriTemplate).not.toBe('succeeded');
      expect(asForeign, template.uriTemplate).toBe(asMissing);
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  });

  it('never returns data of another client from any tool or resource', async () => {
    const others = [...harness.sandbox.state.clients.values()].filter((client) => client.id !== BOUND_CLIENT);
    const markers = others.flatMap((client) => [
      client.email.toLowerCase(),
      `${client.firstname} ${client.lastname}`.toLowerCase(),
    ]);
    const outputs: string[] = [];
    for (const tool of tools) {
      const result = await harness.client.callTool({ name: tool.name, arguments: argsFor(tool, {}) });
      outputs.push(`${tool.name}: ${JSON.stringify(result)}`);
    }
    const { resourceTemplates } = await harness.client.listResourceTemplates();
    for (const template of resourceTemplates) {
      const id = template.uriTemplate.startsWith('whmcs://invoices')
        ? OWN_IDS.invoice_id
        : template.uriTemplate.startsWith('whmcs://tickets')
          ? OWN_IDS.ticket_id
          : BOUND_CLIENT;
      const contents = await harness.client.readResource({
        uri: template.uriTemplate.replace('{id}', String(id)),
      });
      outputs.push(`${template.uriTemplate}: ${JSON.stringify(contents)}`);
    }
    for (const output of outputs) {
      const lower = output.toLowerCase();
      const leak = markers.find((marker) => lower.includes(marker));
      expect(leak, `${output.slice(0, 60)} leaks another client's data`).toBeUndefined();
    }
    expect(outputs.length).toBeGreaterThan(10);
  });
});
