/**
 * How invoices, their items and transactions leave the server, as schemas and pure projections
 * over NORMALIZED WHMCS replies (GetInvoice, GetInvoices rows, GetTransactions rows). Other areas
 * (aggregators, resources, write previews) import these so an invoice reads the same everywhere.
 * Amounts are exact two-place strings; sums go through bigint cents, never floats.
 */
import { z } from 'zod';
import { formatCents, parseCents, type Cents } from '../../money.js';
import { toBool, toDate, toDecimalString, toInt } from '../../whmcs/normalize.js';
import { money, untrustedText, whmcsDate } from '../schemas.js';
import { amount, optionalId, type Row, rowsOf, text } from '../shared/fields.js';
import { untrusted } from '../untrusted.js';
import { todayUtc } from '../shared/dates.js';

// ---------------------------------------------------------------------------------------------
// Statuses and the overdue rule.

export { INVOICE_STATUSES, type InvoiceStatus } from '../../whmcs/vocabulary.js';

/** What a caller may filter on: the stored statuses plus WHMCS's derived "Overdue". */
export const INVOICE_STATUS_FILTERS = [
  'Paid',
  'Unpaid',
  'Overdue',
  'Cancelled',
  'Refunded',
  'Collections',
  'Draft',
  'Payment Pending',
] as const;
export type InvoiceStatusFilter = (typeof INVOICE_STATUS_FILTERS)[number];

/**
 * WHMCS stores no "Overdue" status: an invoice is overdue while it is Unpaid and its due date is
 * before today. GetInvoices' `status=Overdue` applies this same rule.
 */
export function isOverdue(status: unknown, dueDate: string | null, today: string): boolean {
  return status === 'Unpaid' && dueDate !== null && dueDate.slice(0, 10) < today;
}

