import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCents, parseCents } from '../../src/money.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import type { Invoice } from '../../src/sandbox/state.js';
import {
  invoiceBalance,
  invoiceHasStatus,
  isOverdue,
  netPaidByInvoice,
  projectInvoice,
  projectInvoiceSummary,
  sumByCurrency,
} from '../../src/tools/billing/projections.js';
import { todayUtc } from '../../src/tools/shared/dates.js';
import { normalizeReply } from '../../src/whmcs/normalize.js';
import { callError, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;
type Item = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const euro = SEED_FACTS.euroClient;
const MISSING_ID = 987_654;

let admin: Harness;
let scoped: Harness;
/** Every successful answer, for the secrets sweep. */
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

function summaryLine(result: unknown): string {
  const content = (result as { content: Array<{ text: string }> }).content;
  return (content[0]?.text ?? '').split('\n')[0] ?? '';
}

/** An error with one id replaced, so a foreign id's answer can be compared with a missing id's. */
function withoutId(error: unknown, id: number): string {
  return JSON.stringify(error).replaceAll(String(id), '<id>');
}

/** Walks every page of a list tool, checking the envelope on each page. */
async function walk(
  harness: Harness,
  name: string,
  args: Record<string, unknown>,
  limit: number,
  key: (item: Item) => unknown = (item) => item.id,
) {
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
    expect(page.total_is_estimate).toBeUndefined();
    total ??= page.total as number;
    expect(page.total).toBe(total);
    expect(page.has_more).toBe(offset + pageItems.length < total);
    expect(page.next_offset).toBe(page.has_more ? offset + pageItems.length : null);
    seen.push(...pageItems);
    offset = page.next_offset as number | null;
  }
  expect(seen.length).toBe(total);
  expect(new Set(seen.map(key)).size).toBe(seen.length);
  return seen;
}

async function expectInvalid(harness: Harness, name: string, args: Record<string, unknown>, field: string) {
  const error = await callError(harness.client, name, args);
  expect(error.code, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe('invalid_input');
  const problems = (error.details?.problems ?? []) as Array<{ field: string }>;
  expect(
    problems.map((problem) => problem.field),
    `${name} ${JSON.stringify(args).slice(0, 80)}`,
  ).toContain(field);
}

function stateInvoices(clientId?: number): Invoice[] {
  return [...admin.sandbox.state.invoices.values()].filter(
    (invoice) => clientId === undefined || invoice.clientId === clientId,
  );
}

function overdue(invoice: Invoice, today: string): boolean {
  return invoice.status === 'Unpaid' && invoice.dueDate < today;
}

let foreignQuoteId: number;
let prospectQuoteId: number;

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
  const state = admin.sandbox.state;
  const { id: _quoteId, ...demoQuote } = state.quotes.get(demo.quoteId)!;
  // More quotes for the demo client so paging has pages, one for the euro client (foreign in client
  // mode) and one for a prospect who is no client at all.
  for (const stage of ['Draft', 'Accepted', 'Lost'] as const) {
    state.insertQuote({ ...demoQuote, stage, subject: `${stage} quote`, adminNotes: 'Internal: margin 40%' });
  }
  foreignQuoteId = state.insertQuote({
    ...demoQuote,
    clientId: euro.id,
    currencyId: 2,
    subject: 'Euro quote',
  }).id;
  prospectQuoteId = state.insertQuote({
    ...demoQuote,
    clientId: 0,
    firstname: 'Pat',
    subject: 'Prospect',
  }).id;
  // Invoice notes with hidden and direction-changing characters.
  state.invoices.get(demo.invoices.cancelled)!.notes = 'Cancelled\u202E by request\u200B.';
}, 30_000);

afterAll(async () => {
  await scoped?.close();
  await admin?.close();
});

// ---------------------------------------------------------------------------------------------

