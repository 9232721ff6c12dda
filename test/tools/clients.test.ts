import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCents, parseCents } from '../../src/money.js';
import { CapabilityMatrix } from '../../src/policy/capabilities.js';
import { stdioPrincipal } from '../../src/policy/principal.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { ToolDispatcher } from '../../src/server/dispatch.js';
import type { WhmcsCaller } from '../../src/server/gateway.js';
import { clientsTools } from '../../src/tools/clients/index.js';
import {
  clientDetailsSchema,
  clientSummarySchema,
  parseFormattedAmount,
  parseLastLogin,
  projectClientSummary,
  projectPayMethod,
} from '../../src/tools/clients/projections.js';
import { WriteFlow } from '../../src/writes/engine.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';
import { callError, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;
type Item = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const MISSING_CLIENT = 987_654;
/** Client 2 exists but is outside the client-mode scope. */
const FOREIGN_CLIENT = SEED_FACTS.euroClient.id;
const EXTRA_CONTACTS = 6;

let admin: Harness;
let scoped: Harness;
/** Every successful answer, for the secrets sweep at the end. */
const answers: string[] = [];

async function ok(harness: Harness, name: string, args: Record<string, unknown> = {}): Promise<Structured> {
  const result = await harness.client.callTool({ name, arguments: args });
  answers.push(JSON.stringify(result));
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Structured;
}

function items(result: Structured): Item[] {
  return result.items as Item[];
}

/** An answer about one id with the id replaced, so a foreign id's answer can be compared with a missing one's. */
function withoutId(answer: unknown, id: number): string {
  return JSON.stringify(answer).replaceAll(String(id), '<id>');
}

/** Walks every page of a list tool and checks the envelope on each page. */
async function walk(harness: Harness, name: string, args: Record<string, unknown>, limit: number) {
  const seen: Item[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = await ok(harness, name, { ...args, limit, offset });
    const pageItems = items(page);
    expect(page.count).toBe(pageItems.length);
    expect(page.offset).toBe(offset);
    expect(page.limit).toBe(limit);
    expect(pageItems.length).toBeLessThanOrEqual(limit);
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

beforeAll(async () => {
  admin = await startHarness({ env: { MCP_CLIENT_CUSTOM_FIELD_LABELS: '1:Account manager' } });
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
  const state = admin.sandbox.state;
  // More contacts for the demo client, so paging has pages to walk.
  for (let index = 0; index < EXTRA_CONTACTS; index++) {
    state.insertContact({
      clientId: demo.id,
      firstname: `Extra${index}`,
      lastname: 'Contact',
      companyname: '',
      email: `extra${index}@example.com`,
      address1: 'Street 1',
      address2: '',
      city: 'Göteborg',
      state: '',
      postcode: '411 01',
      country: 'SE',
      phonenumber: '',
      emailPreferences: 1,
      createdAt: '2025-01-01 10:00:00',
      updatedAt: '2025-01-01 10:00:00',
    });
  }
  // The euro client's owner also manages the demo client: a user linked to a visible and a foreign client.
  const euroOwner = state.users.get(state.clients.get(FOREIGN_CLIENT)!.ownerUserId)!;
  state.linkUserToClient(euroOwner, demo.id, false);
  // A second card on the failed-capture client: the first one listed stays the default.
  const { id: _failedCardId, ...failedCard } = state.payMethods.get(SEED_FACTS.failedCapture.payMethodId)!;
  state.insertPayMethod({ ...failedCard, cardLastFour: '1881', expiryDate: '01/30', isDefault: false });
  // Admin notes with direction-changing characters on a generated client.
  state.clients.get(SEED_FACTS.firstGeneratedClientId)!.notes = 'Call back\u202E tomorrow\u200B.';
}, 30_000);

afterAll(async () => {
  await scoped?.close();
  await admin?.close();
});

describe('search_clients', () => {
  it('finds the demo client by the start of its name, email or company', async () => {
    for (const search of ['Zoë', 'lindqvist', demo.email.slice(0, 6), 'Lindqvist Design']) {
      const result = await ok(admin, 'search_clients', { search });
      const found = items(result).find((item) => item.id === demo.id);
      expect(found, search).toMatchObject({
        firstname: demo.firstname,
        lastname: demo.lastname,
        email: demo.email,
        status: 'Active',
        groupid: 0,
      });
      expect(found!.datecreated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const none = await ok(admin, 'search_clients', { search: 'no-such-client-xyz' });
    expect(none).toMatchObject({ items: [], total: 0, count: 0, has_more: false, next_offset: null });
  });

  it('returns only the asked status, with totals that add up', async () => {
    const all = await ok(admin, 'search_clients', { limit: 100 });
    const byStatus = new Map<string, number>();
    for (const item of items(all))
      byStatus.set(item.status as string, (byStatus.get(item.status as string) ?? 0) + 1);
    let sum = 0;
    for (const status of ['Active', 'Inactive', 'Closed']) {
      const result = await ok(admin, 'search_clients', { status, limit: 100 });
      expect(items(result).every((item) => item.status === status)).toBe(true);
      expect(result.total).toBe(byStatus.get(status) ?? 0);
      sum += result.total as number;
    }
    expect(sum).toBe(all.total);
    const inactive = await ok(admin, 'search_clients', { status: 'Inactive', limit: 100 });
    expect(items(inactive).map((item) => item.id)).toContain(SEED_FACTS.inactiveClient.id);
    const closed = await ok(admin, 'search_clients', { status: 'Closed', limit: 100 });
    expect(items(closed).map((item) => item.id)).toContain(SEED_FACTS.closedClient.id);
    expect(items(closed).map((item) => item.id)).not.toContain(demo.id);
  });

  it('pages through every client exactly once', async () => {
    const all = await ok(admin, 'search_clients', { limit: 100 });
    const walked = await walk(admin, 'search_clients', {}, 7);
    expect(walked.map((item) => item.id)).toEqual(items(all).map((item) => item.id));
    expect(new Set(walked.map((item) => item.id)).size).toBe(walked.length);
    const active = await walk(admin, 'search_clients', { status: 'Active' }, 9);
    expect(active.every((item) => item.status === 'Active')).toBe(true);
  });

  it('is not offered in client mode and refused by name', async () => {
    const { tools } = await scoped.client.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain('search_clients');
    const error = await callError(scoped.client, 'search_clients', {});
    expect(error.code).not.toBe('invalid_input');
  });

  it('has a one-line summary before the JSON', async () => {
    const result = await admin.client.callTool({
      name: 'search_clients',
      arguments: { search: 'Zoë' },
    });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text.split('\n')[0]).toMatch(/^1 of 1 client\(s\): 1 Zoë Lindqvist \(Active\)\.$/);
  });
});

describe('get_client_details', () => {
  it('returns the demo client with currency, credit, labelled custom fields, users and stats', async () => {
    const { client } = (await ok(admin, 'get_client_details', { client_id: demo.id })) as { client: Item };
    expect(client).toMatchObject({
      id: demo.id,
      firstname: demo.firstname,
      lastname: demo.lastname,
      email: demo.email,
      status: 'Active',
      currency_code: demo.currency,
      credit_balance: demo.creditBalance,
      email_verified: true,
      owner_user_id: demo.ownerUserId,
      notes: { untrusted: true, source: 'staff' },
    });
    expect(client.custom_fields).toEqual([
      {
        id: 1,
        label: 'Account manager',
        value: { untrusted: true, source: 'customer', text: 'Marta Kowalczyk' },
      },
      { id: 2, label: null, value: { untrusted: true, source: 'customer', text: 'Recommended by a friend' } },
    ]);
    const users = client.users as Item[];
    expect(users.find((user) => user.id === demo.ownerUserId)).toMatchObject({ is_owner: true });
    expect(users.find((user) => user.id === demo.secondUserId)).toMatchObject({ is_owner: false });
    expect(client.last_login).toMatchObject({
      date_as_displayed: expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/),
    });

    const stats = client.stats as {
      invoices: Record<'due' | 'overdue', { count: number; amount: string }>;
      services: { total: number };
      domains: { total: number };
    };
    const dueBalance = formatCents(
      parseCents(demo.overdueBalance)! +
        parseCents(demo.unpaidBalance)! +
        parseCents(demo.pendingOrderBalance)!,
    );
    expect(stats.invoices.due).toEqual({ count: 3, amount: dueBalance });
    expect(stats.invoices.overdue.count).toBeGreaterThanOrEqual(1);
    expect(parseCents(stats.invoices.overdue.amount)!).toBeGreaterThanOrEqual(
      parseCents(demo.overdueBalance)!,
    );
    expect(parseCents(stats.invoices.overdue.amount)!).toBeLessThanOrEqual(parseCents(dueBalance)!);
    expect(stats.services.total).toBe(Object.keys(demo.services).length);
    expect(stats.domains.total).toBe(Object.keys(demo.domains).length);
    expect(clientDetailsSchema.safeParse(client).success).toBe(true);
  });

  it('gives the euro client its own currency and cleans notes of hidden characters', async () => {
    const euro = (await ok(admin, 'get_client_details', { client_id: FOREIGN_CLIENT })) as { client: Item };
    expect(euro.client.currency_code).toBe(SEED_FACTS.euroClient.currency);
    const generated = (await ok(admin, 'get_client_details', {
      client_id: SEED_FACTS.firstGeneratedClientId,
    })) as { client: Item };
    expect(generated.client.notes).toEqual({ untrusted: true, source: 'staff', text: 'Call back tomorrow.' });
  });

  it('answers several ids per id, in order, without failing the call for an unknown one', async () => {
    const result = await ok(admin, 'get_client_details', {
      client_ids: [FOREIGN_CLIENT, MISSING_CLIENT, demo.id, FOREIGN_CLIENT],
    });
    const results = result.results as Item[];
    expect(results.map((entry) => entry.client_id)).toEqual([FOREIGN_CLIENT, MISSING_CLIENT, demo.id]);
    expect((results[0]!.client as Item).currency_code).toBe('EUR');
    expect(results[1]).toEqual({
      client_id: MISSING_CLIENT,
      error: { code: 'not_found', message: `Client ${MISSING_CLIENT} was not found.` },
    });
    expect((results[2]!.client as Item).email).toBe(demo.email);
    expect(result.client).toBeUndefined();
  });

  it('refuses a missing id on its own with not_found', async () => {
    const error = await callError(admin.client, 'get_client_details', { client_id: MISSING_CLIENT });
    expect(error).toEqual({
      code: 'not_found',
      message: `Client ${MISSING_CLIENT} was not found.`,
      details: { entity: 'client', id: MISSING_CLIENT },
    });
  });
});

describe('get_client_contacts', () => {
  it('lists the demo client contacts, all of them its own', async () => {
    const result = await ok(admin, 'get_client_contacts', { client_id: demo.id });
    expect(result.client_id).toBe(demo.id);
    expect(result.total).toBe(1 + EXTRA_CONTACTS);
    expect(items(result).every((item) => item.client_id === demo.id)).toBe(true);
    expect(items(result).find((item) => item.id === demo.contactId)).toMatchObject({
      firstname: 'Erik',
      lastname: 'Sandberg',
      email: 'erik.sandberg@example.com',
      email_preferences: { general: true, invoice: true, support: false },
    });
  });

  it('pages coherently', async () => {
    const walked = await walk(admin, 'get_client_contacts', { client_id: demo.id }, 3);
    expect(new Set(walked.map((item) => item.id)).size).toBe(1 + EXTRA_CONTACTS);
  });

  it('returns an empty page for a client without contacts', async () => {
    const result = await ok(admin, 'get_client_contacts', { client_id: SEED_FACTS.closedClient.id });
    expect(result).toMatchObject({ total: 0, count: 0, has_more: false, next_offset: null });
  });
});

describe('list_users', () => {
  it('lists all users in admin mode with their client links, and searches', async () => {
    const all = await walk(admin, 'list_users', {}, 20);
    expect(all.length).toBe(admin.sandbox.state.users.size);
    const euroOwner = all.find(
      (user) => user.id === admin.sandbox.state.clients.get(FOREIGN_CLIENT)!.ownerUserId,
    )!;
    expect(euroOwner.clients).toEqual([
      { client_id: FOREIGN_CLIENT, is_owner: true },
      { client_id: demo.id, is_owner: false },
    ]);
    const erik = await ok(admin, 'list_users', { search: 'erik' });
    expect(items(erik).map((user) => user.id)).toEqual([demo.secondUserId]);
    expect(items(erik)[0]).toMatchObject({ name: 'Erik Sandberg', firstname: 'Erik', lastname: 'Sandberg' });
  });

  it('filters by client: only users linked to it, counted after filtering', async () => {
    const result = await ok(admin, 'list_users', { client_id: demo.id });
    const linked = [...admin.sandbox.state.users.values()]
      .filter((user) => user.clients.some((link) => link.clientId === demo.id))
      .map((user) => user.id)
      .sort((a, b) => a - b);
    expect(items(result).map((user) => user.id)).toEqual(linked);
    expect(result.total).toBe(linked.length);
    const paged = await walk(admin, 'list_users', { client_id: demo.id }, 2);
    expect(paged.map((user) => user.id)).toEqual(linked);
  });

  it('in client mode returns only users of the allowed client and hides links to other clients', async () => {
    const result = await ok(scoped, 'list_users', {});
    const ids = items(result).map((user) => user.id);
    const euroOwnerId = admin.sandbox.state.clients.get(FOREIGN_CLIENT)!.ownerUserId;
    expect(ids).toEqual([demo.ownerUserId, demo.secondUserId, euroOwnerId].sort((a, b) => a - b));
    expect(result.total).toBe(ids.length);
    for (const user of items(result)) {
      expect((user.clients as Item[]).map((link) => link.client_id)).toEqual([demo.id]);
    }
    expect(JSON.stringify(result)).not.toContain(`"client_id":${FOREIGN_CLIENT}`);
    const searched = await ok(scoped, 'list_users', { search: 'erik' });
    expect(items(searched).map((user) => user.id)).toEqual([demo.secondUserId]);
    expect(searched.total).toBe(1);
  });

  it('explains a WHMCS that cannot answer GetUsers, and falls back to the client record in client mode', async () => {
    admin.sandbox.faults.set({ next: [{ fault: 'maintenance', action: 'GetUsers', count: 1 }] });
    try {
      const error = await callError(admin.client, 'list_users', {});
      expect(error.code).toBe('upstream_error');
      expect(error.message).toMatch(/could not list users/);
      expect(error.message).toMatch(/GetUsers/);
      expect(error.message).not.toMatch(/<html|<body/i);

      admin.sandbox.faults.set({ next: [{ fault: 'maintenance', action: 'GetUsers', count: 10 }] });
      const result = await ok(scoped, 'list_users', {});
      const owner = items(result).find((user) => user.id === demo.ownerUserId)!;
      expect(owner).toMatchObject({
        name: `${demo.firstname} ${demo.lastname}`,
        firstname: null,
        lastname: null,
        datecreated: null,
        email: demo.email,
        clients: [{ client_id: demo.id, is_owner: true }],
      });
    } finally {
      admin.sandbox.faults.clear();
    }
  });
});

describe('get_pay_methods', () => {
  it('returns masked pay methods only, the first one as default', async () => {
    const result = await ok(admin, 'get_pay_methods', { client_id: SEED_FACTS.failedCapture.clientId });
    const payMethods = result.pay_methods as Item[];
    expect(result.count).toBe(payMethods.length);
    expect(payMethods[0]).toEqual({
      id: SEED_FACTS.failedCapture.payMethodId,
      type: 'RemoteCreditCard',
      description: expect.any(String),
      card_type: 'Visa',
      card_last_four: '0002',
      expiry: '12/28',
      bank_name: null,
      gateway_name: 'stripe',
      is_default: true,
    });
    expect(payMethods[1]).toMatchObject({ card_last_four: '1881', expiry: '01/30', is_default: false });
    const demoMethods = await ok(admin, 'get_pay_methods', { client_id: demo.id });
    expect((demoMethods.pay_methods as Item[]).map((payMethod) => payMethod.id)).toEqual([demo.payMethodId]);
  });

  it('filters by type, cards including gateway-stored ones', async () => {
    const euroCards = await ok(admin, 'get_pay_methods', { client_id: FOREIGN_CLIENT, type: 'CreditCard' });
    expect(euroCards).toMatchObject({ pay_methods: [], count: 0 });
    const euroBanks = await ok(admin, 'get_pay_methods', { client_id: FOREIGN_CLIENT, type: 'BankAccount' });
    expect((euroBanks.pay_methods as Item[]).map((payMethod) => payMethod.type)).toEqual(['BankAccount']);
    expect(euroBanks.pay_methods).toEqual([expect.objectContaining({ card_last_four: null, expiry: null })]);
    const cards = await ok(admin, 'get_pay_methods', { client_id: demo.id, type: 'CreditCard' });
    expect((cards.pay_methods as Item[]).map((payMethod) => payMethod.type)).toEqual(['RemoteCreditCard']);
  });

  it('returns an empty list for a client without pay methods', async () => {
    const result = await ok(admin, 'get_pay_methods', { client_id: SEED_FACTS.noPayMethod.clientId });
    expect(result).toEqual({ client_id: SEED_FACTS.noPayMethod.clientId, pay_methods: [], count: 0 });
  });
});

describe('get_credits', () => {
  it('returns the credit log with exact amounts that add up to the balance', async () => {
    const result = await ok(admin, 'get_credits', { client_id: demo.id });
    expect(result).toMatchObject({
      client_id: demo.id,
      credit_balance: demo.creditBalance,
      currency_code: demo.currency,
      total: 2,
      count: 2,
    });
    expect(items(result).map((entry) => entry.amount)).toEqual(['40.00', '-15.00']);
    expect(items(result)[1]).toMatchObject({ relid: demo.invoices.paidWithCredit });
    const sum = items(result).reduce((total, entry) => total + parseCents(entry.amount)!, 0n);
    expect(formatCents(sum)).toBe(demo.creditBalance);
    const walked = await walk(admin, 'get_credits', { client_id: demo.id }, 1);
    expect(walked.map((entry) => entry.id)).toEqual(items(result).map((entry) => entry.id));
  });

  it('says credit balance and count in its summary line', async () => {
    const result = await admin.client.callTool({ name: 'get_credits', arguments: { client_id: demo.id } });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text.split('\n')[0]).toBe(
      `Client ${demo.id}: credit balance ${demo.creditBalance} USD; 2 of 2 credit log entries.`,
    );
  });
});

describe('client mode', () => {
  const ownedCalls: Array<[string, (clientId: number) => Record<string, unknown>]> = [
    ['get_client_details', (clientId) => ({ client_id: clientId })],
    ['get_client_contacts', (clientId) => ({ client_id: clientId })],
    ['list_users', (clientId) => ({ client_id: clientId })],
    ['get_pay_methods', (clientId) => ({ client_id: clientId })],
    ['get_credits', (clientId) => ({ client_id: clientId })],
  ];

  it.each(ownedCalls)('%s answers a foreign client exactly like a missing one', async (name, args) => {
    const foreign = await callError(scoped.client, name, args(FOREIGN_CLIENT));
    const missing = await callError(scoped.client, name, args(MISSING_CLIENT));
    expect(foreign.code).toBe('not_found');
    expect(withoutId(foreign, FOREIGN_CLIENT)).toBe(withoutId(missing, MISSING_CLIENT));
    // The admin instance sees that the foreign client exists: the scope, not WHMCS, said no.
    await ok(admin, name, args(FOREIGN_CLIENT));
  });

  it.each(ownedCalls)('%s serves the allowed client', async (name, args) => {
    const result = await ok(scoped, name, args(demo.id));
    expect(JSON.stringify(result)).not.toContain(`"client_id":${FOREIGN_CLIENT}`);
    expect(JSON.stringify(result)).not.toContain(SEED_FACTS.euroClient.currency);
  });

  it('get_client_details with several ids gives a foreign id the entry a missing id gets', async () => {
    const result = await ok(scoped, 'get_client_details', {
      client_ids: [FOREIGN_CLIENT, demo.id, MISSING_CLIENT],
    });
    const [foreign, own, missing] = result.results as Item[];
    expect(withoutId(foreign, FOREIGN_CLIENT)).toBe(withoutId(missing, MISSING_CLIENT));
    expect(foreign).not.toHaveProperty('client');
    expect((own!.client as Item).id).toBe(demo.id);
    expect(JSON.stringify(result)).not.toContain(SEED_FACTS.euroClient.currency);
  });
});

describe('bad input', () => {
  const long = 'x'.repeat(10_000);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['search_clients', { limit: 0 }, 'limit'],
    ['search_clients', { limit: 101 }, 'limit'],
    ['search_clients', { offset: -1 }, 'offset'],
    ['search_clients', { search: long }, 'search'],
    ['search_clients', { status: 'Fraud' }, 'status'],
    ['search_clients', { surprise: 1 }, 'surprise'],
    ['get_client_details', {}, 'client_id'],
    ['get_client_details', { client_id: 1, client_ids: [2] }, 'client_id'],
    ['get_client_details', { client_id: '1' }, 'client_id'],
    ['get_client_details', { client_id: -3 }, 'client_id'],
    ['get_client_details', { client_id: 1.5 }, 'client_id'],
    ['get_client_details', { client_ids: [] }, 'client_ids'],
    ['get_client_details', { client_ids: Array.from({ length: 21 }, (_, index) => index + 1) }, 'client_ids'],
    ['get_client_details', { client_ids: [1, 0] }, 'client_ids.1'],
    ['get_client_contacts', {}, 'client_id'],
    ['get_client_contacts', { client_id: 1, limit: 0 }, 'limit'],
    ['get_client_contacts', { client_id: 1, limit: 101 }, 'limit'],
    ['list_users', { search: long }, 'search'],
    ['list_users', { limit: 101 }, 'limit'],
    ['list_users', { client_id: 0 }, 'client_id'],
    ['get_pay_methods', { client_id: 1, type: 'RemoteCreditCard' }, 'type'],
    ['get_pay_methods', { client_id: 'one' }, 'client_id'],
    ['get_credits', { client_id: -1 }, 'client_id'],
    ['get_credits', { client_id: 1, limit: 0 }, 'limit'],
  ];

  it.each(cases)('%s %j is invalid_input naming %s', async (name, args, field) => {
    const error = await callError(admin.client, name, args);
    expect(error.code).toBe('invalid_input');
    const problems = (error.details?.problems ?? []) as Array<{ field: string }>;
    expect(problems.map((problem) => problem.field)).toContain(field);
    expect(error.message).toContain(field);
  });
});

describe('secrets', () => {
  it('never leave in any answer: password hashes, security answers, gateway tokens', async () => {
    for (let clientId = 1; clientId < SEED_FACTS.firstGeneratedClientId + 2; clientId++) {
      await ok(admin, 'get_client_details', { client_id: clientId });
      await ok(admin, 'get_pay_methods', { client_id: clientId });
      await ok(admin, 'get_client_contacts', { client_id: clientId });
      await ok(admin, 'get_credits', { client_id: clientId });
      await ok(admin, 'list_users', { client_id: clientId });
    }
    await ok(admin, 'search_clients', { limit: 100 });
    await ok(admin, 'list_users', { limit: 100 });
    const state = admin.sandbox.state;
    const secrets = new Set<string>();
    for (const client of state.clients.values()) {
      if (client.passwordHash) secrets.add(client.passwordHash);
      if (client.securityAnswer) secrets.add(client.securityAnswer);
    }
    for (const user of state.users.values()) if (user.passwordHash) secrets.add(user.passwordHash);
    for (const payMethod of state.payMethods.values()) {
      if (!payMethod.remoteToken) continue;
      secrets.add(payMethod.remoteToken);
      for (const part of Object.values(JSON.parse(payMethod.remoteToken) as Record<string, string>))
        secrets.add(part);
    }
    expect(secrets.size).toBeGreaterThan(20);
    const everything = answers.join('\n');
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
    expect(everything).not.toMatch(/remote_token|securityqans|password/i);
  });
});

// --- units: the pieces WHMCS installations differ on -------------------------------------------------

describe('parseFormattedAmount', () => {
  it.each([
    ['$2645.80 USD', '2645.80'],
    ['$2,645.80 USD', '2645.80'],
    ['€1.234,56 EUR', '1234.56'],
    ['1,234', '1234.00'],
    ['-£5.00 GBP', '-5.00'],
    ['$-5.5 USD', '-5.50'],
    ['15.95', '15.95'],
    [12.5, '12.50'],
    ['$0.00 USD', '0.00'],
  ])('%s -> %s', (input, expected) => {
    expect(parseFormattedAmount(input)).toBe(expected);
  });

  it('gives null for what is not an amount', () => {
    expect(parseFormattedAmount('n/a')).toBeNull();
    expect(parseFormattedAmount(undefined)).toBeNull();
    expect(parseFormattedAmount(true)).toBeNull();
  });
});

describe('parseLastLogin', () => {
  it('reads WHMCS text and knows when there was no login', () => {
    expect(parseLastLogin('Date: 03/10/2016 10:26<br>IP Address: 203.0.113.9<br>Host: host.example')).toEqual(
      {
        date_as_displayed: '03/10/2016 10:26',
        ip_address: '203.0.113.9',
        host: 'host.example',
      },
    );
    expect(parseLastLogin('Date: 03/10/2016 10:26<br>IP Address:<br>Host:')).toEqual({
      date_as_displayed: '03/10/2016 10:26',
      ip_address: null,
      host: null,
    });
    expect(parseLastLogin('No Login Logged')).toBeNull();
    expect(parseLastLogin('')).toBeNull();
  });
});

describe('projections', () => {
  it('projectClientSummary reads a GetClientsDetails reply and a GetClients row alike', () => {
    const row = {
      id: 4,
      firstname: 'A',
      lastname: 'B',
      companyname: '',
      email: 'a@b.c',
      status: 'Inactive',
      datecreated: '2024-01-02',
      groupid: 2,
    };
    const fromRow = projectClientSummary(row);
    const fromReply = projectClientSummary({
      client: { ...row, datecreated: undefined, currency_code: 'GBP', password: 'x' },
    });
    expect(fromRow).toEqual({ ...row, currency_code: null });
    expect(fromReply).toEqual({ ...row, datecreated: null, currency_code: 'GBP' });
    expect(clientSummarySchema.safeParse(fromReply).success).toBe(true);
    expect(projectClientSummary(row, 'EUR').currency_code).toBe('EUR');
  });

  it('projectPayMethod keeps only masked fields, even when WHMCS sends more', () => {
    const projected = projectPayMethod(
      {
        id: 9,
        type: 'CreditCard',
        description: 'Card',
        card_last_four: '4111111111111111',
        expiry_date: '11/2029',
        card_type: 'Visa',
        remote_token: 'tok_secret',
        card_number: '4111111111111111',
      },
      false,
    );
    expect(projected).toEqual({
      id: 9,
      type: 'CreditCard',
      description: 'Card',
      card_type: 'Visa',
      card_last_four: null,
      expiry: '11/29',
      bank_name: null,
      gateway_name: null,
      is_default: false,
    });
  });
});

describe('against a WHMCS that differs from the sandbox', () => {
  function dispatcherWith(whmcs: WhmcsCaller) {
    return new ToolDispatcher({
      tools: clientsTools,
      resources: [],
      whmcs,
      policy: { mode: 'read_only', accessMode: 'admin', allowedClientIds: [] },
      settings: {
        mode: 'read_only',
        environment: 'test',
        largeRefundThreshold: '1000.00',
        clientCustomFieldLabels: new Map(),
      },
      capabilities: new CapabilityMatrix([], async () => ({})),
      // Read tools never reach the write-flow; the dispatcher still needs one.
      writeFlow: new WriteFlow({
        store: new SqliteIntentStore({ path: ':memory:' }),
        whmcs,
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
    });
  }

  async function call(dispatcher: ToolDispatcher, name: string, args: Record<string, unknown>) {
    const outcome = await dispatcher.call({
      name,
      arguments: args,
      principal: stdioPrincipal(),
      signal: new AbortController().signal,
    });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
    return outcome.structured;
  }

  it('resolves a currency id through GetCurrencies once per call, whatever the number of clients', async () => {
    const actions: string[] = [];
    const dispatcher = dispatcherWith({
      async call(action, params) {
        actions.push(action);
        if (action === 'GetCurrencies') {
          return {
            currencies: [
              { id: 1, code: 'USD' },
              { id: 3, code: 'GBP' },
            ],
          };
        }
        const clientId = (params as { clientid: number }).clientid;
        return {
          client: {
            id: clientId,
            firstname: 'Old',
            lastname: 'WHMCS',
            email: 'o@w.x',
            status: 'Active',
            currency: 3,
            credit: '1.50',
            password: 'hash',
            securityqans: 'pet',
          },
          stats: { numdueinvoices: 1, dueinvoicesbalance: '£1,000.00 GBP' },
        };
      },
    });
    const result = await call(dispatcher, 'get_client_details', { client_ids: [1, 2, 3] });
    const clients = (result.results as Item[]).map((entry) => entry.client as Item);
    expect(clients.map((client) => client.currency_code)).toEqual(['GBP', 'GBP', 'GBP']);
    expect((clients[0]!.stats as { invoices: { due: unknown } }).invoices.due).toEqual({
      count: 1,
      amount: '1000.00',
    });
    expect(actions.filter((action) => action === 'GetCurrencies')).toHaveLength(1);
    expect(JSON.stringify(result)).not.toMatch(/hash|pet/);
  });

  it('search_clients filters a status WHMCS ignored and counts by scanning', async () => {
    const rows = Array.from({ length: 30 }, (_, index) => ({
      id: index + 1,
      firstname: 'C',
      lastname: String(index + 1),
      email: `c${index + 1}@x.y`,
      status: index % 2 === 0 ? 'Active' : 'Inactive',
      datecreated: '2024-01-01',
      groupid: 0,
    }));
    const dispatcher = dispatcherWith({
      async call(_action, params) {
        const { limitstart = 0, limitnum = 25 } = params as { limitstart?: number; limitnum?: number };
        const page = rows.slice(limitstart, limitstart + limitnum);
        return { totalresults: rows.length, numreturned: page.length, clients: page };
      },
    });
    const result = await call(dispatcher, 'search_clients', { status: 'Inactive', limit: 10 });
    expect(items(result).every((item) => item.status === 'Inactive')).toBe(true);
    expect(result).toMatchObject({ total: 15, count: 10, has_more: true, next_offset: 10 });
  });

  it('get_client_contacts drops contacts of other clients when WHMCS ignores the client filter', async () => {
    const contacts = [1, 2, 1, 3, 1].map((owner, index) => ({
      id: index + 1,
      userid: owner,
      firstname: 'X',
      lastname: 'Y',
      email: 'x@y.z',
    }));
    const dispatcher = dispatcherWith({
      async call(action) {
        if (action === 'GetClientsDetails') return { client: { id: 1 } };
        return { totalresults: contacts.length, contacts };
      },
    });
    const result = await call(dispatcher, 'get_client_contacts', { client_id: 1 });
    expect(items(result).map((item) => item.id)).toEqual([1, 3, 5]);
    expect(result.total).toBe(3);
  });
});
