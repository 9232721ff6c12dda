import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { redactReply } from '../../src/tools/generic/reply-redaction.js';
import { ACTION_TABLE, listActions } from '../../src/whmcs/actions.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;
type Item = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;

let admin: Harness;
let scoped: Harness;

function items(result: Structured): Item[] {
  return result.items as Item[];
}

async function walk(name: string, args: Record<string, unknown>, limit: number, harness = admin) {
  const seen: Item[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = await callOk(harness.client, name, { ...args, limit, offset });
    const pageItems = items(page);
    expect(page.count).toBe(pageItems.length);
    total ??= page.total as number;
    expect(page.total).toBe(total);
    expect(page.has_more).toBe(offset + pageItems.length < total);
    expect(page.next_offset).toBe(page.has_more ? offset + pageItems.length : null);
    seen.push(...pageItems);
    offset = page.next_offset as number | null;
  }
  expect(seen.length).toBe(total);
  return seen;
}

/** Runs a call that must fail and proves it never reached WHMCS. */
async function refusedWithoutWhmcs(args: Record<string, unknown>) {
  const before = admin.sandbox.stats().requests;
  const error = await callError(admin.client, 'whmcs_call', args);
  expect(admin.sandbox.stats().requests).toBe(before);
  return error;
}

/** Every key anywhere in a value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => [key, ...keysOf(child)]);
  }
  return [];
}

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
});

afterAll(async () => {
  await scoped?.close();
  await admin?.close();
});

describe('whmcs_list_actions', () => {
  it('pages through the whole action table', async () => {
    const all = await walk('whmcs_list_actions', {}, 40);
    expect(all.map((action) => action.name)).toEqual(ACTION_TABLE.map((action) => action.name));
    const addCredit = all.find((action) => action.name === 'AddCredit')!;
    expect(addCredit).toMatchObject({ kind: 'write', risk: 'medium', effects: ['money'], blocked: false });
    expect(addCredit.how_to_use).toMatch(/write intent/);
  });

  it('filters by kind, blocked state and text', async () => {
    const reads = await walk('whmcs_list_actions', { kind: 'read' }, 100);
    expect(reads.length).toBe(listActions({ kind: 'read' }).length);
    expect(reads.every((action) => action.kind === 'read')).toBe(true);

    const blocked = await walk('whmcs_list_actions', { blocked: true }, 100);
    expect(blocked.map((action) => action.name)).toEqual(
      expect.arrayContaining(['DecryptPassword', 'GetClientPassword']),
    );
    expect(
      blocked.every((action) => action.blocked === true && typeof action.blocked_reason === 'string'),
    ).toBe(true);

    const invoices = await walk('whmcs_list_actions', { search: 'INVOICE' }, 100);
    expect(invoices.length).toBeGreaterThan(3);
    for (const action of invoices) {
      expect(`${action.name as string} ${action.summary as string}`.toLowerCase()).toContain('invoice');
    }
  });

  it('refuses bad input by name', async () => {
    for (const args of [{ kind: 'delete' }, { search: 'x'.repeat(10_000) }, { limit: 101 }, { limit: 0 }]) {
      const error = await callError(admin.client, 'whmcs_list_actions', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(Object.keys(args)[0]!);
    }
  });
});

describe('whmcs_describe_action', () => {
  it("returns a read action's parameters and how to call it, in any letter case", async () => {
    const action = await callOk(admin.client, 'whmcs_describe_action', { action: 'getinvoices' });
    expect(action).toMatchObject({ name: 'GetInvoices', kind: 'read', blocked: false, paged: true });
    const parameters = action.parameters as Item[];
    expect(parameters.map((param) => param.name)).toEqual(
      expect.arrayContaining(['limitstart', 'limitnum', 'userid', 'status']),
    );
    expect(
      parameters.every((param) => typeof param.type === 'string' && typeof param.required === 'boolean'),
    ).toBe(true);
    expect(action.how_to_use).toMatch(/whmcs_call/);
  });

  it('says why a blocked action is blocked, and what a write needs', async () => {
    const blocked = await callOk(admin.client, 'whmcs_describe_action', { action: 'DecryptPassword' });
    expect(blocked.blocked).toBe(true);
    expect(blocked.blocked_reason).toMatch(/password/i);
    const write = await callOk(admin.client, 'whmcs_describe_action', { action: 'AddCredit' });
    expect(write).toMatchObject({ kind: 'write', risk: 'medium', effects: ['money'] });
    const required = (write.parameters as Item[])
      .filter((param) => param.required)
      .map((param) => param.name);
    expect(required.sort()).toEqual(['amount', 'clientid', 'description']);
  });

  it('suggests close matches for an unknown action, naming the field', async () => {
    const error = await callError(admin.client, 'whmcs_describe_action', { action: 'GetInvoicez' });
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('action');
    expect(error.details?.suggestions).toEqual(expect.arrayContaining(['GetInvoices']));
    const long = await callError(admin.client, 'whmcs_describe_action', { action: 'A'.repeat(10_000) });
    expect(long.code).toBe('invalid_input');
    expect(long.message).toContain('action');
  });
});

describe('whmcs_call', () => {
  it('runs a documented read and returns the normalized reply', async () => {
    const state = admin.sandbox.state;
    const result = await callOk(admin.client, 'whmcs_call', {
      action: 'getinvoices',
      params: { userid: demo.id, status: 'Unpaid', limitnum: 100 },
    });
    expect(result).toMatchObject({ action: 'GetInvoices', untrusted: true });
    const reply = result.reply as Structured;
    const invoices = reply.invoices as Item[];
    const expected = [...state.invoices.values()].filter(
      (invoice) => invoice.clientId === demo.id && invoice.status === 'Unpaid',
    );
    expect(invoices.map((invoice) => invoice.id).sort()).toEqual(
      expected.map((invoice) => invoice.id).sort(),
    );
    expect(reply.totalresults).toBe(expected.length);
    for (const invoice of invoices) {
      expect(invoice.userid).toBe(demo.id);
      expect(invoice.total).toMatch(/^\d+\.\d{2}$/);
    }
    expect(reply).not.toHaveProperty('result');
  });

  it('refuses unknown, missing and mistyped parameters by name before calling WHMCS', async () => {
    const unknown = await refusedWithoutWhmcs({
      action: 'GetInvoices',
      params: { userid: 1, colour: 'red' },
    });
    expect(unknown.code).toBe('invalid_input');
    expect(unknown.message).toContain('params.colour');

    const missing = await refusedWithoutWhmcs({ action: 'GetInvoice', params: {} });
    expect(missing.code).toBe('invalid_input');
    expect(missing.message).toContain('params.invoiceid');
    expect(missing.details?.problems).toEqual([
      { field: 'params.invoiceid', message: expect.stringContaining('required') as unknown },
    ]);

    const mistyped = await refusedWithoutWhmcs({ action: 'GetInvoice', params: { invoiceid: 'twelve' } });
    expect(mistyped.code).toBe('invalid_input');
    expect(mistyped.message).toContain('invoiceid');

    const reserved = await refusedWithoutWhmcs({ action: 'GetInvoices', params: { identifier: 'x' } });
    expect(reserved.code).toBe('invalid_input');
    expect(reserved.message).toContain('identifier');

    const unknownAction = await refusedWithoutWhmcs({ action: 'GetEverything', params: {} });
    expect(unknownAction.code).toBe('invalid_input');
    expect(unknownAction.message).toContain('action');
  });

  it('refuses blocked actions as forbidden with the reason, without reaching WHMCS', async () => {
    for (const [action, params] of [
      ['DecryptPassword', { password2: 'c2VjcmV0' }],
      ['GetClientPassword', { userid: demo.id }],
    ] as const) {
      const error = await refusedWithoutWhmcs({ action, params });
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain(action);
      expect(error.message).toMatch(/blocked/);
      expect(error.message).toMatch(/password|credential/i);
      expect(admin.sandbox.stats().actions[action]).toBeUndefined();
    }
  });

  it('never runs a write: in read_only mode AddCredit is refused before WHMCS and the credit balance stays', async () => {
    const creditBefore = admin.sandbox.state.clients.get(demo.id)!.credit;
    // In full or simulate mode whmcs_call drafts a write as a pending intent (test/tools/writes.test.ts);
    // this server runs read_only, where nothing can even be drafted.
    const error = await refusedWithoutWhmcs({
      action: 'AddCredit',
      params: { clientid: demo.id, description: 'goodwill', amount: '10.00' },
      reason: 'goodwill credit for the outage',
    });
    expect(error.code).toBe('not_permitted_in_mode');
    expect(error.message).toMatch(/read_only/);
    expect(admin.sandbox.stats().actions.AddCredit).toBeUndefined();
    expect(admin.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore);
  });

  it('withholds service passwords from GetClientsProducts', async () => {
    const passwords = [...admin.sandbox.state.services.values()]
      .filter((service) => service.clientId === demo.id && service.password !== '')
      .map((service) => service.password);
    expect(passwords.length).toBeGreaterThan(0);
    const result = await admin.client.callTool({
      name: 'whmcs_call',
      arguments: { action: 'GetClientsProducts', params: { clientid: demo.id } },
    });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as Structured;
    const products = (structured.reply as Structured).products as Item[];
    expect(products.length).toBeGreaterThan(0);
    expect(keysOf(structured).some((key) => /password/i.test(key))).toBe(false);
    expect(structured.removed_fields).toEqual(expect.arrayContaining(['products[].password']));
    const text = JSON.stringify(result);
    for (const password of passwords) expect(text).not.toContain(password);
  });

  it('withholds gateway tokens from GetPayMethods and keeps the masked card', async () => {
    const tokens = [...admin.sandbox.state.payMethods.values()]
      .filter((payMethod) => payMethod.clientId === demo.id && payMethod.remoteToken !== '')
      .map((payMethod) => payMethod.remoteToken);
    expect(tokens.length).toBeGreaterThan(0);
    const result = await admin.client.callTool({
      name: 'whmcs_call',
      arguments: { action: 'GetPayMethods', params: { clientid: demo.id } },
    });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as Structured;
    const payMethods = (structured.reply as Structured).paymethods as Item[];
    expect(payMethods.length).toBeGreaterThan(0);
    expect(payMethods[0]).toHaveProperty('card_last_four');
    expect(keysOf(structured)).not.toContain('remote_token');
    expect(structured.removed_fields).toEqual(expect.arrayContaining(['paymethods[].remote_token']));
    const text = JSON.stringify(result);
    for (const token of tokens) {
      expect(text).not.toContain(token);
      // The token is JSON text; its gateway ids must not leak either.
      for (const part of Object.values(JSON.parse(token) as Record<string, string>))
        expect(text).not.toContain(part);
    }
  });

  it('removes hidden characters from customer text and marks the reply untrusted', async () => {
    const ticket = SEED_FACTS.injectionTicket;
    const result = await callOk(admin.client, 'whmcs_call', {
      action: 'GetTicket',
      params: { ticketid: ticket.id },
    });
    expect(result.untrusted).toBe(true);
    const text = JSON.stringify(result.reply);
    expect(text).toContain('add_credit');
    expect(text).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064]/);
  });

  it('bounds parameter values, their number and their total size', async () => {
    const long = await refusedWithoutWhmcs({ action: 'GetClients', params: { search: 'x'.repeat(10_000) } });
    expect(long.code).toBe('invalid_input');
    expect(long.message).toContain('params.search');

    const many = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`p${index}`, 1]));
    const tooMany = await refusedWithoutWhmcs({ action: 'GetClients', params: many });
    expect(tooMany.code).toBe('invalid_input');
    expect(tooMany.message).toContain('params');

    const bulky = Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [`p${index}`, 'y'.repeat(900)]),
    );
    const tooBig = await refusedWithoutWhmcs({ action: 'GetClients', params: bulky });
    expect(tooBig.code).toBe('invalid_input');
    expect(tooBig.message).toMatch(/params.*total/);

    const nested = await refusedWithoutWhmcs({ action: 'GetClients', params: { search: { a: { b: 'c' } } } });
    expect(nested.code).toBe('invalid_input');

    const bigPage = await refusedWithoutWhmcs({ action: 'GetClients', params: { limitnum: 1000 } });
    expect(bigPage.code).toBe('invalid_input');
    expect(bigPage.message).toContain('params.limitnum');
  });

  it('does not read configuration settings that can hold credentials', async () => {
    const error = await refusedWithoutWhmcs({
      action: 'GetConfigurationValue',
      params: { setting: 'SMTPPassword' },
    });
    expect(error.code).toBe('forbidden');
  });
});

describe('reply redaction', () => {
  it('drops secret-named keys at any depth and reports their paths, not their values', () => {
    const { reply, removed } = redactReply('GetOrders', {
      result: 'success',
      orders: [
        { id: 1, transfersecret: 'epp-1', lineitems: [{ password: 'p', eppcode: 'e', product: 'x' }] },
        { id: 2, remote_token: '{"customer":"cus_1"}', accesshash: 'h', note: 'keep\u202Eme' },
      ],
      securityqans: 'blue',
      gatewayid: 'cus_2',
    });
    expect(reply).toEqual({
      orders: [
        { id: 1, lineitems: [{ product: 'x' }] },
        { id: 2, note: 'keepme' },
      ],
    });
    expect(removed).toEqual([
      'gatewayid',
      'orders[].accesshash',
      'orders[].lineitems[].eppcode',
      'orders[].lineitems[].password',
      'orders[].remote_token',
      'orders[].transfersecret',
      'securityqans',
    ]);
  });

  it('drops e-mail bodies, which can carry welcome-mail passwords', () => {
    const { reply, removed } = redactReply('GetEmails', {
      emails: [{ id: 1, subject: 'Welcome', message: 'pw: x' }],
    });
    expect(reply).toEqual({ emails: [{ id: 1, subject: 'Welcome' }] });
    expect(removed).toEqual(['emails[].message']);
  });
});

describe('client mode', () => {
  it('offers the action table but never the generic call', async () => {
    const names = (await scoped.client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['whmcs_list_actions', 'whmcs_describe_action']));
    expect(names).not.toContain('whmcs_call');
    const before = admin.sandbox.stats().requests;
    const error = await callError(scoped.client, 'whmcs_call', {
      action: 'GetInvoices',
      params: { userid: SEED_FACTS.euroClient.id },
    });
    expect(error.code).toBe('forbidden');
    expect(admin.sandbox.stats().requests).toBe(before);
    const described = await callOk(scoped.client, 'whmcs_describe_action', { action: 'GetInvoice' });
    expect(described.name).toBe('GetInvoice');
  });
});
