/**
 * The reports toolset through the real server against the sandbox: the four per-client aggregators
 * and the three cross-client reports. Expected figures are computed from the sandbox's own state in
 * bigint cents, so every amount the tools return is checked to the cent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import { formatCents, parseCents, type Cents } from '../../src/money.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import type { Invoice, SandboxState, Transaction } from '../../src/sandbox/state.js';
import { getDomainPortfolioSnapshot } from '../../src/tools/reports/domain-portfolio.js';
import { agingBucket, getAccountsReceivableAging } from '../../src/tools/reports/receivables-aging.js';
import { loadSections, REPORT_SCAN_CAP } from '../../src/tools/reports/sections.js';
import { callError, startHarness, type Harness } from '../helpers/mcp-harness.js';
import { listAction, scriptedContext, type Call } from './scripted-whmcs.js';

type Structured = Record<string, unknown>;
type Item = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const MISSING_CLIENT = 987_654;
const FOREIGN_CLIENT = SEED_FACTS.euroClient.id;
const OWNED_AGGREGATORS = [
  'get_account_360',
  'get_billing_snapshot',
  'get_support_snapshot',
  'get_renewal_snapshot',
] as const;
const BUCKETS = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'days_over_90'] as const;
const CROSS_CLIENT_REPORTS = [
  'get_accounts_receivable_aging',
  'get_revenue_report',
  'get_domain_portfolio_snapshot',
] as const;

let admin: Harness;
let scoped: Harness;
/** Shares the sandbox; reads are not retried, so one injected fault fails one call. */
let fragile: Harness;
const answers: string[] = [];

async function ok(harness: Harness, name: string, args: Record<string, unknown> = {}): Promise<Structured> {
  const result = await harness.client.callTool({ name, arguments: args });
  answers.push(JSON.stringify(result));
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Structured;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function state(): SandboxState {
  return admin.sandbox.state;
}

function currencyOfClient(clientId: number): string {
  return state().currencyOf(state().clients.get(clientId)).code;
}

function balanceOf(invoice: Invoice): Cents {
  const balance = state().invoiceBalance(invoice);
  return balance < 0n ? 0n : balance;
}

function unpaidInvoicesOf(clientId: number): Invoice[] {
  return [...state().invoices.values()].filter(
    (invoice) => invoice.clientId === clientId && invoice.status === 'Unpaid',
  );
}

function sum(values: Iterable<Cents>): string {
  let total = 0n;
  for (const value of values) total += value;
  return formatCents(total);
}

/** The same answer with an id replaced, so a foreign id's answer can be compared with a missing one's. */
function withoutId(answer: unknown, id: number): string {
  return JSON.stringify(answer).replace(new RegExp(`(?<!\\d)${id}(?!\\d)`, 'g'), '<id>');
}

async function withFaults<T>(actions: string[], run: () => Promise<T>): Promise<T> {
  admin.sandbox.faults.set({ seed: 1, rates: { serverError: 1 }, actions });
  try {
    return await run();
  } finally {
    admin.sandbox.faults.clear();
  }
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

describe('get_account_360', () => {
  it("shows the demo client's whole account with exact balances", async () => {
    const result = await ok(admin, 'get_account_360', { client_id: demo.id });
    expect(result.partial_errors).toEqual([]);
    expect(result.client).toMatchObject({ id: demo.id, email: demo.email, currency_code: 'USD' });
    expect(result.credit_balance).toEqual({ currency: 'USD', amount: demo.creditBalance });

    const services = result.services as { total: number; items: Item[]; by_status: Item[] };
    const seededServices = [...state().services.values()].filter((service) => service.clientId === demo.id);
    expect(services.total).toBe(seededServices.length);
    expect(services.items.map((item) => item.id).sort()).toEqual(
      seededServices.map((service) => service.id).sort(),
    );
    expect(services.items[0]?.status).toBe('Active');
    expect(services.by_status.reduce((total, entry) => total + (entry.count as number), 0)).toBe(
      services.total,
    );

    const domains = result.domains as { total: number; items: Item[] };
    expect(domains.total).toBe(
      [...state().domains.values()].filter((domain) => domain.clientId === demo.id).length,
    );

    const invoices = result.invoices as { totals: Item[]; items: Item[]; amounts_are_balances: boolean };
    const unpaid = unpaidInvoicesOf(demo.id);
    const overdue = unpaid.filter((invoice) => invoice.dueDate < today());
    expect(invoices.amounts_are_balances).toBe(true);
    expect(invoices.totals).toEqual([
      {
        currency: 'USD',
        unpaid_count: unpaid.length,
        unpaid_amount: sum(unpaid.map(balanceOf)),
        overdue_count: overdue.length,
        overdue_amount: sum(overdue.map(balanceOf)),
      },
    ]);
    const overdueItem = invoices.items.find((item) => item.id === demo.invoices.overdue);
    expect(overdueItem).toMatchObject({ balance: demo.overdueBalance, is_overdue: true, currency: 'USD' });
    expect(invoices.items.find((item) => item.id === demo.invoices.unpaid)?.balance).toBe(demo.unpaidBalance);

    const active = new Set(
      state()
        .ticketStatuses.filter((status) => status.showActive)
        .map((status) => status.title),
    );
    const openTickets = [...state().tickets.values()].filter(
      (ticket) => ticket.clientId === demo.id && active.has(ticket.status),
    );
    const tickets = result.tickets as { open_count: number; items: Item[] };
    expect(tickets.open_count).toBe(openTickets.length);
    expect(tickets.items.map((item) => item.id).sort()).toEqual(
      openTickets.map((ticket) => ticket.id).sort(),
    );
    expect(tickets.items.every((item) => (item.subject as Item).untrusted === true)).toBe(true);

    const activity = result.recent_activity as Item[];
    expect(activity.length).toBeGreaterThan(0);
    expect(activity.every((entry) => entry.client_id === demo.id)).toBe(true);
  });

  it('reports a failed section in partial_errors and keeps the rest', async () => {
    const result = await withFaults(['GetTickets'], () =>
      ok(fragile, 'get_account_360', { client_id: demo.id }),
    );
    expect(result.tickets).toBeNull();
    const errors = result.partial_errors as Item[];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ section: 'tickets', code: 'upstream_unavailable' });
    expect(String(errors[0]?.message)).not.toMatch(/<html|<!DOCTYPE/i);
    expect((result.services as Item).total).toBeGreaterThan(0);
    expect(result.invoices).not.toBeNull();
    expect(result.client).toMatchObject({ id: demo.id });
  });

  it('falls back to invoice totals, and says so, when payments cannot be read', async () => {
    const result = await withFaults(['GetTransactions'], () =>
      ok(fragile, 'get_account_360', { client_id: demo.id }),
    );
    const invoices = result.invoices as { amounts_are_balances: boolean; totals: Item[]; items: Item[] };
    expect(invoices.amounts_are_balances).toBe(false);
    expect(invoices.items.every((item) => item.balance === null)).toBe(true);
    expect(invoices.totals[0]?.unpaid_amount).toBe(
      sum(unpaidInvoicesOf(demo.id).map((invoice) => invoice.total)),
    );
    expect((result.partial_errors as Item[]).map((error) => error.section)).toEqual(['payments']);
  });

  it('fails whole only when the client itself cannot be read', async () => {
    const error = await callError(admin.client, 'get_account_360', { client_id: MISSING_CLIENT });
    expect(error).toEqual({
      code: 'not_found',
      message: `Client ${MISSING_CLIENT} was not found.`,
      details: { entity: 'client', id: MISSING_CLIENT },
    });
  });
});

