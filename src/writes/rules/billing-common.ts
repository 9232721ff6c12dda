/**
 * What the billing and order rules share: reading invoices, clients and orders from WHMCS within
 * the caller's scope (a foreign one reads exactly like a missing one), exact amounts from write
 * parameters, and the collection of findings a rule turns into a PreconditionOutcome.
 */
import { formatCents, parseCents, type Cents } from '../../money.js';
import type { Intent } from '../types.js';
import type { PreconditionOutcome, ReconcileOutcome, RulesContext, WhmcsReply } from '../rules.js';

export type Row = Record<string, unknown>;

/**
 * How long after an intent became unknown a missing result still counts as "not seen yet": a
 * request that timed out on our side may still be running in WHMCS's PHP for a while.
 */
export const RECONCILE_SETTLE_MS = 120_000;

// ---- plain values ------------------------------------------------------------------------------

export function isRecord(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rowsOf(value: unknown): Row[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  return isRecord(value) ? [value] : [];
}

export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return '';
}

/** A positive integer id from a number or a digit string; null for anything else (0 included). */
export function positiveId(value: unknown): number | null {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : null;
}

/** Money WHMCS sent (already normalized to two places); anything unreadable counts as zero. */
export function centsOf(value: unknown): Cents {
  return parseCents(value) ?? 0n;
}

/** How WHMCS reads a parameter: absent, null or blank text means "not given". */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

const EXACT_AMOUNT = /^-?\d+(?:\.\d{1,2})?$/;

/**
 * An amount parameter as cents when it is an exact decimal with at most two places ("10", "10.5",
 * 10.5); undefined otherwise. WHMCS refuses or rounds anything finer, so rules refuse it first.
 */
export function exactAmount(value: unknown): Cents | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'bigint') {
    return value * 100n;
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  return EXACT_AMOUNT.test(text) ? parseCents(text) : undefined;
}

/** A flag parameter the way the encoder sends it (true/false, 1/0, "1"/"0", "true"/"false"). */
export function flagOf(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const text = textOf(value).trim().toLowerCase();
  return !(text === '' || text === '0' || text === 'false' || text === 'no' || text === 'off');
}

export function money(cents: Cents): string {
  return formatCents(cents);
}

export function abs(cents: Cents): Cents {
  return cents < 0n ? -cents : cents;
}

export function minCents(a: Cents, b: Cents): Cents {
  return a < b ? a : b;
}

/** A parameter's free text for an impact line: quoted, one line, at most 80 characters. */
export function quoted(value: unknown): string {
  const text = textOf(value).replace(/\s+/g, ' ').trim();
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

// ---- findings ----------------------------------------------------------------------------------

/** What a rule found, collected as it reads WHMCS, then handed to the engine as one outcome. */
export class Findings {
  readonly snapshot: Record<string, unknown> = {};
  readonly impact: string[] = [];
  readonly warnings: string[] = [];
  readonly problems: string[] = [];
  private readonly acknowledgements = new Set<string>();
  private cap: { amount: string; currency: string } | null = null;

  /** A warning the approver must confirm by name before the approval counts. */
  requireAcknowledgement(name: string, warning: string): void {
    this.warnings.push(warning);
    this.acknowledgements.add(name);
  }

  capAt(amount: Cents, currency: string): void {
    this.cap = { amount: formatCents(amount), currency };
  }

  outcome(): PreconditionOutcome {
    return {
      snapshot: this.snapshot,
      impact: this.impact,
      warnings: this.warnings,
      required_acknowledgements: [...this.acknowledgements],
      // An invalid intent never runs, so it carries no amount for the caps.
      cap_amount: this.problems.length > 0 ? null : this.cap,
      problems: this.problems,
    };
  }
}

// ---- reading WHMCS -----------------------------------------------------------------------------

/** Calls a read action; WHMCS's "not found" becomes null, any other failure is thrown. */
export async function readOrNull(
  ctx: RulesContext,
  action: string,
  params: Record<string, string | number | boolean>,
): Promise<WhmcsReply | null> {
  try {
    return await ctx.whmcs.call(action, params);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'not_found') return null;
    throw error;
  }
}

export interface ClientState {
  id: number;
  /** The person's name, else the company's; may be empty. */
  name: string;
  status: string;
  credit: Cents;
  currency: string;
  currencyId: number | null;
}

