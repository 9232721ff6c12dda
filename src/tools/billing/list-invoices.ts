/**
 * list_invoices (every client, admin only) and list_client_invoices (one client, client mode too):
 * GetInvoices with the status filter and ordering sent to WHMCS, and every filter checked again
 * here. WHMCS has no due-date filter, so a date range scans and counts the rows itself.
 */
import { z } from 'zod';
import type { WhmcsParams } from '../../whmcs/encode.js';
import { toDate, toInt } from '../../whmcs/normalize.js';
import { defineTool, type ToolContext } from '../define.js';
import { entityId, listOutput, pagingInput, type ListPage } from '../schemas.js';
import { clientCurrencyOf } from '../shared/currencies.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { loadClient } from '../shared/ownership.js';
import { checkRange, INVOICE_ORDER_FIELDS, invoiceListFilters } from './inputs.js';
import {
  formatAmounts,
  invoiceBalance,
  invoiceHasStatus,
  invoiceSummarySchema,
  netPaidByInvoice,
  projectInvoiceSummary,
  sumByCurrency,
  type InvoiceStatusFilter,
  type InvoiceSummaryOutput,
} from './projections.js';
import { type Row, rowsOf } from '../shared/fields.js';
import { todayUtc } from '../shared/dates.js';

interface InvoiceFilters {
  status?: InvoiceStatusFilter | undefined;
  due_from?: string | undefined;
  due_to?: string | undefined;
  order_by: keyof typeof INVOICE_ORDER_FIELDS;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The local check of every invoice filter, and of the owner when the list is one client's. */
export function invoiceFilter(
  ctx: ToolContext,
  filters: Pick<InvoiceFilters, 'status' | 'due_from' | 'due_to'>,
  today: string,
  clientId?: number,
): (row: Row) => boolean {
  return (row) => {
    const ownerId = toInt(row.userid);
    if (clientId !== undefined && ownerId !== clientId) return false;
    if (!ctx.scope.allows(ownerId)) return false;
    if (filters.status !== undefined && !invoiceHasStatus(row, filters.status, today)) return false;
    const due = toDate(row.duedate)?.slice(0, 10) ?? null;
    if (filters.due_from !== undefined && (due === null || due < filters.due_from)) return false;
    if (filters.due_to !== undefined && (due === null || due > filters.due_to)) return false;
    return true;
  };
}

/** One page of GetInvoices rows matching the filters, counted as the list contract requires. */
export function invoiceRowsPage(
  ctx: ToolContext,
  filters: InvoiceFilters,
  today: string,
  clientId?: number,
): Promise<ListPage<Row>> {
  const params: WhmcsParams = {
    orderby: INVOICE_ORDER_FIELDS[filters.order_by],
    order: filters.order,
    ...(filters.status === undefined ? {} : { status: filters.status }),
    ...(clientId === undefined ? {} : { userid: clientId }),
  };
  return listPage({
    read: actionPages(ctx, 'GetInvoices', params, 'invoices'),
    keep: invoiceFilter(ctx, filters, today, clientId),
    serverAppliesAllFilters: filters.due_from === undefined && filters.due_to === undefined,
    offset: filters.offset,
    limit: filters.limit,
    noun: 'invoices',
    narrowHint: 'add a status filter or a shorter due-date range',
    logger: ctx.logger,
  });
}

const summaryList = listOutput(invoiceSummarySchema);

function summarizeInvoices(result: z.output<typeof summaryList>): string {
  const invoices = result.items as InvoiceSummaryOutput[];
  const estimate = result.total_is_estimate === true ? ' (at least)' : '';
  const head = `${result.count} of ${result.total}${estimate} invoice(s) from offset ${result.offset}`;
  const totals = formatAmounts(
    sumByCurrency(invoices.map((i) => ({ currency: i.currency, amount: i.total }))),
  );
  const known = invoices.filter((invoice) => invoice.balance !== null);
  const balances =
    known.length > 0
      ? `; balance ${formatAmounts(sumByCurrency(known.map((i) => ({ currency: i.currency, amount: i.balance }))))}`
      : '';
  const more = result.has_more ? `; next page at offset ${String(result.next_offset)}` : '';
  return `${head}: totals ${totals}${balances} on this page${more}.`;
}

const listInvoicesInput = z
  .strictObject({ ...invoiceListFilters, ...pagingInput })
  .superRefine((value, ctx) => checkRange(value.due_from, value.due_to, 'due_to', ctx));

export const listInvoices = defineTool({
  name: 'list_invoices',
  title: 'List invoices across clients',
  description: [
    'Lists invoices across all clients (admin only), newest first by default: status, dates, totals with',
    'the currency code, the client, and whether the invoice is overdue. Filter by status (Overdue means',
    'Unpaid and past its due date) and by a due-date range; order by id, invoice_number, date, due_date,',
    'total or status. Balances are not part of this list (balance is null): use get_invoice for them, or',
    'list_client_invoices, which includes balances. A due-date range is applied here rather than by WHMCS,',
    'so on large installations its total may be a lower bound (total_is_estimate).',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetInvoices'],
  input: listInvoicesInput,
  output: summaryList,
  async handler(args, ctx) {
    const today = todayUtc();
    const page = await invoiceRowsPage(ctx, args, today);
    return { ...page, items: page.items.map((row) => projectInvoiceSummary(row, { today })) };
  },
  summarize: summarizeInvoices,
});

const listClientInvoicesInput = z
  .strictObject({
    client_id: entityId('The client whose invoices to list.'),
    ...invoiceListFilters,
    ...pagingInput,
  })
  .superRefine((value, ctx) => checkRange(value.due_from, value.due_to, 'due_to', ctx));

export const listClientInvoices = defineTool({
  name: 'list_client_invoices',
  title: "List a client's invoices",
  description: [
    "Lists one client's invoices, newest first by default, with status, dates, total and balance as exact",
    'amounts with the currency code, and whether each is overdue. Filter by status (Overdue means Unpaid and',
    'past its due date) and by a due-date range; order by id, invoice_number, date, due_date, total or status.',
    'Use get_invoice for line items and transactions.',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails', 'GetInvoices', 'GetTransactions'],
  input: listClientInvoicesInput,
  output: summaryList,
  async handler(args, ctx) {
    const clientReply = await loadClient(ctx, args.client_id);
    const today = todayUtc();
    const page = await invoiceRowsPage(ctx, args, today, args.client_id);
    // GetInvoices has no balance; the client's transactions give each invoice's net payments.
    let paid = new Map<number, bigint>();
    if (page.items.length > 0) {
      const reply = await ctx.whmcs.call('GetTransactions', { clientid: args.client_id });
      const rows = rowsOf(reply.transactions).filter((row) => toInt(row.userid) === args.client_id);
      paid = netPaidByInvoice(rows);
    }
    const fallbackCurrency = clientCurrencyOf(clientReply).code ?? null;
    return {
      ...page,
      items: page.items.map((row) => {
        const invoice = projectInvoiceSummary(row, { today });
        return {
          ...invoice,
          currency: invoice.currency ?? fallbackCurrency,
          balance: invoiceBalance(invoice.total, paid.get(invoice.id) ?? 0n),
        };
      }),
    };
  },
  summarize: summarizeInvoices,
});