describe('billing money helpers', () => {
  it('sums per currency exactly and never mixes currencies', () => {
    const sums = sumByCurrency([
      { currency: 'USD', amount: '0.10' },
      { currency: 'USD', amount: '0.20' },
      { currency: 'EUR', amount: '1000000000000.01' },
      { currency: 'EUR', amount: '-0.02' },
      { currency: null, amount: '5.00' },
      { currency: 'GBP', amount: null },
      { currency: 'GBP', amount: 'not money' },
    ]);
    expect(sums).toEqual([
      { currency: 'EUR', amount: '999999999999.99' },
      { currency: 'USD', amount: '0.30' },
      { currency: null, amount: '5.00' },
    ]);
    expect(sumByCurrency([])).toEqual([]);
  });

  it('derives balances from payments and refunds, never below zero', () => {
    const paid = netPaidByInvoice([
      { invoiceid: 1, amountin: '10.00', amountout: '0.00' },
      { invoiceid: 1, amountin: '5.95', amountout: '0.00' },
      { invoiceid: 2, amountin: '75.00', amountout: '0.00' },
      { invoiceid: 2, amountin: '0.00', amountout: '75.00' },
      { invoiceid: 0, amountin: '99.00', amountout: '0.00' },
    ]);
    expect(paid.get(1)).toBe(1595n);
    expect(paid.get(2)).toBe(0n);
    expect(paid.has(0)).toBe(false);
    expect(invoiceBalance('15.95', paid.get(1)!)).toBe('0.00');
    expect(invoiceBalance('20.00', paid.get(1)!)).toBe('4.05');
    expect(invoiceBalance('10.00', 1500n)).toBe('0.00');
    expect(invoiceBalance(null, 0n)).toBeNull();
  });

  it('treats Overdue as Unpaid past the due date, as WHMCS does', () => {
    expect(isOverdue('Unpaid', '2025-06-14', '2025-06-15')).toBe(true);
    expect(isOverdue('Unpaid', '2025-06-15', '2025-06-15')).toBe(false);
    expect(isOverdue('Paid', '2025-01-01', '2025-06-15')).toBe(false);
    expect(isOverdue('Unpaid', null, '2025-06-15')).toBe(false);
    const row = { status: 'Unpaid', duedate: '2025-06-01' };
    expect(invoiceHasStatus(row, 'Overdue', '2025-06-15')).toBe(true);
    expect(invoiceHasStatus(row, 'Unpaid', '2025-06-15')).toBe(true);
    expect(invoiceHasStatus(row, 'Paid', '2025-06-15')).toBe(false);
    expect(invoiceHasStatus({ status: 'Payment Pending' }, 'Payment Pending', '2025-06-15')).toBe(true);
  });

  it("projects WHMCS's documented GetInvoice reply, empty transactions and zero dates included", () => {
    const example = JSON.parse(
      readFileSync(new URL('../fixtures/whmcs/GetInvoice.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    const reply = normalizeReply('GetInvoice', example);
    const invoice = projectInvoice(reply, { currency: 'USD', today: '2021-01-01' });
    expect(invoice).toMatchObject({
      id: 1,
      invoice_number: null,
      client_id: 2361,
      status: 'Unpaid',
      is_overdue: true,
      date_paid: null,
      total: '15.95',
      balance: '15.95',
      currency: 'USD',
      can_capture: false,
      transactions: [],
      notes: { untrusted: true, text: '' },
    });
    expect(invoice.items).toEqual([
      {
        id: 1,
        type: 'Hosting',
        related_id: 1,
        description: 'Sample Monthly Product (01/01/2016 - 31/01/2016)',
        amount: '15.95',
        taxed: false,
      },
    ]);
    const summary = projectInvoiceSummary(
      { id: '7', userid: '3', status: 'Unpaid', duedate: '2020-01-01', total: 12, currencycode: 'EUR' },
      { today: '2021-01-01' },
    );
    expect(summary).toMatchObject({ id: 7, client_id: 3, total: '12.00', is_overdue: true, balance: null });
  });
});

// ---------------------------------------------------------------------------------------------

describe('get_invoice', () => {
  it('returns an overdue invoice with exact amounts, currency and its summary line', async () => {
    const result = await admin.client.callTool({
      name: 'get_invoice',
      arguments: { invoice_id: demo.invoices.overdue },
    });
    answers.push(JSON.stringify(result));
    const [invoice] = (result.structuredContent as { invoices: Item[] }).invoices;
    const stored = admin.sandbox.state.invoices.get(demo.invoices.overdue)!;
    expect(invoice).toMatchObject({
      id: demo.invoices.overdue,
      client_id: demo.id,
      status: 'Unpaid',
      is_overdue: true,
      due_date: stored.dueDate,
      date_paid: null,
      total: formatCents(stored.total),
      balance: demo.overdueBalance,
      currency: demo.currency,
      transactions: [],
    });
    expect((invoice!.items as Item[]).length).toBe(stored.items.length);
    expect(summaryLine(result)).toBe(
      `Invoice ${demo.invoices.overdue}: Unpaid (overdue), balance ${demo.overdueBalance} USD, due ${stored.dueDate}`,
    );
  });

  it('shows credit applied, payments and refunds, with totals that add up', async () => {
    const { invoices } = (await ok(admin, 'get_invoice', {
      invoice_ids: [demo.invoices.paidWithCredit, demo.invoices.refunded, euro.taxedUnpaidInvoiceId],
    })) as { invoices: Item[] };
    const [withCredit, refunded, taxed] = invoices;
    expect(withCredit).toMatchObject({ status: 'Paid', balance: '0.00', currency: 'USD' });
    expect(parseCents(withCredit!.credit)).toBeGreaterThan(0n);
    const paidIn = (withCredit!.transactions as Item[]).reduce(
      (sum, row) => sum + parseCents(row.amount_in)!,
      0n,
    );
    expect(formatCents(paidIn)).toBe(withCredit!.total);

    const transactions = refunded!.transactions as Item[];
    const payment = transactions.find((row) => row.amount_in !== '0.00')!;
    const refund = transactions.find((row) => row.amount_out !== '0.00')!;
    expect(refund.refund_of_transaction_id).toBe(payment.id);
    expect(refund.amount_out).toBe(refunded!.total);
    expect(refunded).toMatchObject({ status: 'Refunded', currency: 'USD' });

    expect(taxed).toMatchObject({ client_id: euro.id, currency: 'EUR', status: 'Unpaid' });
    expect(taxed!.tax_rate).toMatch(/^19(\.0+)?$/);
    const sum =
      parseCents(taxed!.subtotal)! +
      parseCents(taxed!.tax)! +
      parseCents(taxed!.tax2)! -
      parseCents(taxed!.credit)!;
    expect(formatCents(sum)).toBe(taxed!.total);
  });

  it('marks notes untrusted with hidden and direction characters removed', async () => {
    const { invoices } = (await ok(admin, 'get_invoice', { invoice_id: demo.invoices.cancelled })) as {
      invoices: Item[];
    };
    expect(invoices[0]!.notes).toEqual({ untrusted: true, source: 'staff', text: 'Cancelled by request.' });
  });

  it('reads several ids in order, reporting each missing one and reading each currency once', async () => {
    const before = admin.sandbox.stats().actions;
    const ids = [
      demo.invoices.paid,
      MISSING_ID,
      demo.invoices.unpaid,
      demo.invoices.paid,
      euro.taxedUnpaidInvoiceId,
    ];
    const result = await ok(admin, 'get_invoice', { invoice_ids: ids });
    const after = admin.sandbox.stats().actions;
    expect((result.invoices as Item[]).map((invoice) => invoice.id)).toEqual([
      demo.invoices.paid,
      demo.invoices.unpaid,
      euro.taxedUnpaidInvoiceId,
    ]);
    expect(result.errors).toEqual([
      { invoice_id: MISSING_ID, code: 'not_found', message: `Invoice ${MISSING_ID} was not found.` },
    ]);
    const delta = (action: string) => (after[action] ?? 0) - (before[action] ?? 0);
    expect(delta('GetInvoice')).toBe(4);
    expect(delta('GetClientsDetails')).toBe(2);
    expect(delta('GetCurrencies')).toBeLessThanOrEqual(1);
  });

  it('refuses a missing single id as not_found', async () => {
    const error = await callError(admin.client, 'get_invoice', { invoice_id: MISSING_ID });
    expect(error).toEqual({
      code: 'not_found',
      message: `Invoice ${MISSING_ID} was not found.`,
      details: { entity: 'invoice', id: MISSING_ID },
    });
  });

  it('in client mode answers a foreign invoice exactly like a missing one', async () => {
    const foreign = await callError(scoped.client, 'get_invoice', { invoice_id: euro.taxedUnpaidInvoiceId });
    const missing = await callError(scoped.client, 'get_invoice', { invoice_id: MISSING_ID });
    expect(withoutId(foreign, euro.taxedUnpaidInvoiceId)).toBe(withoutId(missing, MISSING_ID));
    const mixed = await ok(scoped, 'get_invoice', {
      invoice_ids: [demo.invoices.paid, euro.taxedUnpaidInvoiceId, MISSING_ID],
    });
    expect((mixed.invoices as Item[]).map((invoice) => invoice.id)).toEqual([demo.invoices.paid]);
    const [foreignEntry, missingEntry] = mixed.errors as Item[];
    expect(withoutId(foreignEntry, euro.taxedUnpaidInvoiceId)).toBe(withoutId(missingEntry, MISSING_ID));
    expect(JSON.stringify(mixed)).not.toContain('EUR');
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'get_invoice', {}, 'invoice_id');
    await expectInvalid(admin, 'get_invoice', { invoice_id: 1, invoice_ids: [2] }, 'invoice_id');
    await expectInvalid(admin, 'get_invoice', { invoice_id: 'abc' }, 'invoice_id');
    await expectInvalid(admin, 'get_invoice', { invoice_id: -3 }, 'invoice_id');
    await expectInvalid(admin, 'get_invoice', { invoice_id: 1.5 }, 'invoice_id');
    await expectInvalid(admin, 'get_invoice', { invoice_ids: [] }, 'invoice_ids');
    await expectInvalid(
      admin,
      'get_invoice',
      { invoice_ids: Array.from({ length: 21 }, (_, i) => i + 1) },
      'invoice_ids',
    );
    await expectInvalid(admin, 'get_invoice', { invoice_ids: [1, 0] }, 'invoice_ids.1');
    await expectInvalid(admin, 'get_invoice', { invoice_id: 1, note: 'x'.repeat(10_000) }, 'note');
  });
});

// ---------------------------------------------------------------------------------------------

describe('list_client_invoices', () => {
  it("walks every page of the demo client's invoices, newest first, with balances matching get_invoice", async () => {
    const seen = await walk(admin, 'list_client_invoices', { client_id: demo.id }, 3);
    const expected = stateInvoices(demo.id)
      .map((invoice) => invoice.id)
      .sort((a, b) => b - a);
    expect(seen.map((invoice) => invoice.id)).toEqual(expected);
    expect(seen.every((invoice) => invoice.client_id === demo.id && invoice.currency === 'USD')).toBe(true);
    const full = await ok(admin, 'get_invoice', { invoice_ids: expected });
    const balances = new Map((full.invoices as Item[]).map((invoice) => [invoice.id, invoice.balance]));
    for (const invoice of seen)
      expect(invoice.balance, `invoice ${String(invoice.id)}`).toBe(balances.get(invoice.id));
    const overdueInvoice = seen.find((invoice) => invoice.id === demo.invoices.overdue);
    expect(overdueInvoice).toMatchObject({ is_overdue: true, balance: demo.overdueBalance });
    expect(overdueInvoice!.client_name).toMatchObject({ untrusted: true, source: 'customer' });
  });

  it('returns only the asked status, with totals that match the stored invoices', async () => {
    const today = todayUtc();
    for (const status of ['Paid', 'Unpaid', 'Overdue', 'Cancelled', 'Refunded', 'Draft', 'Collections']) {
      const result = await ok(admin, 'list_client_invoices', { client_id: demo.id, status, limit: 100 });
      const expected = stateInvoices(demo.id).filter((invoice) =>
        status === 'Overdue' ? overdue(invoice, today) : invoice.status === status,
      );
      expect(result.total, status).toBe(expected.length);
      for (const invoice of items(result)) {
        if (status === 'Overdue') expect(invoice).toMatchObject({ status: 'Unpaid', is_overdue: true });
        else expect(invoice.status).toBe(status);
      }
    }
    const overdueIds = items(
      await ok(admin, 'list_client_invoices', { client_id: demo.id, status: 'Overdue' }),
    ).map((invoice) => invoice.id);
    expect(overdueIds).toContain(demo.invoices.overdue);
    expect(overdueIds).not.toContain(demo.invoices.unpaid);
  });

  it('filters by due date range, inclusive, and orders as asked', async () => {
    const invoices = stateInvoices(demo.id);
    const dueDates = [...new Set(invoices.map((invoice) => invoice.dueDate))].sort();
    const from = dueDates[1]!;
    const to = dueDates[dueDates.length - 2]!;
    const expected = invoices.filter((invoice) => invoice.dueDate >= from && invoice.dueDate <= to);
    const seen = await walk(
      admin,
      'list_client_invoices',
      { client_id: demo.id, due_from: from, due_to: to, order_by: 'due_date', order: 'asc' },
      2,
    );
    expect(seen.map((invoice) => invoice.id).sort()).toEqual(expected.map((invoice) => invoice.id).sort());
    const dates = seen.map((invoice) => invoice.due_date as string);
    expect(dates).toEqual([...dates].sort());
  });

  it('in client mode lists the own client and answers a foreign client like a missing one', async () => {
    const own = await ok(scoped, 'list_client_invoices', { client_id: demo.id, limit: 100 });
    expect(own.total).toBe(stateInvoices(demo.id).length);
    const foreign = await callError(scoped.client, 'list_client_invoices', { client_id: euro.id });
    const missing = await callError(scoped.client, 'list_client_invoices', { client_id: MISSING_ID });
    expect(foreign.code).toBe('not_found');
    expect(withoutId(foreign, euro.id)).toBe(withoutId(missing, MISSING_ID));
  });

  it('refuses bad input, naming the field', async () => {
    const base = { client_id: demo.id };
    await expectInvalid(admin, 'list_client_invoices', {}, 'client_id');
    await expectInvalid(admin, 'list_client_invoices', { client_id: -1 }, 'client_id');
    await expectInvalid(admin, 'list_client_invoices', { client_id: '1' }, 'client_id');
    await expectInvalid(admin, 'list_client_invoices', { ...base, limit: 0 }, 'limit');
    await expectInvalid(admin, 'list_client_invoices', { ...base, limit: 101 }, 'limit');
    await expectInvalid(admin, 'list_client_invoices', { ...base, offset: -1 }, 'offset');
    await expectInvalid(admin, 'list_client_invoices', { ...base, status: 'Late' }, 'status');
    await expectInvalid(admin, 'list_client_invoices', { ...base, status: 'x'.repeat(10_000) }, 'status');
    await expectInvalid(admin, 'list_client_invoices', { ...base, due_from: '2025-02-30' }, 'due_from');
    await expectInvalid(admin, 'list_client_invoices', { ...base, due_from: 'x'.repeat(10_000) }, 'due_from');
    await expectInvalid(
      admin,
      'list_client_invoices',
      { ...base, due_from: '2025-06-02', due_to: '2025-06-01' },
      'due_to',
    );
    await expectInvalid(admin, 'list_client_invoices', { ...base, order_by: 'balance' }, 'order_by');
  });
});

describe('list_invoices', () => {
  it('filters every client by status, walking pages with totals that match the stored invoices', async () => {
    const today = todayUtc();
    const seen = await walk(admin, 'list_invoices', { status: 'Overdue' }, 7);
    const expected = stateInvoices().filter((invoice) => overdue(invoice, today));
    expect(seen.map((invoice) => invoice.id).sort()).toEqual(expected.map((invoice) => invoice.id).sort());
    expect(new Set(seen.map((invoice) => invoice.client_id)).size).toBeGreaterThan(1);
    expect(seen.every((invoice) => invoice.status === 'Unpaid' && invoice.is_overdue === true)).toBe(true);
    expect(seen.every((invoice) => invoice.balance === null)).toBe(true);

    const paid = await ok(admin, 'list_invoices', {
      status: 'Paid',
      limit: 5,
      order_by: 'total',
      order: 'desc',
    });
    expect(paid.total).toBe(stateInvoices().filter((invoice) => invoice.status === 'Paid').length);
    const totals = items(paid).map((invoice) => parseCents(invoice.total)!);
    expect(totals).toEqual([...totals].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  });

  it('applies a due-date range WHMCS cannot filter, with an exact total', async () => {
    const today = todayUtc();
    const from = `${today.slice(0, 4)}-01-01`;
    const expected = stateInvoices().filter(
      (invoice) => invoice.status === 'Unpaid' && invoice.dueDate >= from && invoice.dueDate <= today,
    );
    const seen = await walk(admin, 'list_invoices', { status: 'Unpaid', due_from: from, due_to: today }, 10);
    expect(seen.map((invoice) => invoice.id).sort()).toEqual(expected.map((invoice) => invoice.id).sort());
    const currencies = new Set(seen.map((invoice) => invoice.currency));
    expect([...currencies].every((code) => typeof code === 'string' && code.length === 3)).toBe(true);
  });

  it('is not offered in client mode', async () => {
    const { tools } = await scoped.client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).not.toContain('list_invoices');
    expect(names).toEqual(
      expect.arrayContaining([
        'get_invoice',
        'list_client_invoices',
        'list_client_transactions',
        'get_quotes',
        'list_payment_methods',
        'get_currencies',
      ]),
    );
    const error = await callError(scoped.client, 'list_invoices', {});
    expect(error.code).toBe('forbidden');
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'list_invoices', { limit: 0 }, 'limit');
    await expectInvalid(admin, 'list_invoices', { limit: 101 }, 'limit');
    await expectInvalid(admin, 'list_invoices', { limit: '10' }, 'limit');
    await expectInvalid(admin, 'list_invoices', { status: 'overdue' }, 'status');
    await expectInvalid(admin, 'list_invoices', { due_to: '2025-13-01' }, 'due_to');
    await expectInvalid(admin, 'list_invoices', { order: 'sideways' }, 'order');
    await expectInvalid(admin, 'list_invoices', { client_id: 1 }, 'client_id');
  });
});

// ---------------------------------------------------------------------------------------------

describe('list_client_transactions', () => {
  it('pages the whole history newest first, with exact totals over every match', async () => {
    const stored = [...admin.sandbox.state.transactions.values()].filter((row) => row.clientId === demo.id);
    const seen = await walk(admin, 'list_client_transactions', { client_id: demo.id }, 2);
    expect(seen.map((row) => row.id).sort()).toEqual(stored.map((row) => row.id).sort());
    const dates = seen.map((row) => row.date as string);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(seen.every((row) => row.currency === 'USD' && row.client_id === demo.id)).toBe(true);
    const result = await ok(admin, 'list_client_transactions', { client_id: demo.id, limit: 1 });
    const sum = (pick: (row: (typeof stored)[number]) => bigint) =>
      formatCents(stored.reduce((total, row) => total + pick(row), 0n));
    expect(result.totals).toEqual({
      amount_in: [{ currency: 'USD', amount: sum((row) => row.amountIn) }],
      fees: [{ currency: 'USD', amount: sum((row) => row.fees) }],
      amount_out: [{ currency: 'USD', amount: sum((row) => row.amountOut) }],
    });
  });

  it('filters by date range and sorts oldest first when asked', async () => {
    const stored = [...admin.sandbox.state.transactions.values()].filter((row) => row.clientId === demo.id);
    const days = stored.map((row) => row.date.slice(0, 10)).sort();
    const from = days[1]!;
    const result = await ok(admin, 'list_client_transactions', {
      client_id: demo.id,
      date_from: from,
      order: 'asc',
    });
    expect(result.total).toBe(stored.filter((row) => row.date.slice(0, 10) >= from).length);
    const dates = items(result).map((row) => row.date as string);
    expect(dates).toEqual([...dates].sort());
    expect(dates.every((date) => date.slice(0, 10) >= from)).toBe(true);
  });

  it('uses the client currency for a euro client', async () => {
    const result = await ok(admin, 'list_client_transactions', { client_id: euro.id, limit: 100 });
    expect(items(result).every((row) => row.currency === 'EUR')).toBe(true);
  });

  it('in client mode answers a foreign client like a missing one', async () => {
    const own = await ok(scoped, 'list_client_transactions', { client_id: demo.id });
    expect(items(own).every((row) => row.client_id === demo.id)).toBe(true);
    const foreign = await callError(scoped.client, 'list_client_transactions', { client_id: euro.id });
    const missing = await callError(scoped.client, 'list_client_transactions', { client_id: MISSING_ID });
    expect(withoutId(foreign, euro.id)).toBe(withoutId(missing, MISSING_ID));
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'list_client_transactions', { client_id: 0 }, 'client_id');
    await expectInvalid(admin, 'list_client_transactions', { client_id: 1, limit: 101 }, 'limit');
    await expectInvalid(
      admin,
      'list_client_transactions',
      { client_id: 1, date_from: 'x'.repeat(10_000) },
      'date_from',
    );
    await expectInvalid(
      admin,
      'list_client_transactions',
      { client_id: 1, date_from: '2025-06-02', date_to: '2025-06-01' },
      'date_to',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('get_quotes', () => {
  it("lists a client's quotes with exact amounts, currency and untrusted texts", async () => {
    const seen = await walk(admin, 'get_quotes', { client_id: demo.id }, 2);
    expect(seen.length).toBe(
      [...admin.sandbox.state.quotes.values()].filter((quote) => quote.clientId === demo.id).length,
    );
    const quote = seen.find((entry) => entry.id === demo.quoteId)!;
    const stored = admin.sandbox.state.quotes.get(demo.quoteId)!;
    expect(quote).toMatchObject({
      client_id: demo.id,
      stage: 'Delivered',
      currency: 'USD',
      total: formatCents(stored.total),
      proposal: { untrusted: true, text: stored.proposal },
      customer_notes: { untrusted: true, text: stored.customerNotes },
    });
    expect(quote.items).toHaveLength(stored.items.length);
    expect((quote.items as Item[])[1]).toMatchObject({
      quantity: '12',
      unit_price: '12.95',
      discount_percent: '10.00',
      taxable: false,
    });
  });

  it('filters by stage and reads one quote by id', async () => {
    const drafts = await ok(admin, 'get_quotes', { client_id: demo.id, stage: 'Draft' });
    expect(drafts.total).toBe(1);
    expect(items(drafts).every((quote) => quote.stage === 'Draft')).toBe(true);
    const one = await ok(admin, 'get_quotes', { quote_id: foreignQuoteId });
    expect(items(one)).toHaveLength(1);
    expect(items(one)[0]).toMatchObject({ id: foreignQuoteId, client_id: euro.id, currency: 'EUR' });
    const prospect = await ok(admin, 'get_quotes', { quote_id: prospectQuoteId });
    expect(items(prospect)[0]).toMatchObject({ id: prospectQuoteId, client_id: null });
  });

  it('shows admin notes only in admin mode, and hides foreign and prospect quotes in client mode', async () => {
    const adminView = await ok(admin, 'get_quotes', { client_id: demo.id, stage: 'Accepted' });
    expect(items(adminView)[0]!.admin_notes).toMatchObject({ text: 'Internal: margin 40%' });
    const clientView = await ok(scoped, 'get_quotes', { client_id: demo.id, stage: 'Accepted' });
    expect(items(clientView)[0]).not.toHaveProperty('admin_notes');
    expect(JSON.stringify(clientView)).not.toContain('margin 40%');

    const missing = await callError(scoped.client, 'get_quotes', { quote_id: MISSING_ID });
    for (const id of [foreignQuoteId, prospectQuoteId]) {
      const foreign = await callError(scoped.client, 'get_quotes', { quote_id: id });
      expect(withoutId(foreign, id)).toBe(withoutId(missing, MISSING_ID));
    }
    const foreignClient = await callError(scoped.client, 'get_quotes', { client_id: euro.id });
    const missingClient = await callError(scoped.client, 'get_quotes', { client_id: MISSING_ID });
    expect(withoutId(foreignClient, euro.id)).toBe(withoutId(missingClient, MISSING_ID));
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'get_quotes', {}, 'client_id');
    await expectInvalid(admin, 'get_quotes', { client_id: 1, quote_id: 1 }, 'client_id');
    await expectInvalid(admin, 'get_quotes', { quote_id: -1 }, 'quote_id');
    await expectInvalid(admin, 'get_quotes', { client_id: 1, stage: 'x'.repeat(10_000) }, 'stage');
    await expectInvalid(admin, 'get_quotes', { client_id: 1, limit: 0 }, 'limit');
  });
});

// ---------------------------------------------------------------------------------------------

describe('list_payment_methods and get_currencies', () => {
  it('lists the active gateways, also in client mode', async () => {
    const gateways = [...admin.sandbox.state.gateways.values()];
    const result = await ok(scoped, 'list_payment_methods');
    expect(items(result)).toEqual(
      gateways.map((gateway) => ({ module: gateway.module, display_name: gateway.displayName })),
    );
    const page = await walk(admin, 'list_payment_methods', {}, 3, (item) => item.module);
    expect(page).toHaveLength(gateways.length);
  });

  it('lists the currencies with exact rates, also in client mode', async () => {
    const result = await ok(scoped, 'get_currencies');
    const currencies = [...admin.sandbox.state.currencies.values()];
    expect(items(result)).toEqual(
      currencies.map((currency) => ({
        id: currency.id,
        code: currency.code,
        prefix: currency.prefix,
        suffix: currency.suffix,
        format: currency.format,
        rate: currency.rate,
      })),
    );
    expect(items(result).map((currency) => currency.id)).toEqual(Object.values(SEED_FACTS.currencies));
    await walk(admin, 'get_currencies', {}, 2);
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'list_payment_methods', { limit: 0 }, 'limit');
    await expectInvalid(admin, 'get_currencies', { limit: 101 }, 'limit');
    await expectInvalid(admin, 'get_currencies', { code: 'x'.repeat(10_000) }, 'code');
  });
});

// ---------------------------------------------------------------------------------------------

describe('secrets', () => {
  it('never returns service passwords, pay method tokens, card numbers or password hashes', () => {
    const state = admin.sandbox.state;
    const secrets: string[] = [];
    for (const service of state.services.values()) if (service.password) secrets.push(service.password);
    for (const payMethod of state.payMethods.values()) {
      if (!payMethod.remoteToken) continue;
      for (const value of Object.values(JSON.parse(payMethod.remoteToken) as Record<string, string>))
        secrets.push(value);
    }
    for (const user of state.users.values()) secrets.push(user.passwordHash);
    expect(secrets.length).toBeGreaterThan(10);
    expect(answers.length).toBeGreaterThan(40);
    const everything = answers.join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/remote_token|cardnum|password/i);
  });
});