/** The client with this id within the caller's scope, or null (missing and foreign alike). */
export async function readClient(id: number, ctx: RulesContext): Promise<ClientState | null> {
  if (!ctx.scope.allows(id)) return null;
  const reply = await readOrNull(ctx, 'GetClientsDetails', { clientid: id });
  if (!reply) return null;
  const client = isRecord(reply.client) ? reply.client : reply;
  if (positiveId(client.id ?? client.userid ?? client.client_id) !== id) return null;
  const person = `${textOf(client.firstname)} ${textOf(client.lastname)}`.trim();
  const name = person || textOf(client.companyname).trim();
  const currencyId = positiveId(client.currency);
  return {
    id,
    name,
    status: textOf(client.status),
    credit: centsOf(client.credit),
    currency: textOf(client.currency_code) || (await currencyCode(currencyId, ctx)),
    currencyId,
  };
}

/** The code of a currency id, for a WHMCS whose client details do not carry currency_code. */
async function currencyCode(currencyId: number | null, ctx: RulesContext): Promise<string> {
  if (currencyId === null) return '';
  const reply = await ctx.whmcs.call('GetCurrencies', {});
  const currency = rowsOf(reply.currencies).find((row) => positiveId(row.id) === currencyId);
  return textOf(currency?.code);
}

export interface InvoiceLine {
  id: number;
  type: string;
  relId: number;
  description: string;
  amount: Cents;
  taxed: boolean;
}

export interface InvoiceTransaction {
  id: number;
  transId: string;
  date: string;
  gateway: string;
  amountIn: Cents;
  amountOut: Cents;
  refundId: number;
}

export interface InvoiceState {
  id: number;
  clientId: number;
  status: string;
  subtotal: Cents;
  credit: Cents;
  tax: Cents;
  tax2: Cents;
  total: Cents;
  /** What is still owed, as WHMCS shows it (never below zero). */
  balance: Cents;
  taxRate: string;
  taxRate2: string;
  date: string;
  dueDate: string;
  notes: string;
  lastCaptureAttempt: string | null;
  paymentMethod: string;
  /** Whether the invoice's gateway charges stored cards (GetInvoice `ccgateway`). */
  capturesCards: boolean;
  items: InvoiceLine[];
  transactions: InvoiceTransaction[];
}

/** The invoice with this id within the caller's scope, or null (missing and foreign alike). */
export async function readInvoice(id: number, ctx: RulesContext): Promise<InvoiceState | null> {
  const reply = await readOrNull(ctx, 'GetInvoice', { invoiceid: id });
  if (!reply || positiveId(reply.invoiceid) !== id) return null;
  const clientId = positiveId(reply.userid);
  if (clientId === null || !ctx.scope.allows(clientId)) return null;
  return {
    id,
    clientId,
    status: textOf(reply.status),
    subtotal: centsOf(reply.subtotal),
    credit: centsOf(reply.credit),
    tax: centsOf(reply.tax),
    tax2: centsOf(reply.tax2),
    total: centsOf(reply.total),
    balance: centsOf(reply.balance),
    taxRate: textOf(reply.taxrate) || '0',
    taxRate2: textOf(reply.taxrate2) || '0',
    date: textOf(reply.date),
    dueDate: textOf(reply.duedate),
    notes: textOf(reply.notes),
    lastCaptureAttempt: typeof reply.lastcaptureattempt === 'string' ? reply.lastcaptureattempt : null,
    paymentMethod: textOf(reply.paymentmethod),
    capturesCards: flagOf(reply.ccgateway) === true,
    items: rowsOf(reply.items).map((item) => ({
      id: positiveId(item.id) ?? 0,
      type: textOf(item.type),
      relId: positiveId(item.relid) ?? 0,
      description: textOf(item.description),
      amount: centsOf(item.amount),
      taxed: flagOf(item.taxed) === true,
    })),
    transactions: rowsOf(reply.transactions).map(transactionOf),
  };
}

export function transactionOf(row: Row): InvoiceTransaction {
  return {
    id: positiveId(row.id) ?? 0,
    transId: textOf(row.transid),
    date: textOf(row.date),
    gateway: textOf(row.gateway),
    amountIn: centsOf(row.amountin),
    amountOut: centsOf(row.amountout),
    refundId: positiveId(row.refundid) ?? 0,
  };
}

/** Payments in less refunds out: what the client has paid on the invoice, net. */
export function netPaid(invoice: InvoiceState): Cents {
  let paid = 0n;
  for (const transaction of invoice.transactions) paid += transaction.amountIn - transaction.amountOut;
  return paid;
}