describe('get_billing_snapshot', () => {
  it('sums unpaid and overdue balances exactly and lists recent payments, refunds and credits', async () => {
    const result = await ok(admin, 'get_billing_snapshot', { client_id: demo.id, recent: 5 });
    expect(result.partial_errors).toEqual([]);
    expect(result.credit_balance).toEqual({ currency: 'USD', amount: demo.creditBalance });
    const receivables = result.receivables as {
      totals: Item[];
      next_due: Item | null;
      unpaid_invoices: Item[];
    };
    const unpaid = unpaidInvoicesOf(demo.id);
    const overdue = unpaid.filter((invoice) => invoice.dueDate < today());
    expect(receivables.totals).toEqual([
      {
        currency: 'USD',
        unpaid_count: unpaid.length,
        unpaid_amount: sum(unpaid.map(balanceOf)),
        overdue_count: overdue.length,
        overdue_amount: sum(overdue.map(balanceOf)),
      },
    ]);
    const upcoming = unpaid
      .filter((invoice) => invoice.dueDate >= today())
      .sort((left, right) => left.dueDate.localeCompare(right.dueDate) || left.id - right.id)[0];
    expect(receivables.next_due).toEqual(
      upcoming
        ? {
            invoice_id: upcoming.id,
            due_date: upcoming.dueDate,
            days_until_due: daysFrom(today(), upcoming.dueDate),
            amount: formatCents(balanceOf(upcoming)),
            currency: 'USD',
          }
        : null,
    );
    // Earliest due first.
    const dueDates = receivables.unpaid_invoices.map((invoice) => String(invoice.due_date));
    expect(dueDates).toEqual([...dueDates].sort());

    const transactions = [...state().transactions.values()].filter((row) => row.clientId === demo.id);
    const newestFirst = (rows: Transaction[]) =>
      rows
        .sort((left, right) => right.date.localeCompare(left.date) || right.id - left.id)
        .map((row) => row.id);
    const payments = result.recent_payments as Item[];
    expect(payments.map((row) => row.id)).toEqual(
      newestFirst(transactions.filter((row) => row.amountIn > 0n)).slice(0, 5),
    );
    const refunds = result.recent_refunds as Item[];
    expect(refunds.map((row) => row.id)).toEqual(
      newestFirst(transactions.filter((row) => row.amountOut > 0n)).slice(0, 5),
    );
    expect(refunds.length).toBeGreaterThan(0);
    expect(refunds.every((row) => row.currency === 'USD' && (parseCents(row.amount_out) ?? 0n) > 0n)).toBe(
      true,
    );

    const credits = result.recent_credits as Item[];
    const seededCredits = [...state().credits.values()].filter((entry) => entry.clientId === demo.id);
    expect(credits.length).toBe(Math.min(5, seededCredits.length));
    expect(sum(seededCredits.map((entry) => entry.amount))).toBe(demo.creditBalance);
  });

  it('uses the client currency for a EUR client', async () => {
    const result = await ok(admin, 'get_billing_snapshot', { client_id: FOREIGN_CLIENT });
    const receivables = result.receivables as { totals: Item[]; unpaid_invoices: Item[] };
    expect(result.currency).toBe('EUR');
    expect(receivables.totals.map((total) => total.currency)).toEqual(['EUR']);
    const taxed = receivables.unpaid_invoices.find(
      (item) => item.id === SEED_FACTS.euroClient.taxedUnpaidInvoiceId,
    );
    const seeded = state().invoices.get(SEED_FACTS.euroClient.taxedUnpaidInvoiceId)!;
    expect(taxed).toMatchObject({
      currency: 'EUR',
      total: formatCents(seeded.total),
      balance: formatCents(balanceOf(seeded)),
    });
  });

  it('keeps the receivables when the credit log fails', async () => {
    const result = await withFaults(['GetCredits'], () =>
      ok(fragile, 'get_billing_snapshot', { client_id: demo.id }),
    );
    expect(result.recent_credits).toBeNull();
    expect((result.partial_errors as Item[]).map((error) => error.section)).toEqual(['credits']);
    expect((result.receivables as Item).amounts_are_balances).toBe(true);
    expect((result.recent_payments as Item[]).length).toBeGreaterThan(0);
  });
});

