/**
 * The per-client pieces the owned aggregators (account 360, billing, support, renewals) share:
 * the core client read, and one loader per WHMCS list, each filtered again by owner so a list
 * WHMCS filtered loosely can never carry another client's rows into a client's answer.
 */
import { z } from 'zod';
import { formatCents, parseCents, type Cents } from '../../money.js';
import { toInt } from '../../whmcs/normalize.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import {
  invoiceBalance,
  isOverdue,
  netPaidByInvoice,
  projectInvoiceSummary,
  type InvoiceSummaryOutput,
} from '../billing/projections.js';
import { projectClientSummary, type ClientSummary } from '../clients/projections.js';
import type { ToolContext, WhmcsReply } from '../define.js';
import { money } from '../schemas.js';
import { loadClient } from '../shared/ownership.js';
import { CLIENT_SECTION_CAP } from './sections.js';
import { clientRecord, type Row, rowsOf } from '../shared/fields.js';
import { scanList } from '../shared/list-scan.js';

/** Actions the core client read may use (GetCurrencies only when WHMCS omits currency_code). */
export const CLIENT_CORE_ACTIONS = CURRENCY_ACTIONS;

export interface ClientCore {
  reply: WhmcsReply;
  summary: ClientSummary;
  /** The client's currency code; every service, domain and credit amount is in it. */
  currency: string | null;
  creditBalance: string | null;
}

/**
 * Client mode: refuses a foreign id before any WHMCS call is made, with the same answer a
 * missing client gets. Call it before starting a fan-out.
 */
export function assertClientInScope(ctx: ToolContext, clientId: number): void {
  ctx.scope.assertOwner('client', clientId, clientId);
}

/**
 * The core entity of every owned aggregator: a missing or foreign client fails the whole call. Pass
 * the call's Currencies when the aggregator resolves other currencies too, so GetCurrencies is read
 * once per call.
 */
export async function loadClientCore(
  ctx: ToolContext,
  clientId: number,
  withStats = false,
  currencies: Currencies = new Currencies(ctx),
): Promise<ClientCore> {
  const reply = await loadClient(ctx, clientId, withStats);
  currencies.rememberClient(clientId, reply);
  const currency = await currencies.forClient(clientId);
  const record = clientRecord(reply);
  const credit = parseCents(record.credit);
  return {
    reply,
    summary: projectClientSummary(reply, currency),
    currency,
    creditBalance: credit === undefined ? null : formatCents(credit),
  };
}

export interface OwnedRows {
  rows: Row[];
  /** True when the client has more records than one section reads. */
  truncated: boolean;
}

function ownedBy(rows: Row[], key: string, clientId: number): Row[] {
  return rows.filter((row) => toInt(row[key]) === clientId);
}

export async function loadServiceRows(ctx: ToolContext, clientId: number): Promise<OwnedRows> {
  const scan = await scanList(
    ctx,
    'GetClientsProducts',
    { clientid: clientId },
    'products',
    CLIENT_SECTION_CAP,
  );
  return { rows: ownedBy(scan.rows, 'clientid', clientId), truncated: scan.capped };
}

export async function loadDomainRows(ctx: ToolContext, clientId: number): Promise<OwnedRows> {
  const scan = await scanList(
    ctx,
    'GetClientsDomains',
    { clientid: clientId },
    'domains',
    CLIENT_SECTION_CAP,
  );
  return { rows: ownedBy(scan.rows, 'userid', clientId), truncated: scan.capped };
}

/** GetClientsAddons has no paging: one call returns every addon of the client. */
export async function loadAddonRows(ctx: ToolContext, clientId: number): Promise<OwnedRows> {
  const reply = await ctx.whmcs.call('GetClientsAddons', { clientid: clientId });
  const rows = rowsOf(reply.addons);
  return { rows: ownedBy(rows, 'userid', clientId), truncated: false };
}

/** Unpaid invoices (overdue ones included: WHMCS's Overdue is Unpaid past its due date). */
export async function loadUnpaidInvoiceRows(ctx: ToolContext, clientId: number): Promise<OwnedRows> {
  const scan = await scanList(
    ctx,
    'GetInvoices',
    { userid: clientId, status: 'Unpaid', orderby: 'duedate', order: 'asc' },
    'invoices',
    CLIENT_SECTION_CAP,
  );
  const rows = ownedBy(scan.rows, 'userid', clientId).filter((row) => row.status === 'Unpaid');
  return { rows, truncated: scan.capped };
}

