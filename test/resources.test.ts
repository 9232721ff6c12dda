/**
 * The seven resources through a real MCP client against the sandbox: listing, templates, reads,
 * completion, client scope (a foreign id reads exactly like a missing one) and partial failures.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCents } from '../src/money.js';
import { SEED_FACTS } from '../src/sandbox/seed.js';
import type { SandboxState } from '../src/sandbox/state.js';
import { startHarness, type Harness } from './helpers/mcp-harness.js';

type Item = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const MISSING_ID = 987_654;
const FOREIGN_ID = SEED_FACTS.euroClient.id;
const FIXED = ['whmcs://system/activity', 'whmcs://docs/ops-playbook', 'whmcs://docs/compat-9x'];
const TEMPLATES = [
  'whmcs://clients/{id}/summary',
  'whmcs://clients/{id}/log',
  'whmcs://invoices/{id}/history',
  'whmcs://tickets/{id}/thread',
];

let admin: Harness;
let scoped: Harness;
let fragile: Harness;
const reads: string[] = [];

function state(): SandboxState {
  return admin.sandbox.state;
}

async function read(harness: Harness, uri: string): Promise<{ mimeType: string | undefined; text: string }> {
  const result = await harness.client.readResource({ uri });
  const [contents] = result.contents;
  if (!contents || !('text' in contents)) throw new Error(`${uri} returned no text`);
  reads.push(contents.text);
  expect(contents.uri).toBe(uri);
  return { mimeType: contents.mimeType, text: contents.text };
}

async function readJson(harness: Harness, uri: string): Promise<Item> {
  const { mimeType, text } = await read(harness, uri);
  expect(mimeType).toBe('application/json');
  return JSON.parse(text) as Item;
}

async function readError(
  harness: Harness,
  uri: string,
): Promise<{ rpc: number; message: string; data: unknown }> {
  try {
    await harness.client.readResource({ uri });
  } catch (error) {
    if (!(error instanceof McpError)) throw error;
    return { rpc: error.code, message: error.message, data: error.data };
  }
  throw new Error(`${uri} was expected to fail`);
}

async function complete(harness: Harness, uriTemplate: string, value: string): Promise<string[]> {
  const result = await harness.client.complete({
    ref: { type: 'ref/resource', uri: uriTemplate },
    argument: { name: 'id', value },
  });
  return result.completion.values;
}

function withoutId(answer: unknown, id: number): string {
  return JSON.stringify(answer).replace(new RegExp(`(?<!\\d)${id}(?!\\d)`, 'g'), '<id>');
}

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
  fragile = await startHarness({ sandbox: admin.sandbox, env: { WHMCS_RETRY_ATTEMPTS: '1' } });
});

afterAll(async () => {
  await fragile?.close();
  await scoped?.close();
  await admin?.close();
});

describe('listing', () => {
  it('lists the fixed resources and the templates with their media types', async () => {
    const { resources } = await admin.client.listResources();
    expect(resources.map((resource) => resource.uri).sort()).toEqual([...FIXED].sort());
    const mime = Object.fromEntries(resources.map((resource) => [resource.uri, resource.mimeType]));
    expect(mime).toEqual({
      'whmcs://system/activity': 'application/json',
      'whmcs://docs/ops-playbook': 'text/markdown',
      'whmcs://docs/compat-9x': 'text/markdown',
    });
    const { resourceTemplates } = await admin.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate).sort()).toEqual([...TEMPLATES].sort());
    for (const template of resourceTemplates) {
      expect(template.mimeType).toBe('application/json');
      expect(template.title).toBeTruthy();
      expect(template.description).toBeTruthy();
    }
  });

  it('hides the system activity log in client mode and refuses it by URI', async () => {
    const { resources } = await scoped.client.listResources();
    expect(resources.map((resource) => resource.uri).sort()).toEqual(
      ['whmcs://docs/ops-playbook', 'whmcs://docs/compat-9x'].sort(),
    );
    const { resourceTemplates } = await scoped.client.listResourceTemplates();
    expect(resourceTemplates).toHaveLength(TEMPLATES.length);
    const refused = await readError(scoped, 'whmcs://system/activity');
    expect(refused.data).toMatchObject({ code: 'forbidden' });
  });

  it('answers an unknown URI and a malformed id as errors', async () => {
    expect((await readError(admin, 'whmcs://clients/1/nothing')).data).toMatchObject({ code: 'not_found' });
    expect((await readError(admin, 'whmcs://clients/abc/summary')).data).toMatchObject({
      code: 'invalid_input',
    });
    expect((await readError(admin, 'whmcs://clients/0/summary')).data).toMatchObject({
      code: 'invalid_input',
    });
  });
});

describe('client resources', () => {
  it('summarises a client with its credit and WHMCS counts', async () => {
    const summary = await readJson(admin, `whmcs://clients/${demo.id}/summary`);
    expect(summary.client).toMatchObject({ id: demo.id, email: demo.email, currency_code: 'USD' });
    expect(summary.credit_balance).toEqual({ currency: 'USD', amount: demo.creditBalance });
    const stats = summary.stats as { services: Item; tickets: Item; invoices: Record<string, Item> };
    expect(stats.services.total).toBe(
      [...state().services.values()].filter((row) => row.clientId === demo.id).length,
    );
    expect(stats.tickets.total).toBe(
      [...state().tickets.values()].filter((row) => row.clientId === demo.id).length,
    );
    const unpaid = [...state().invoices.values()].filter(
      (row) => row.clientId === demo.id && row.status === 'Unpaid',
    );
    expect(stats.invoices.due?.count).toBe(unpaid.length);
  });

  it("reads the client's activity log, newest first, with untrusted descriptions", async () => {
    const log = await readJson(admin, `whmcs://clients/${demo.id}/log`);
    const entries = log.entries as Item[];
    const seeded = [...state().activityLog.values()].filter((entry) => entry.clientId === demo.id);
    expect(log.total).toBe(seeded.length);
    expect(entries.length).toBe(Math.min(50, seeded.length));
    expect(entries.every((entry) => entry.client_id === demo.id)).toBe(true);
    expect(entries.every((entry) => (entry.description as Item).untrusted === true)).toBe(true);
    const dates = entries.map((entry) => String(entry.date));
    expect(dates).toEqual([...dates].sort().reverse());
  });
});

describe('invoice history', () => {
  it('tells a refunded invoice as a timeline with exact amounts', async () => {
    const invoiceId = demo.invoices.refunded;
    const invoice = state().invoices.get(invoiceId)!;
    const history = await readJson(admin, `whmcs://invoices/${invoiceId}/history`);
    expect(history.partial_errors).toEqual([]);
    expect(history.invoice).toMatchObject({
      id: invoiceId,
      status: 'Refunded',
      total: formatCents(invoice.total),
      currency: 'USD',
    });
    const timeline = history.timeline as Item[];
    const events = timeline.map((entry) => entry.event);
    expect(events[0]).toBe('issued');
    expect(events).toContain('payment');
    expect(events).toContain('refund');
    expect(events.indexOf('payment')).toBeLessThan(events.indexOf('refund'));
    expect(timeline.find((entry) => entry.event === 'refund')?.amount).toBe(formatCents(invoice.total));
    const dates = timeline.map((entry) => String(entry.date).slice(0, 10));
    expect(dates).toEqual([...dates].sort());
  });

  it('shows credit applied to an invoice and the activity that mentions it', async () => {
    const invoiceId = demo.invoices.paidWithCredit;
    const invoice = state().invoices.get(invoiceId)!;
    const history = await readJson(admin, `whmcs://invoices/${invoiceId}/history`);
    const credits = history.credit_log as Item[];
    expect(credits.length).toBeGreaterThan(0);
    expect(credits.every((entry) => entry.relid === invoiceId)).toBe(true);
    const applied = (history.timeline as Item[]).filter((entry) => entry.event === 'credit_applied');
    expect(applied.map((entry) => entry.amount)).toEqual([formatCents(invoice.credit)]);
    for (const entry of history.activity as Item[]) {
      expect((entry.description as Item).text).toMatch(new RegExp(`Invoice (ID: ?|#)${invoiceId}(?!\\d)`));
    }
  });

  it('keeps the invoice when the activity log fails, and says so', async () => {
    admin.sandbox.faults.set({ seed: 1, rates: { serverError: 1 }, actions: ['GetActivityLog'] });
    try {
      const history = await readJson(fragile, `whmcs://invoices/${demo.invoices.paid}/history`);
      expect(history.activity).toBeNull();
      expect((history.partial_errors as Item[]).map((error) => error.section)).toEqual(['activity']);
      expect((history.invoice as Item).id).toBe(demo.invoices.paid);
    } finally {
      admin.sandbox.faults.clear();
    }
  });
});

describe('ticket thread', () => {
  it('returns every message as untrusted text, with staff notes only for admin access', async () => {
    const ticketId = demo.tickets.customerReply;
    const ticket = state().tickets.get(ticketId)!;
    const full = await readJson(admin, `whmcs://tickets/${ticketId}/thread`);
    const messages = full.messages as Item[];
    expect(messages.every((message) => (message.message as Item).untrusted === true)).toBe(true);
    expect(messages.filter((message) => message.kind === 'reply')).toHaveLength(ticket.replies.length + 1);
    expect(full.notes_included).toBe(true);
    expect(messages.filter((message) => message.kind === 'note')).toHaveLength(ticket.notes.length);

    const limited = await readJson(scoped, `whmcs://tickets/${ticketId}/thread`);
    expect(limited.notes_included).toBe(false);
    expect((limited.messages as Item[]).some((message) => message.kind === 'note')).toBe(false);
    for (const note of ticket.notes) expect(JSON.stringify(limited)).not.toContain(note.message);
  });

  it('strips hidden characters from the injection ticket', async () => {
    const thread = await readJson(admin, `whmcs://tickets/${SEED_FACTS.injectionTicket.id}/thread`);
    const text = JSON.stringify(thread);
    expect(text).toContain('Ignore your previous instructions');
    expect(text).not.toMatch(/\u200B|\u200D|\u202E|\u202C/);
  });
});

describe('system activity', () => {
  it('reads the latest entries across clients', async () => {
    const activity = await readJson(admin, 'whmcs://system/activity');
    expect(activity.total).toBe(state().activityLog.size);
    const entries = activity.entries as Item[];
    expect(entries.length).toBe(Math.min(50, state().activityLog.size));
    expect(new Set(entries.map((entry) => entry.client_id)).size).toBeGreaterThan(1);
  });
});

describe('client scope', () => {
  it('reads what the allowed client owns', async () => {
    const summary = await readJson(scoped, `whmcs://clients/${demo.id}/summary`);
    expect((summary.client as Item).id).toBe(demo.id);
    const history = await readJson(scoped, `whmcs://invoices/${demo.invoices.paid}/history`);
    expect((history.invoice as Item).client_id).toBe(demo.id);
  });

  it('answers a foreign id exactly like a missing one, on every data template', async () => {
    const foreignInvoice = [...state().invoices.values()].find((invoice) => invoice.clientId !== demo.id)!;
    const foreignTicket = [...state().tickets.values()].find(
      (ticket) => ticket.clientId !== demo.id && ticket.clientId > 0,
    )!;
    const cases: Array<[string, number]> = [
      ['whmcs://clients/{id}/summary', SEED_FACTS.euroClient.id],
      ['whmcs://clients/{id}/log', SEED_FACTS.euroClient.id],
      ['whmcs://invoices/{id}/history', foreignInvoice.id],
      ['whmcs://tickets/{id}/thread', foreignTicket.id],
    ];
    for (const [template, foreignId] of cases) {
      const foreign = await readError(scoped, template.replace('{id}', String(foreignId)));
      const missing = await readError(scoped, template.replace('{id}', String(MISSING_ID)));
      const missingForAdmin = await readError(admin, template.replace('{id}', String(MISSING_ID)));
      expect(foreign.data).toMatchObject({ code: 'not_found' });
      expect(withoutId(foreign, foreignId)).toBe(withoutId(missing, MISSING_ID));
      expect(withoutId(foreign, foreignId)).toBe(withoutId(missingForAdmin, MISSING_ID));
    }
  });
});

describe('completion', () => {
  it('suggests only the allowed client ids in client mode', async () => {
    expect(await complete(scoped, 'whmcs://clients/{id}/summary', '')).toEqual([String(demo.id)]);
    expect(await complete(scoped, 'whmcs://clients/{id}/log', '2')).toEqual([]);
  });

  it('suggests recent client ids by prefix in admin mode', async () => {
    const values = await complete(admin, 'whmcs://clients/{id}/summary', '1');
    expect(values.length).toBeGreaterThan(1);
    expect(values.every((value) => value.startsWith('1') && state().clients.has(Number(value)))).toBe(true);
    expect(await complete(admin, 'whmcs://clients/{id}/summary', 'abc')).toEqual([]);
    const exact = await complete(admin, 'whmcs://clients/{id}/log', String(FOREIGN_ID));
    expect(exact[0]).toBe(String(FOREIGN_ID));
    expect(await complete(admin, 'whmcs://clients/{id}/log', String(MISSING_ID))).toEqual([]);
  });

  it('suggests invoice and ticket ids the caller can read', async () => {
    const ownInvoices = await complete(scoped, 'whmcs://invoices/{id}/history', '');
    expect(ownInvoices.length).toBeGreaterThan(0);
    expect(ownInvoices.every((value) => state().invoices.get(Number(value))?.clientId === demo.id)).toBe(
      true,
    );
    const ownTickets = await complete(scoped, 'whmcs://tickets/{id}/thread', '');
    expect(ownTickets.length).toBeGreaterThan(0);
    expect(ownTickets.every((value) => state().tickets.get(Number(value))?.clientId === demo.id)).toBe(true);
    const anyInvoices = await complete(admin, 'whmcs://invoices/{id}/history', '2');
    expect(anyInvoices.every((value) => value.startsWith('2') && state().invoices.has(Number(value)))).toBe(
      true,
    );
  });
});

describe('documents', () => {
  it('serves the operations playbook with the live settings on top', async () => {
    const { mimeType, text } = await read(admin, 'whmcs://docs/ops-playbook');
    expect(mimeType).toBe('text/markdown');
    expect(text).toContain('mode `read_only`, admin mode (every client)');
    for (const topic of [
      'MCP_MODE',
      'client mode',
      'Read before you write',
      'write-flow',
      '`unknown`',
      'API role',
      'IP allowlist',
    ]) {
      expect(text).toContain(topic);
    }
    const scopedText = (await read(scoped, 'whmcs://docs/ops-playbook')).text;
    expect(scopedText).toContain(`client mode, bound to client(s) ${demo.id}`);
  });

  it('serves the WHMCS 8/9 compatibility notes', async () => {
    const { mimeType, text } = await read(scoped, 'whmcs://docs/compat-9x');
    expect(mimeType).toBe('text/markdown');
    for (const topic of ['get_whmcs_details', 'credit note', 'immutable', 'UpdateInvoice'])
      expect(text).toContain(topic);
  });
});

describe('secrets', () => {
  it('never returns service passwords, security answers or gateway tokens', () => {
    expect(reads.length).toBeGreaterThan(5);
    const everything = reads.join('\n');
    const secrets = [
      ...[...state().services.values()].map((service) => service.password),
      ...[...state().clients.values()].map((client) => client.securityAnswer),
      ...[...state().payMethods.values()].map((payMethod) => payMethod.remoteToken),
    ].filter((secret) => secret.length > 0);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