describe('get_support_snapshot', () => {
  it('counts open tickets by status and priority and shows each last reply as untrusted text', async () => {
    const result = await ok(admin, 'get_support_snapshot', { client_id: demo.id });
    expect(result.partial_errors).toEqual([]);
    const active = new Set(
      state()
        .ticketStatuses.filter((status) => status.showActive)
        .map((status) => status.title),
    );
    const open = [...state().tickets.values()].filter(
      (ticket) => ticket.clientId === demo.id && active.has(ticket.status),
    );
    expect(result.open_count).toBe(open.length);
    const byStatus = new Map<string, number>();
    for (const ticket of open) byStatus.set(ticket.status, (byStatus.get(ticket.status) ?? 0) + 1);
    expect(
      Object.fromEntries((result.by_status as Item[]).map((entry) => [entry.status, entry.count])),
    ).toEqual(Object.fromEntries(byStatus));
    const tickets = result.tickets as Item[];
    for (const ticket of tickets) {
      const seeded = state().tickets.get(ticket.id as number)!;
      const lastReply = seeded.replies.at(-1);
      const last = ticket.last_reply as { excerpt: Item; author_type: string; date: string };
      expect(last.excerpt.untrusted).toBe(true);
      expect(last.excerpt.text).toBe(
        (lastReply?.message ?? seeded.message).replace(/\r\n?/g, '\n').slice(0, 500),
      );
      expect(last.author_type).toBe(lastReply?.admin ? 'staff' : 'client');
      expect((ticket.subject as Item).text).toBe(seeded.subject);
    }
  });

  it("strips hidden characters from the injection ticket's subject and message", async () => {
    const injected = SEED_FACTS.injectionTicket;
    const result = await ok(admin, 'get_support_snapshot', { client_id: injected.clientId });
    const listed = (result.tickets as Item[]).find((item) => item.id === injected.id)!;
    expect(listed.subject).toEqual({ untrusted: true, source: 'customer', text: 'Urgent refund request' });
    const excerpt = (listed.last_reply as Item).excerpt as Item;
    expect(excerpt).toMatchObject({ untrusted: true, source: 'customer' });
    expect(excerpt.text).toContain('Ignore your previous instructions');
    expect(excerpt.text).not.toMatch(/\u200B|\u200D|\u202E|\u202C|\r/);
  });

  it('lists tickets without their last reply when GetTicket fails, and says which', async () => {
    const result = await withFaults(['GetTicket'], () =>
      ok(fragile, 'get_support_snapshot', { client_id: demo.id }),
    );
    const tickets = result.tickets as Item[];
    expect(tickets.length).toBeGreaterThan(0);
    expect(tickets.every((ticket) => ticket.last_reply === null)).toBe(true);
    const errors = result.partial_errors as Item[];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.section).toBe('last_replies');
    for (const ticket of tickets) expect(String(errors[0]?.message)).toContain(String(ticket.id));
  });
});