/** The newest transaction id on the invoice (0 when none): later ones were added after the read. */
export function lastTransactionId(invoice: InvoiceState): number {
  return invoice.transactions.reduce((last, transaction) => Math.max(last, transaction.id), 0);
}

/** "client 42 (Ada Lovelace)", for impact lines. */
export function clientLabel(client: ClientState): string {
  return client.name ? `client ${client.id} (${client.name})` : `client ${client.id}`;
}

/** "invoice 4 (client 42, Ada Lovelace)", for impact lines. */
export function invoiceLabel(invoice: InvoiceState, client: ClientState): string {
  return `invoice ${invoice.id} (client ${client.id}${client.name ? `, ${client.name}` : ''})`;
}

export function statusChange(before: string, after: string): string {
  return before === after ? `status stays ${before}` : `status ${before} -> ${after}`;
}

/**
 * Reads an invoice and its client, adding the problem a person reads when either cannot be seen.
 * The currency is the client's (WHMCS bills an invoice in its client's currency).
 */
export async function readInvoiceAndClient(
  invoiceParam: unknown,
  ctx: RulesContext,
  findings: Findings,
): Promise<{ invoice: InvoiceState; client: ClientState } | null> {
  const id = positiveId(invoiceParam);
  const invoice = id === null ? null : await readInvoice(id, ctx);
  if (!invoice) {
    findings.problems.push(`Invoice ${textOf(invoiceParam) || '(none)'} was not found.`);
    return null;
  }
  const client = await readClient(invoice.clientId, ctx);
  if (!client || client.currency === '') {
    findings.problems.push(
      `The client and currency of invoice ${invoice.id} could not be read, so its amounts cannot be checked.`,
    );
    return null;
  }
  return { invoice, client };
}

/** Reads a client named by a parameter, adding "Client N was not found." when it cannot be seen. */
export async function readClientParam(
  clientParam: unknown,
  ctx: RulesContext,
  findings: Findings,
): Promise<ClientState | null> {
  const id = positiveId(clientParam);
  const client = id === null ? null : await readClient(id, ctx);
  if (!client) {
    findings.problems.push(`Client ${textOf(clientParam) || '(none)'} was not found.`);
    return null;
  }
  if (client.currency === '') {
    findings.problems.push(`The currency of client ${client.id} could not be read.`);
    return null;
  }
  return client;
}

export interface OrderLine {
  type: string;
  relId: number;
  product: string;
  domain: string;
  status: string;
  amount: Cents;
}

export interface OrderState {
  id: number;
  clientId: number;
  status: string;
  amount: Cents;
  invoiceId: number | null;
  lines: OrderLine[];
}

/** The order with this id within the caller's scope, or null (missing and foreign alike). */
export async function readOrder(id: number, ctx: RulesContext): Promise<OrderState | null> {
  const reply = await ctx.whmcs.call('GetOrders', { id });
  const row = rowsOf(reply.orders).find((order) => positiveId(order.id) === id);
  const clientId = positiveId(row?.userid);
  if (!row || clientId === null || !ctx.scope.allows(clientId)) return null;
  return {
    id,
    clientId,
    status: textOf(row.status),
    amount: centsOf(row.amount),
    invoiceId: positiveId(row.invoiceid),
    lines: rowsOf(row.lineitems).map((line) => ({
      type: textOf(line.type),
      relId: positiveId(line.relid) ?? 0,
      product: textOf(line.product),
      domain: textOf(line.domain),
      status: textOf(line.status),
      amount: centsOf(line.amount),
    })),
  };
}

// ---- reconciliation ------------------------------------------------------------------------------

/** A value the validation snapshot recorded, for reconcilers that look for what came after it. */
export function snapshotValue(intent: Intent, key: string): unknown {
  return intent.validation?.snapshot[key];
}

/**
 * When WHMCS shows no sign of the write: failed once the settle time has passed since the intent
 * became unknown, unknown before that (the request may still be running).
 */
export function notSeen(intent: Intent, ctx: RulesContext, evidence: string): ReconcileOutcome {
  const since = ctx.now().getTime() - Date.parse(intent.updated_at);
  if (Number.isFinite(since) && since >= RECONCILE_SETTLE_MS) return { state: 'failed', evidence };
  return {
    state: 'unknown',
    evidence: `${evidence} It may still be in progress: reconcile again after ${RECONCILE_SETTLE_MS / 1000} seconds.`,
  };
}