/** Every transaction of the client (GetTransactions has no paging). */
export async function loadTransactionRows(ctx: ToolContext, clientId: number): Promise<Row[]> {
  const reply = await ctx.whmcs.call('GetTransactions', { clientid: clientId });
  return ownedBy(rowsOf(reply.transactions), 'userid', clientId);
}

/**
 * Open tickets: WHMCS is asked for its active statuses and Closed is filtered out again here, for a
 * WHMCS that ignores the status filter. Department assignments of the API admin are ignored, or
 * tickets in departments the credential's admin is not in would silently vanish.
 */
export async function loadOpenTicketRows(ctx: ToolContext, clientId: number): Promise<OwnedRows> {
  const scan = await scanList(
    ctx,
    'GetTickets',
    { clientid: clientId, status: 'All Active Tickets', ignore_dept_assignments: true },
    'tickets',
    CLIENT_SECTION_CAP,
  );
  const rows = ownedBy(scan.rows, 'userid', clientId).filter(
    (row) => typeof row.status === 'string' && row.status !== 'Closed',
  );
  return { rows, truncated: scan.capped };
}

// ---------------------------------------------------------------------------------------------
// Receivables of one client.

export const receivableTotalsSchema = z.object({
  currency: z.string().nullable(),
  unpaid_count: z.number().int().describe('Unpaid invoices, overdue ones included.'),
  unpaid_amount: money.describe('What is owed on them.'),
  overdue_count: z.number().int(),
  overdue_amount: money.describe('What is owed on the overdue ones (a part of unpaid_amount).'),
});
export type ReceivableTotals = z.infer<typeof receivableTotalsSchema>;

export const amountsAreBalancesField = z
  .boolean()
  .describe(
    'True: amounts are balances (invoice totals less net payments). False: payments could not be read (see partial_errors), so amounts are invoice totals.',
  );

export interface Receivables {
  invoices: InvoiceSummaryOutput[];
  totals: ReceivableTotals[];
  amountsAreBalances: boolean;
}

/**
 * Balances of unpaid invoices. With the client's transactions each balance is the total less net
 * payments (exact, bigint cents); without them (`transactions` null) the total stands in and the
 * result says so.
 */
export function summarizeReceivables(
  invoiceRows: readonly Row[],
  transactions: readonly Row[] | null,
  fallbackCurrency: string | null,
  today: string,
): Receivables {
  const paid = transactions === null ? null : netPaidByInvoice(transactions);
  const invoices = invoiceRows.map((row) => {
    const id = toInt(row.id) ?? 0;
    const balance = paid === null ? null : invoiceBalance(toMoneyText(row.total), paid.get(id) ?? 0n);
    const invoice = projectInvoiceSummary(row, { today, balance });
    return invoice.currency === null ? { ...invoice, currency: fallbackCurrency } : invoice;
  });
  const sums = new Map<
    string | null,
    { unpaid: Cents; overdue: Cents; unpaidCount: number; overdueCount: number }
  >();
  for (const invoice of invoices) {
    const owed = parseCents(invoice.balance ?? invoice.total) ?? 0n;
    const entry = sums.get(invoice.currency) ?? { unpaid: 0n, overdue: 0n, unpaidCount: 0, overdueCount: 0 };
    entry.unpaid += owed;
    entry.unpaidCount += 1;
    if (isOverdue(invoice.status, invoice.due_date, today)) {
      entry.overdue += owed;
      entry.overdueCount += 1;
    }
    sums.set(invoice.currency, entry);
  }
  const totals = [...sums.entries()]
    .sort(([left], [right]) => compareCurrency(left, right))
    .map(([currency, entry]) => ({
      currency,
      unpaid_count: entry.unpaidCount,
      unpaid_amount: formatCents(entry.unpaid),
      overdue_count: entry.overdueCount,
      overdue_amount: formatCents(entry.overdue),
    }));
  return { invoices, totals, amountsAreBalances: paid !== null };
}

function toMoneyText(value: unknown): string | null {
  const cents = parseCents(value);
  return cents === undefined ? null : formatCents(cents);
}

/** Currency codes in alphabetical order, unknown (null) last. */
export function compareCurrency(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return 1;
  if (right === null) return -1;
  return left < right ? -1 : 1;
}