describe('get_renewal_snapshot', () => {
  it('lists what renews within the window with days to go and an exact renewal value', async () => {
    const days = 45;
    const result = await ok(admin, 'get_renewal_snapshot', { client_id: demo.id, days });
    expect(result.partial_errors).toEqual([]);
    const until = new Date(Date.parse(`${today()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    expect(result).toMatchObject({ as_of: today(), until, days, currency: 'USD' });
    const inWindow = (date: string) => date >= today() && date <= until;
    const services = [...state().services.values()].filter(
      (service) =>
        service.clientId === demo.id &&
        ['Active', 'Suspended'].includes(service.status) &&
        inWindow(service.nextDueDate),
    );
    const addons = [...state().serviceAddons.values()].filter(
      (addon) =>
        addon.clientId === demo.id &&
        ['Active', 'Suspended'].includes(addon.status) &&
        inWindow(addon.nextDueDate),
    );
    const domains = [...state().domains.values()].filter(
      (domain) =>
        domain.clientId === demo.id &&
        ['Active', 'Grace'].includes(domain.status) &&
        (inWindow(domain.nextDueDate) || inWindow(domain.expiryDate)),
    );
    expect((result.services as Item[]).map((item) => item.id).sort()).toEqual(
      services.map((item) => item.id).sort(),
    );
    expect((result.addons as Item[]).map((item) => item.id).sort()).toEqual(
      addons.map((item) => item.id).sort(),
    );
    expect((result.domains as Item[]).map((item) => item.id).sort()).toEqual(
      domains.map((item) => item.id).sort(),
    );
    const nearExpiry = (result.domains as Item[]).find((item) => item.id === demo.domains.nearExpiry);
    expect(nearExpiry?.days_until_expiry).toBe(demo.nearExpiryDays);
    for (const service of result.services as Item[]) {
      expect(service.days_until_due).toBe(daysFrom(today(), String(service.next_due_date)));
    }
    expect(result.renewal_value).toEqual([
      {
        currency: 'USD',
        amount: sum([
          ...services.map((item) => item.recurringAmount),
          ...addons.map((item) => item.recurring),
          ...domains.map((item) => item.recurringAmount),
        ]),
      },
    ]);
  });

  it('narrows with a shorter window and refuses days outside 1..365', async () => {
    const short = await ok(admin, 'get_renewal_snapshot', { client_id: demo.id, days: 1 });
    for (const list of ['services', 'addons', 'domains']) {
      for (const item of short[list] as Item[]) {
        expect(
          Math.min(
            ...([item.days_until_due, item.days_until_expiry].filter(
              (value) => typeof value === 'number',
            ) as number[]),
          ),
        ).toBeLessThanOrEqual(1);
      }
    }
    for (const days of [0, 366, 1.5, '30']) {
      const error = await callError(admin.client, 'get_renewal_snapshot', { client_id: demo.id, days });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('days');
    }
  });

  it('keeps services and addons when domains fail', async () => {
    const result = await withFaults(['GetClientsDomains'], () =>
      ok(fragile, 'get_renewal_snapshot', { client_id: demo.id, days: 60 }),
    );
    expect(result.domains).toBeNull();
    expect(result.domains_auto_renew_off).toBeNull();
    expect(result.services).not.toBeNull();
    expect((result.partial_errors as Item[]).map((error) => error.section)).toEqual(['domains']);
  });
});

describe('get_accounts_receivable_aging', () => {
  /** Days past due -> bucket, written out here rather than taken from the code under test. */
  function bucketFor(days: number): string {
    if (days <= 0) return 'current';
    if (days <= 30) return 'days_1_30';
    if (days <= 60) return 'days_31_60';
    if (days <= 90) return 'days_61_90';
    return 'days_over_90';
  }

  /** The aging computed from the sandbox's own state. */
  function expectedAging(asOf: string) {
    const rows = new Map<string, Record<string, { count: number; cents: Cents }>>();
    for (const invoice of state().invoices.values()) {
      if (invoice.status !== 'Unpaid') continue;
      const owed = balanceOf(invoice);
      if (owed === 0n) continue;
      const currency = currencyOfClient(invoice.clientId);
      const row =
        rows.get(currency) ??
        Object.fromEntries([...BUCKETS, 'total'].map((bucket) => [bucket, { count: 0, cents: 0n }]));
      for (const key of [bucketFor(daysFrom(invoice.dueDate, asOf)), 'total']) {
        row[key]!.count += 1;
        row[key]!.cents += owed;
      }
      rows.set(currency, row);
    }
    return [...rows.entries()]
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([currency, row]) => ({
        currency,
        buckets: Object.fromEntries(
          BUCKETS.map((bucket) => [
            bucket,
            { invoice_count: row[bucket]!.count, amount: formatCents(row[bucket]!.cents) },
          ]),
        ),
        total: { invoice_count: row.total!.count, amount: formatCents(row.total!.cents) },
      }));
  }

  it('buckets the seed invoices by days overdue with exact totals per currency', async () => {
    const result = await ok(admin, 'get_accounts_receivable_aging', {});
    expect(result.as_of).toBe(today());
    expect(result.partial_errors).toEqual([]);
    expect(result.amounts_are_balances).toBe(true);
    expect(result.by_currency).toEqual(expectedAging(today()));
    const unpaidCount = [...state().invoices.values()].filter(
      (invoice) => invoice.status === 'Unpaid',
    ).length;
    expect(result).toMatchObject({
      unpaid_invoices: unpaidCount,
      invoices_scanned: unpaidCount,
      scan_capped: false,
    });
    // The seed spreads invoices over several buckets; an aging with everything in one bucket proves nothing.
    const usd = (result.by_currency as Item[]).find((row) => row.currency === 'USD')!;
    const filled = Object.values(usd.buckets as Record<string, Item>).filter(
      (bucket) => (bucket.invoice_count as number) > 0,
    );
    expect(filled.length).toBeGreaterThanOrEqual(3);
  });

  it("puts the demo client's overdue invoice in the bucket of its age, for any as_of day", async () => {
    const overdue = state().invoices.get(demo.invoices.overdue)!;
    const owed = formatCents(balanceOf(overdue));
    for (const [shift, bucket] of [
      [0, 'current'],
      [1, 'days_1_30'],
      [30, 'days_1_30'],
      [31, 'days_31_60'],
      [60, 'days_31_60'],
      [61, 'days_61_90'],
      [90, 'days_61_90'],
      [91, 'days_over_90'],
    ] as const) {
      const asOf = new Date(Date.parse(`${overdue.dueDate}T00:00:00Z`) + shift * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const result = await ok(admin, 'get_accounts_receivable_aging', { as_of: asOf, top_debtors: 100 });
      expect(result.by_currency).toEqual(expectedAging(asOf));
      const debtor = (result.top_debtors as Item[]).find((entry) => entry.client_id === demo.id)!;
      expect(debtor.max_days_overdue as number).toBeGreaterThanOrEqual(shift);
      const usd = (result.by_currency as Item[]).find((row) => row.currency === 'USD')!;
      const cell = (usd.buckets as Record<string, Item>)[bucket]!;
      expect(parseCents(cell.amount)! >= parseCents(owed)!).toBe(true);
      expect(agingBucket(shift)).toBe(bucket);
    }
  });

  it('answers "who owes us money over 60 days?"', async () => {
    const result = await ok(admin, 'get_accounts_receivable_aging', {
      min_days_overdue: 60,
      top_debtors: 100,
    });
    const debtors = result.top_debtors as Item[];
    const expected = new Map<string, Cents>();
    for (const invoice of state().invoices.values()) {
      if (invoice.status !== 'Unpaid' || daysFrom(invoice.dueDate, today()) < 60) continue;
      const owed = balanceOf(invoice);
      if (owed === 0n) continue;
      const key = `${invoice.clientId}:${currencyOfClient(invoice.clientId)}`;
      expected.set(key, (expected.get(key) ?? 0n) + owed);
    }
    expect(debtors.length).toBe(expected.size);
    expect(debtors.length).toBeGreaterThan(0);
    for (const debtor of debtors) {
      expect(debtor.owed_at_min_days).toBe(
        formatCents(expected.get(`${debtor.client_id}:${debtor.currency}`)!),
      );
      expect(debtor.max_days_overdue as number).toBeGreaterThanOrEqual(60);
      expect((debtor.client_name as Item).untrusted).toBe(true);
    }
    // Largest first within each currency.
    for (const currency of new Set(debtors.map((debtor) => debtor.currency))) {
      const owed = debtors
        .filter((debtor) => debtor.currency === currency)
        .map((debtor) => parseCents(debtor.owed_at_min_days)!);
      expect(owed).toEqual([...owed].sort((left, right) => (left === right ? 0 : left < right ? 1 : -1)));
    }
    const limited = await ok(admin, 'get_accounts_receivable_aging', {
      min_days_overdue: 60,
      top_debtors: 1,
    });
    const currencies = new Set(debtors.map((debtor) => debtor.currency));
    expect((limited.top_debtors as Item[]).length).toBe(currencies.size);
  });

  it('counts invoices at their total when payments fail, and says so', async () => {
    const result = await withFaults(['GetTransactions'], () =>
      ok(fragile, 'get_accounts_receivable_aging', {}),
    );
    expect(result.amounts_are_balances).toBe(false);
    const errors = result.partial_errors as Item[];
    expect(errors.map((error) => error.section)).toEqual(['payments']);
    expect(String(errors[0]?.message)).toContain('full total');
  });

  it('refuses a date that does not exist', async () => {
    for (const asOf of ['2025-02-30', '30/01/2025', 'x'.repeat(10_000)]) {
      const error = await callError(admin.client, 'get_accounts_receivable_aging', { as_of: asOf });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('as_of');
    }
  });
});

describe('get_revenue_report', () => {
  function transactionCurrency(transaction: Transaction): string {
    return transaction.currencyId
      ? state().currencies.get(transaction.currencyId)!.code
      : currencyOfClient(transaction.clientId);
  }

  it('sums payments, refunds and fees per currency and gateway exactly', async () => {
    const from = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10);
    const to = today();
    const result = await ok(admin, 'get_revenue_report', { date_from: from, date_to: to });
    expect(result.partial_errors).toEqual([]);
    const inRange = [...state().transactions.values()].filter(
      (row) => row.date.slice(0, 10) >= from && row.date.slice(0, 10) <= to,
    );
    expect(result.transactions_in_range).toBe(inRange.length);
    expect(result.transactions_scanned).toBe(state().transactions.size);
    const expected = new Map<string, { in: Cents; out: Cents; fees: Cents; ins: number; outs: number }>();
    for (const row of inRange) {
      const currency = transactionCurrency(row);
      const entry = expected.get(currency) ?? { in: 0n, out: 0n, fees: 0n, ins: 0, outs: 0 };
      entry.in += row.amountIn;
      entry.out += row.amountOut;
      entry.fees += row.fees;
      if (row.amountIn !== 0n) entry.ins += 1;
      if (row.amountOut !== 0n) entry.outs += 1;
      expected.set(currency, entry);
    }
    expect(result.by_currency).toEqual(
      [...expected.entries()]
        .sort(([left], [right]) => left.localeCompare(right))
        .map(([currency, entry]) => ({
          currency,
          payments: { count: entry.ins, amount: formatCents(entry.in) },
          refunds: { count: entry.outs, amount: formatCents(entry.out) },
          fees: formatCents(entry.fees),
          net: formatCents(entry.in - entry.out),
          net_after_fees: formatCents(entry.in - entry.out - entry.fees),
        })),
    );
    // Refunds are in the seed and shown apart.
    expect((result.by_currency as Item[]).some((row) => (row.refunds as Item).count !== 0)).toBe(true);
    // Per-gateway rows add up to the per-currency rows.
    for (const row of result.by_currency as Item[]) {
      const gateways = (result.by_gateway as Item[]).filter((entry) => entry.currency === row.currency);
      expect(sum(gateways.map((entry) => parseCents((entry.payments as Item).amount)!))).toBe(
        (row.payments as Item).amount,
      );
      expect(sum(gateways.map((entry) => parseCents((entry.refunds as Item).amount)!))).toBe(
        (row.refunds as Item).amount,
      );
    }
  });

  it('defaults to the last 30 days and refuses a reversed range', async () => {
    const result = await ok(admin, 'get_revenue_report', {});
    expect(result.date_to).toBe(today());
    expect(daysFrom(String(result.date_from), today())).toBe(29);
    const reversed = await callError(admin.client, 'get_revenue_report', {
      date_from: '2025-02-01',
      date_to: '2025-01-01',
    });
    expect(reversed.code).toBe('invalid_input');
    expect(reversed.message).toContain('date_from');
    const empty = await ok(admin, 'get_revenue_report', { date_from: '1999-01-01', date_to: '1999-01-31' });
    expect(empty).toMatchObject({ by_currency: [], by_gateway: [], transactions_in_range: 0 });
  });
});

describe('get_domain_portfolio_snapshot', () => {
  it('counts domains by status, expiry window, registrar and auto-renew', async () => {
    const result = await ok(admin, 'get_domain_portfolio_snapshot', {});
    const domains = [...state().domains.values()];
    expect(result).toMatchObject({
      total_domains: domains.length,
      domains_scanned: domains.length,
      scan_capped: false,
    });
    const byStatus = new Map<string, number>();
    for (const domain of domains) byStatus.set(domain.status, (byStatus.get(domain.status) ?? 0) + 1);
    expect(
      Object.fromEntries((result.by_status as Item[]).map((entry) => [entry.status, entry.count])),
    ).toEqual(Object.fromEntries(byStatus));
    const active = domains.filter((domain) => domain.status === 'Active');
    const within = (days: number) =>
      active.filter((domain) => {
        const left = daysFrom(today(), domain.expiryDate);
        return left >= 0 && left <= days;
      }).length;
    expect(result.expiring).toEqual({
      within_30_days: within(30),
      within_60_days: within(60),
      within_90_days: within(90),
      already_expired: active.filter((domain) => daysFrom(today(), domain.expiryDate) < 0).length,
    });
    expect(within(30)).toBeGreaterThan(0);
    expect((result.auto_renew_off as Item).active).toBe(active.filter((domain) => domain.doNotRenew).length);
    const soonest = result.expiring_soonest as Item[];
    expect(soonest.length).toBe(Math.min(25, within(90)));
    expect(soonest.map((entry) => entry.days_until_expiry)).toEqual(
      [...soonest.map((entry) => entry.days_until_expiry as number)].sort((left, right) => left - right),
    );
    const limited = await ok(admin, 'get_domain_portfolio_snapshot', { expiring_limit: 2 });
    expect((limited.expiring_soonest as Item[]).length).toBe(Math.min(2, within(90)));
  });
});

describe('client mode', () => {
  it('does not list or run the cross-client reports', async () => {
    const names = (await scoped.client.listTools()).tools.map((tool) => tool.name);
    for (const name of OWNED_AGGREGATORS) expect(names).toContain(name);
    for (const name of CROSS_CLIENT_REPORTS) {
      expect(names).not.toContain(name);
      const error = await callError(scoped.client, name, {});
      expect(error.code).toBe('forbidden');
    }
  });

  it("answers the allowed client's aggregators", async () => {
    const result = await ok(scoped, 'get_account_360', { client_id: demo.id });
    expect(result.client).toMatchObject({ id: demo.id });
    expect(result.partial_errors).toEqual([]);
  });

  it('refuses a foreign client exactly like a missing one, for every aggregator', async () => {
    for (const name of OWNED_AGGREGATORS) {
      const foreign = await callError(scoped.client, name, { client_id: FOREIGN_CLIENT });
      const missing = await callError(scoped.client, name, { client_id: MISSING_CLIENT });
      const missingForAdmin = await callError(admin.client, name, { client_id: MISSING_CLIENT });
      expect(withoutId(foreign, FOREIGN_CLIENT)).toBe(withoutId(missing, MISSING_CLIENT));
      expect(withoutId(foreign, FOREIGN_CLIENT)).toBe(withoutId(missingForAdmin, MISSING_CLIENT));
      expect(foreign.code).toBe('not_found');
    }
  });
});

describe('bad input', () => {
  it('names the field for wrong types, bad ids, unknown fields and out-of-range numbers', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['get_account_360', {}, 'client_id'],
      ['get_account_360', { client_id: -1 }, 'client_id'],
      ['get_account_360', { client_id: 0 }, 'client_id'],
      ['get_account_360', { client_id: '1' }, 'client_id'],
      ['get_account_360', { client_id: 1, extra: true }, 'extra'],
      ['get_billing_snapshot', { client_id: 1, recent: 0 }, 'recent'],
      ['get_billing_snapshot', { client_id: 1, recent: 51 }, 'recent'],
      ['get_support_snapshot', { client_id: 1, max_tickets: 0 }, 'max_tickets'],
      ['get_support_snapshot', { client_id: 1, max_tickets: 101 }, 'max_tickets'],
      ['get_accounts_receivable_aging', { top_debtors: 101 }, 'top_debtors'],
      ['get_accounts_receivable_aging', { min_days_overdue: -1 }, 'min_days_overdue'],
      ['get_revenue_report', { date_from: 'x'.repeat(10_000) }, 'date_from'],
      ['get_revenue_report', { date_from: '2000-01-01', date_to: '2020-01-01' }, 'date_to'],
      ['get_domain_portfolio_snapshot', { expiring_limit: 101 }, 'expiring_limit'],
    ];
    for (const [name, args, field] of cases) {
      const error = await callError(admin.client, name, args);
      expect(error.code, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
  });
});

describe('secrets', () => {
  it('never returns service passwords, security answers, gateway tokens or card numbers', () => {
    expect(answers.length).toBeGreaterThan(10);
    const everything = answers.join('\n');
    const secrets = [
      ...[...state().services.values()].map((service) => service.password),
      ...[...state().clients.values()].map((client) => client.securityAnswer),
      ...[...state().payMethods.values()].map((payMethod) => payMethod.remoteToken),
    ].filter((secret) => secret.length > 0);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/\b(?:4\d{3}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4})\b/);
  });
});

// ---------------------------------------------------------------------------------------------
// The fan-out and the capped scan, against a scripted WHMCS (sizes the sandbox seed does not reach).

describe('loadSections', () => {
  it('starts every section before any answers', async () => {
    let started = 0;
    const release: Array<() => void> = [];
    const gate = () =>
      new Promise<number>((resolve) => {
        started += 1;
        release.push(() => resolve(started));
      });
    const pending = loadSections(
      scriptedContext(async () => ({})),
      { a: gate, b: gate, c: gate },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(3);
    for (const open of release) open();
    const { sections, partialErrors } = await pending;
    expect(sections).toEqual({ a: 3, b: 3, c: 3 });
    expect(partialErrors).toEqual([]);
  });

  it('turns failures into partial errors without leaking unexpected detail', async () => {
    const { sections, partialErrors } = await loadSections(
      scriptedContext(async () => ({})),
      {
        fine: async () => 'ok',
        refused: async () => {
          throw new WhmcsMcpError('forbidden', 'The API role does not allow GetTickets.', {
            internal: 'raw body',
          });
        },
        broken: async () => {
          throw new TypeError('secret internals');
        },
      },
    );
    expect(sections).toEqual({ fine: 'ok', refused: null, broken: null });
    expect(partialErrors).toEqual([
      { section: 'refused', code: 'forbidden', message: 'The API role does not allow GetTickets.' },
      { section: 'broken', code: 'upstream_error', message: 'The broken section failed unexpectedly.' },
    ]);
  });
});

describe('scan caps in the reports', () => {
  it('says when the domain portfolio stopped at 10,000 domains', async () => {
    const ctx = scriptedContext(
      listAction('domains', REPORT_SCAN_CAP + 500, (index) => ({
        id: index + 1,
        userid: 1,
        domainname: `d${index}.com`,
        status: 'Active',
        registrar: 'enom',
        expirydate: '2099-01-01',
        donotrenew: index % 2 === 0,
      })),
    );
    const result = await getDomainPortfolioSnapshot.handler({ expiring_limit: 5 }, ctx);
    expect(result).toMatchObject({
      scan_capped: true,
      domains_scanned: REPORT_SCAN_CAP,
      total_domains: REPORT_SCAN_CAP,
    });
    expect(result.auto_renew_off).toMatchObject({ active: REPORT_SCAN_CAP / 2 });
  });

  it('says when the aging stopped at 10,000 unpaid invoices, reading payments in one call for many debtors', async () => {
    const calls: Call[] = [];
    const invoices = listAction('invoices', REPORT_SCAN_CAP + 1, (index) => ({
      id: index + 1,
      userid: (index % 400) + 1,
      status: 'Unpaid',
      duedate: '2020-01-01',
      total: '1.00',
      currencycode: 'USD',
    }));
    const ctx = scriptedContext(
      (action, params) =>
        action === 'GetInvoices' ? invoices(action, params) : Promise.resolve({ transactions: [] }),
      calls,
    );
    const result = await getAccountsReceivableAging.handler(
      { as_of: '2020-03-01', min_days_overdue: 0, top_debtors: 10 },
      ctx,
    );
    expect(result).toMatchObject({
      scan_capped: true,
      invoices_scanned: REPORT_SCAN_CAP,
      unpaid_invoices: REPORT_SCAN_CAP + 1,
    });
    expect(result.by_currency).toEqual([
      {
        currency: 'USD',
        buckets: {
          current: { invoice_count: 0, amount: '0.00' },
          days_1_30: { invoice_count: 0, amount: '0.00' },
          days_31_60: { invoice_count: REPORT_SCAN_CAP, amount: formatCents(BigInt(REPORT_SCAN_CAP) * 100n) },
          days_61_90: { invoice_count: 0, amount: '0.00' },
          days_over_90: { invoice_count: 0, amount: '0.00' },
        },
        total: { invoice_count: REPORT_SCAN_CAP, amount: formatCents(BigInt(REPORT_SCAN_CAP) * 100n) },
      },
    ]);
    expect(calls.filter((call) => call.action === 'GetTransactions')).toEqual([
      { action: 'GetTransactions', params: {} },
    ]);
  });
});