/** The local check behind a status filter, so a filter WHMCS ignored still filters. */
export function invoiceHasStatus(row: Row, filter: InvoiceStatusFilter, today: string): boolean {
  if (filter === 'Overdue') return isOverdue(text(row.status), toDate(row.duedate), today);
  return text(row.status)?.toLowerCase() === filter.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Small readers over normalized values.

function decimalOf(value: unknown): string | null {
  return toDecimalString(value) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Money helpers.

export const currencyAmount = z.object({
  currency: z.string().nullable().describe('ISO-style currency code from WHMCS ("USD"); null when unknown.'),
  amount: money,
});
export type CurrencyAmount = z.infer<typeof currencyAmount>;

export const amountsByCurrency = z
  .array(currencyAmount)
  .describe('One exact sum per currency; amounts in different currencies are never added together.');

/**
 * Sums amounts per currency exactly (bigint cents). Entries without an amount are skipped; the
 * result is sorted by currency code, unknown currency last.
 */
export function sumByCurrency(
  entries: Iterable<{ currency: string | null; amount: string | null | undefined }>,
): CurrencyAmount[] {
  const sums = new Map<string | null, Cents>();
  for (const entry of entries) {
    const cents = parseCents(entry.amount);
    if (cents === undefined) continue;
    sums.set(entry.currency, (sums.get(entry.currency) ?? 0n) + cents);
  }
  return [...sums.entries()]
    .sort(([left], [right]) => {
      if (left === right) return 0;
      if (left === null) return 1;
      if (right === null) return -1;
      return left < right ? -1 : 1;
    })
    .map(([currency, cents]) => ({ currency, amount: formatCents(cents) }));
}

/** "15.95 USD, 10.00 EUR" for summaries; "0.00" for an empty list. */
export function formatAmounts(amounts: readonly CurrencyAmount[]): string {
  if (amounts.length === 0) return '0.00';
  return amounts.map((entry) => `${entry.amount}${entry.currency ? ` ${entry.currency}` : ''}`).join(', ');
}

/**
 * Net amount paid per invoice from transaction rows (GetTransactions or GetInvoice's list):
 * payments in minus refunds out, as WHMCS counts an invoice's amount paid.
 */
export function netPaidByInvoice(transactions: Iterable<Row>): Map<number, Cents> {
  const paid = new Map<number, Cents>();
  for (const transaction of transactions) {
    const invoiceId = optionalId(transaction.invoiceid);
    if (invoiceId === null) continue;
    const amountIn = parseCents(transaction.amountin) ?? 0n;
    const amountOut = parseCents(transaction.amountout) ?? 0n;
    paid.set(invoiceId, (paid.get(invoiceId) ?? 0n) + amountIn - amountOut);
  }
  return paid;
}

/**
 * An invoice's balance from its total and the net amount paid. It never goes below zero: an
 * overpayment is credited to the client's balance, not owed back on the invoice.
 */
export function invoiceBalance(total: string | null, netPaid: Cents): string | null {
  const totalCents = parseCents(total);
  if (totalCents === undefined) return null;
  const balance = totalCents - netPaid;
  return formatCents(balance < 0n ? 0n : balance);
}

// ---------------------------------------------------------------------------------------------
// Transactions.

export const transactionSchema = z.object({
  id: z.number().int(),
  client_id: z.number().int().nullable(),
  invoice_id: z.number().int().nullable().describe('Invoice the transaction paid or refunded; null if none.'),
  date: whmcsDate,
  gateway: z.string().nullable().describe('Payment gateway system name ("stripe").'),
  description: z.string().nullable(),
  amount_in: money.nullable(),
  fees: money.nullable(),
  amount_out: money.nullable().describe('Money paid back out (a refund).'),
  currency: z.string().nullable(),
  exchange_rate: z.string().nullable().describe('Rate against the default currency when recorded.'),
  gateway_transaction_id: z.string().nullable().describe("The gateway's reference for the payment."),
  refund_of_transaction_id: z
    .number()
    .int()
    .nullable()
    .describe('For a refund, the id of the payment transaction it refunds.'),
});
export type TransactionOutput = z.infer<typeof transactionSchema>;

/**
 * A transaction row. WHMCS records currency 0 for a client's transaction (the client's currency
 * applies), so the caller passes the resolved code.
 */
export function projectTransaction(row: Row, currency: string | null): TransactionOutput {
  return {
    id: toInt(row.id) ?? 0,
    client_id: optionalId(row.userid),
    invoice_id: optionalId(row.invoiceid),
    date: toDate(row.date),
    gateway: text(row.gateway),
    description: text(row.description),
    amount_in: amount(row.amountin),
    fees: amount(row.fees),
    amount_out: amount(row.amountout),
    currency,
    exchange_rate: decimalOf(row.rate),
    gateway_transaction_id: text(row.transid),
    refund_of_transaction_id: optionalId(row.refundid),
  };
}

/** The currency id stored on a transaction row; undefined for 0 (the client's currency). */
export function transactionCurrencyId(row: Row): number | undefined {
  const id = toInt(row.currency);
  return id === undefined || id <= 0 ? undefined : id;
}

// ---------------------------------------------------------------------------------------------
// Invoices.

const invoiceCore = {
  id: z.number().int(),
  invoice_number: z
    .string()
    .nullable()
    .describe('Sequential invoice number when WHMCS assigns them; null when the id is the number.'),
  client_id: z.number().int().nullable(),
  status: z.string().describe('Draft, Unpaid, Paid, Cancelled, Refunded, Collections or Payment Pending.'),
  is_overdue: z.boolean().describe('Unpaid with a due date before today (UTC).'),
  date: whmcsDate.describe('Invoice date.'),
  due_date: whmcsDate,
  date_paid: whmcsDate,
  subtotal: money.nullable(),
  credit: money.nullable().describe("Credit applied from the client's balance, already taken off the total."),
  tax: money.nullable(),
  tax2: money.nullable(),
  total: money.nullable(),
  balance: money
    .nullable()
    .describe('Left to pay (total minus net payments, never below zero); null when not known here.'),
  currency: z.string().nullable().describe('Currency code of every amount on the invoice.'),
  payment_method: z.string().nullable().describe('Payment gateway system name ("stripe", "paypal").'),
};

export const invoiceSummarySchema = z.object({
  ...invoiceCore,
  client_name: untrustedText
    .nullable()
    .describe("The client's company or full name as the client entered it."),
  date_refunded: whmcsDate,
  date_cancelled: whmcsDate,
});
export type InvoiceSummaryOutput = z.infer<typeof invoiceSummarySchema>;

export const invoiceItemSchema = z.object({
  id: z.number().int().nullable(),
  type: z.string().nullable().describe('Hosting, Addon, DomainRegister, DomainRenew, Item, ...'),
  related_id: z
    .number()
    .int()
    .nullable()
    .describe('Service, addon or domain id the line bills; null if none.'),
  description: z.string(),
  amount: money.nullable(),
  taxed: z.boolean(),
});
export type InvoiceItemOutput = z.infer<typeof invoiceItemSchema>;

export const invoiceSchema = z.object({
  ...invoiceCore,
  last_capture_attempt: whmcsDate,
  tax_rate: z.string().nullable().describe('First tax rate in percent ("19.000").'),
  tax_rate2: z.string().nullable(),
  can_capture: z
    .boolean()
    .nullable()
    .describe('Whether the payment method is a card gateway that can attempt a capture.'),
  notes: untrustedText.describe('Invoice notes; shown to the client on the invoice.'),
  items: z.array(invoiceItemSchema),
  transactions: z.array(transactionSchema),
});
export type InvoiceOutput = z.infer<typeof invoiceSchema>;

function clientNameOf(row: Row): InvoiceSummaryOutput['client_name'] {
  const company = text(row.companyname);
  const person = [text(row.firstname), text(row.lastname)].filter(Boolean).join(' ');
  const name = company ?? (person === '' ? null : person);
  return name === null ? null : untrusted(name, 'customer');
}

export interface InvoiceSummaryContext {
  /** YYYY-MM-DD for the overdue flag; todayUtc() by default. */
  today?: string;
  /** The balance when the caller computed it (netPaidByInvoice + invoiceBalance); null otherwise. */
  balance?: string | null;
}

/** A GetInvoices row. WHMCS's list carries the currency code but no balance. */
export function projectInvoiceSummary(row: Row, context: InvoiceSummaryContext = {}): InvoiceSummaryOutput {
  const today = context.today ?? todayUtc();
  const status = text(row.status) ?? 'Unknown';
  const dueDate = toDate(row.duedate);
  return {
    id: toInt(row.id) ?? 0,
    invoice_number: text(row.invoicenum),
    client_id: optionalId(row.userid),
    client_name: clientNameOf(row),
    status,
    is_overdue: isOverdue(status, dueDate, today),
    date: toDate(row.date),
    due_date: dueDate,
    date_paid: toDate(row.datepaid),
    date_refunded: toDate(row.date_refunded),
    date_cancelled: toDate(row.date_cancelled),
    subtotal: amount(row.subtotal),
    credit: amount(row.credit),
    tax: amount(row.tax),
    tax2: amount(row.tax2),
    total: amount(row.total),
    balance: context.balance ?? null,
    currency: text(row.currencycode),
    payment_method: text(row.paymentmethod),
  };
}

export function projectInvoiceItem(row: Row): InvoiceItemOutput {
  return {
    id: optionalId(row.id),
    type: text(row.type),
    related_id: optionalId(row.relid),
    description: typeof row.description === 'string' ? row.description : '',
    amount: amount(row.amount),
    taxed: toBool(row.taxed) ?? false,
  };
}

export interface InvoiceContext {
  /** The invoice's currency code: GetInvoice does not carry it, the client's currency does. */
  currency: string | null;
  today?: string;
  /** Codes of currencies by id, for transactions that record their own currency. */
  currencyCodes?: ReadonlyMap<number, string>;
}

/** A GetInvoice reply. */
export function projectInvoice(reply: Row, context: InvoiceContext): InvoiceOutput {
  const today = context.today ?? todayUtc();
  const status = text(reply.status) ?? 'Unknown';
  const dueDate = toDate(reply.duedate);
  const transactions = rowsOf(reply.transactions);
  return {
    id: toInt(reply.invoiceid) ?? toInt(reply.id) ?? 0,
    invoice_number: text(reply.invoicenum),
    client_id: optionalId(reply.userid),
    status,
    is_overdue: isOverdue(status, dueDate, today),
    date: toDate(reply.date),
    due_date: dueDate,
    date_paid: toDate(reply.datepaid),
    last_capture_attempt: toDate(reply.lastcaptureattempt),
    subtotal: amount(reply.subtotal),
    credit: amount(reply.credit),
    tax: amount(reply.tax),
    tax2: amount(reply.tax2),
    total: amount(reply.total),
    balance: amount(reply.balance),
    tax_rate: decimalOf(reply.taxrate),
    tax_rate2: decimalOf(reply.taxrate2),
    currency: context.currency,
    payment_method: text(reply.paymentmethod),
    can_capture: toBool(reply.ccgateway) ?? null,
    notes: untrusted(typeof reply.notes === 'string' ? reply.notes : '', 'staff'),
    items: rowsOf(reply.items).map(projectInvoiceItem),
    transactions: transactions.map((row) => {
      const currencyId = transactionCurrencyId(row);
      const own = currencyId === undefined ? undefined : context.currencyCodes?.get(currencyId);
      return projectTransaction(row, own ?? context.currency);
    }),
  };
}

/** "Invoice 12: Unpaid, balance 15.95 USD, due 2026-12-01" */
export function describeInvoice(invoice: {
  id: number;
  status: string;
  is_overdue: boolean;
  balance: string | null;
  total: string | null;
  currency: string | null;
  due_date: string | null;
}): string {
  const currency = invoice.currency ? ` ${invoice.currency}` : '';
  const amount =
    invoice.balance !== null
      ? `balance ${invoice.balance}${currency}`
      : `total ${invoice.total ?? 'unknown'}${currency}`;
  const status = invoice.is_overdue ? `${invoice.status} (overdue)` : invoice.status;
  const due = invoice.due_date ? `, due ${invoice.due_date}` : '';
  return `Invoice ${invoice.id}: ${status}, ${amount}${due}`;
}
