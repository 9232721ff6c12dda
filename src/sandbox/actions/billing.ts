/**
 * Invoices, payments, credit, transactions and pay methods: GetInvoices, GetInvoice,
 * CreateInvoice, UpdateInvoice, AddInvoicePayment, ApplyCredit, CapturePayment, GetCredits,
 * AddCredit, GetTransactions, AddTransaction, GetPayMethods.
 *
 * Money rules (all in bigint cents): an invoice's total is subtotal + taxes - credit applied; its
 * balance is total minus net payments (payments in less refunds out). A payment that brings the
 * balance to zero marks the invoice Paid. Billing behaves as WHMCS 8 does: finalized invoices stay
 * editable through UpdateInvoice (WHMCS 9's immutability is not emulated).
 */
import type { SandboxParams } from '../types.js';
import { INVOICE_STATUSES, ZERO_DATETIME, formatTaxRate } from '../state.js';
import type { Cents } from '../../money.js';
import type {
  Client,
  DateTime,
  Invoice,
  InvoiceItem,
  InvoiceStatus,
  PayMethod,
  SandboxState,
  Transaction,
} from '../state.js';
import { requireClient } from './clients.js';
import {
  currentAdmin,
  directionOf,
  fail,
  filledParam,
  flagParam,
  intParam,
  listParam,
  logActivity,
  mapParam,
  money,
  moneyParam,
  nowDateTime,
  pageOf,
  pagingOf,
  sortBy,
  textParam,
  toDateTime,
  toDay,
  toFlag,
  toInt,
  toMoney,
  today,
} from './common.js';
import type { ActionContext, ActionHandler, Reply } from './common.js';
import { parseCents } from '../../money.js';

// --- rendering --------------------------------------------------------------------------------------

/** Balance as shown to callers: never below zero (an overpayment went to the client's credit). */
export function shownBalance(state: SandboxState, invoice: Invoice): Cents {
  const balance = state.invoiceBalance(invoice);
  return balance < 0n ? 0n : balance;
}

function renderInvoiceSummary(state: SandboxState, invoice: Invoice): Reply {
  const client = state.clients.get(invoice.clientId);
  const currency = state.currencyOf(client);
  return {
    id: invoice.id,
    userid: invoice.clientId,
    firstname: client?.firstname ?? '',
    lastname: client?.lastname ?? '',
    companyname: client?.companyname ?? '',
    invoicenum: invoice.invoiceNum,
    date: invoice.date,
    duedate: invoice.dueDate,
    datepaid: invoice.datePaid,
    last_capture_attempt: invoice.lastCaptureAttempt,
    date_refunded: invoice.dateRefunded,
    date_cancelled: invoice.dateCancelled,
    subtotal: money(invoice.subtotal),
    credit: money(invoice.credit),
    tax: money(invoice.tax),
    tax2: money(invoice.tax2),
    total: money(invoice.total),
    taxrate: invoice.taxRate,
    taxrate2: invoice.taxRate2,
    status: invoice.status,
    paymentmethod: invoice.paymentMethod,
    paymethodid: invoice.payMethodId,
    notes: invoice.notes,
    created_at: invoice.createdAt,
    updated_at: invoice.updatedAt,
    currencycode: currency.code,
    currencyprefix: currency.prefix,
    currencysuffix: currency.suffix,
  };
}

export function renderTransaction(transaction: Transaction): Reply {
  return {
    id: String(transaction.id),
    userid: String(transaction.clientId),
    currency: String(transaction.currencyId),
    gateway: transaction.gateway,
    date: transaction.date,
    description: transaction.description,
    amountin: money(transaction.amountIn),
    fees: money(transaction.fees),
    amountout: money(transaction.amountOut),
    rate: transaction.rate,
    transid: transaction.transId,
    invoiceid: String(transaction.invoiceId),
    refundid: String(transaction.refundId),
  };
}

function renderInvoiceItem(item: InvoiceItem): Reply {
  return {
    id: item.id,
    type: item.type,
    relid: item.relId,
    description: item.description,
    amount: money(item.amount),
    taxed: item.taxed ? 1 : 0,
  };
}

export function requireInvoice(
  state: SandboxState,
  invoiceId: number | undefined,
  message = 'Invoice ID Not Found',
): Invoice {
  const invoice = invoiceId === undefined ? undefined : state.invoices.get(invoiceId);
  if (!invoice) fail(message);
  return invoice;
}

// --- reads -----------------------------------------------------------------------------------------

const INVOICE_SORT_KEYS: Readonly<Record<string, (invoice: Invoice) => string | number | bigint>> = {
  id: (invoice) => invoice.id,
  invoicenumber: (invoice) => invoice.invoiceNum || String(invoice.id).padStart(12, '0'),
  date: (invoice) => invoice.date,
  duedate: (invoice) => invoice.dueDate,
  total: (invoice) => invoice.total,
  status: (invoice) => invoice.status,
};

export const GetInvoices: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const clientId = intParam(params, 'userid');
  const status = filledParam(params, 'status')?.toLowerCase();
  const day = today(ctx);
  const source =
    clientId !== undefined
      ? state.pick(state.invoices, state.invoicesByClient.get(clientId))
      : state.invoices.values();
  const matches: Invoice[] = [];
  for (const invoice of source) {
    if (status === 'overdue') {
      if (invoice.status !== 'Unpaid' || invoice.dueDate >= day) continue;
    } else if (status && invoice.status.toLowerCase() !== status) continue;
    matches.push(invoice);
  }
  const orderByName = filledParam(params, 'orderby')?.toLowerCase() ?? 'id';
  const orderBy = INVOICE_SORT_KEYS[orderByName];
  const direction = directionOf(filledParam(params, 'order'), 'asc');
  if (orderBy && (orderByName !== 'id' || direction === 'desc')) sortBy(matches, orderBy, direction);
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    numreturned: page.length,
    invoices: page.length ? { invoice: page.map((invoice) => renderInvoiceSummary(state, invoice)) } : [],
  } satisfies Reply;
};

export const GetInvoice: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const invoice = requireInvoice(state, intParam(params, 'invoiceid'));
  const transactions = state.pick(state.transactions, state.transactionsByInvoice.get(invoice.id));
  return {
    invoiceid: invoice.id,
    invoicenum: invoice.invoiceNum,
    userid: invoice.clientId,
    date: invoice.date,
    duedate: invoice.dueDate,
    datepaid: invoice.datePaid,
    lastcaptureattempt: invoice.lastCaptureAttempt,
    subtotal: money(invoice.subtotal),
    credit: money(invoice.credit),
    tax: money(invoice.tax),
    tax2: money(invoice.tax2),
    total: money(invoice.total),
    balance: money(shownBalance(state, invoice)),
    taxrate: invoice.taxRate,
    taxrate2: invoice.taxRate2,
    status: invoice.status,
    paymentmethod: invoice.paymentMethod,
    notes: invoice.notes,
    ccgateway: state.gateways.get(invoice.paymentMethod)?.capturesCards ?? false,
    items: { item: invoice.items.map(renderInvoiceItem) },
    // WHMCS sends an empty string, not an empty list, when nothing was paid yet.
    transactions: transactions.length ? { transaction: transactions.map(renderTransaction) } : '',
  } satisfies Reply;
};

export const GetTransactions: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const invoiceId = intParam(params, 'invoiceid');
  const clientId = intParam(params, 'clientid');
  const transId = filledParam(params, 'transid');
  let source: Iterable<Transaction>;
  if (invoiceId !== undefined)
    source = state.pick(state.transactions, state.transactionsByInvoice.get(invoiceId));
  else if (clientId !== undefined)
    source = state.pick(state.transactions, state.transactionsByClient.get(clientId));
  else source = state.transactions.values();
  const matches: Transaction[] = [];
  for (const transaction of source) {
    if (clientId !== undefined && transaction.clientId !== clientId) continue;
    if (transId !== undefined && transaction.transId !== transId) continue;
    matches.push(transaction);
  }
  // GetTransactions has no server-side paging: every match comes back.
  return {
    totalresults: matches.length,
    startnumber: 0,
    numreturned: matches.length,
    transactions: matches.length ? { transaction: matches.map(renderTransaction) } : [],
  } satisfies Reply;
};

export const GetCredits: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const client = requireClient(state, intParam(params, 'clientid'));
  const credits = state.pick(state.credits, state.creditsByClient.get(client.id));
  return {
    totalresults: String(credits.length),
    clientid: String(client.id),
    credits: credits.length
      ? {
          credit: credits.map((credit) => ({
            id: String(credit.id),
            date: credit.date,
            description: credit.description,
            amount: money(credit.amount),
            relid: String(credit.relId),
          })),
        }
      : '',
  } satisfies Reply;
};

function renderPayMethod(payMethod: PayMethod): Reply {
  const common: Reply = {
    id: payMethod.id,
    type: payMethod.type,
    description: payMethod.description,
    gateway_name: payMethod.gateway,
    contact_type: 'Client',
    contact_id: payMethod.clientId,
  };
  if (payMethod.type === 'CreditCard' || payMethod.type === 'RemoteCreditCard') {
    return {
      ...common,
      card_last_four: payMethod.cardLastFour,
      expiry_date: payMethod.expiryDate,
      start_date: payMethod.startDate,
      issue_number: payMethod.issueNumber,
      card_type: payMethod.cardType,
      remote_token: payMethod.remoteToken,
      last_updated: payMethod.lastUpdated,
    };
  }
  return {
    ...common,
    bank_name: payMethod.bankName,
    remote_token: payMethod.remoteToken,
    last_updated: payMethod.lastUpdated,
  };
}

export const GetPayMethods: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const clientId = intParam(params, 'clientid');
  if (clientId === undefined) fail('Client ID Is Required');
  const type = filledParam(params, 'type');
  if (type !== undefined && type !== 'BankAccount' && type !== 'CreditCard') {
    fail("Invalid Pay Method Type. Should be 'BankAccount' or 'CreditCard'");
  }
  const client = requireClient(state, clientId, 'Client Not Found');
  const payMethodId = intParam(params, 'paymethodid');
  const payMethods = state
    .pick(state.payMethods, state.payMethodsByClient.get(client.id))
    .filter((payMethod) => {
      if (payMethodId !== undefined && payMethod.id !== payMethodId) return false;
      if (type === 'CreditCard')
        return payMethod.type === 'CreditCard' || payMethod.type === 'RemoteCreditCard';
      if (type === 'BankAccount')
        return payMethod.type === 'BankAccount' || payMethod.type === 'RemoteBankAccount';
      return true;
    });
  return { clientid: String(client.id), paymethods: payMethods.map(renderPayMethod) } satisfies Reply;
};

// --- shared write rules ------------------------------------------------------------------------------

function addClientCredit(
  ctx: ActionContext,
  client: Client,
  amount: Cents,
  description: string,
  relId = 0,
): void {
  ctx.state.insertCredit({
    clientId: client.id,
    adminId: currentAdmin(ctx).id,
    date: today(ctx),
    description,
    amount,
    relId,
  });
  client.credit += amount;
}

/**
 * What happens when an invoice becomes Paid: the date is set, and services suspended for being
 * overdue on it are unsuspended (WHMCS's auto-unsuspend on payment).
 */
export function markInvoicePaid(ctx: ActionContext, invoice: Invoice, paidAt: DateTime): void {
  const state = ctx.state;
  invoice.status = 'Paid';
  invoice.datePaid = paidAt;
  invoice.updatedAt = nowDateTime(ctx);
  logActivity(ctx, `Invoice Marked Paid - Invoice ID: ${invoice.id}`, invoice.clientId);
  for (const item of invoice.items) {
    if (item.type !== 'Hosting') continue;
    const service = state.services.get(item.relId);
    if (service?.status === 'Suspended' && service.suspensionReason === 'Overdue on Payment') {
      service.status = 'Active';
      service.suspensionReason = '';
      logActivity(ctx, `Automatic Unsuspension on Payment - Service ID: ${service.id}`, service.clientId);
    }
  }
}

/** Records a payment and applies WHMCS's rules: Paid at zero balance, overpayment to credit. */
function receivePayment(
  ctx: ActionContext,
  invoice: Invoice,
  payment: { amount: Cents; fees: Cents; gateway: string; transId: string; date: DateTime },
): Transaction {
  const state = ctx.state;
  const transaction = state.insertTransaction({
    clientId: invoice.clientId,
    currencyId: 0,
    gateway: payment.gateway,
    date: payment.date,
    description: 'Invoice Payment',
    amountIn: payment.amount,
    fees: payment.fees,
    amountOut: 0n,
    rate: '1.00000',
    transId: payment.transId,
    invoiceId: invoice.id,
    refundId: 0,
  });
  invoice.updatedAt = nowDateTime(ctx);
  logActivity(ctx, `Added Invoice Payment - Invoice ID: ${invoice.id}`, invoice.clientId);
  const balance = state.invoiceBalance(invoice);
  const wasOpen = invoice.status !== 'Paid' && invoice.status !== 'Refunded';
  if (balance <= 0n && wasOpen) markInvoicePaid(ctx, invoice, payment.date);
  if (balance < 0n) {
    // Only the part of this payment beyond what was owed is an overpayment.
    const overpaid = -balance < payment.amount ? -balance : payment.amount;
    const client = state.clients.get(invoice.clientId);
    if (client) addClientCredit(ctx, client, overpaid, `Invoice #${invoice.id} Overpayment`, invoice.id);
  }
  return transaction;
}

function sendClientEmail(
  ctx: ActionContext,
  clientId: number,
  templateName: string,
  relatedId: number,
): void {
  const client = ctx.state.clients.get(clientId);
  if (!client) return;
  let subject = templateName;
  for (const template of ctx.state.emailTemplates.values())
    if (template.name === templateName) subject = template.subject;
  ctx.state.insertEmail({
    clientId,
    date: nowDateTime(ctx),
    to: client.email,
    subject,
    message: '',
    templateName,
    relatedId,
  });
}

// --- invoice writes ------------------------------------------------------------------------------------

function readInvoiceStatus(value: string): InvoiceStatus | undefined {
  return INVOICE_STATUSES.find((status) => status.toLowerCase() === value.trim().toLowerCase());
}

function amountOf(value: string | undefined): Cents {
  return value === undefined ? 0n : (parseCents(value) ?? 0n);
}

export const CreateInvoice: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const client = requireClient(state, intParam(params, 'userid'));
  const draft = flagParam(params, 'draft') === true;
  if (draft && flagParam(params, 'sendinvoice') === true) {
    fail(
      'Cannot create and send a draft invoice in a single API request. Please create and send separately.',
    );
  }
  const requestedStatus = filledParam(params, 'status');
  const status: InvoiceStatus = draft
    ? 'Draft'
    : ((requestedStatus ? readInvoiceStatus(requestedStatus) : undefined) ?? 'Unpaid');
  const day = today(ctx);
  const date = filledParam(params, 'date');
  const dueDate = filledParam(params, 'duedate');
  const invoiceDate = date && toDay(date) !== 'invalid' ? (toDay(date) as string) : day;
  const items: InvoiceItem[] = [];
  // itemdescription1, itemamount1, itemtaxed1, ... in numeric order.
  const positions = Object.keys(params)
    .map((key) => /^itemdescription(\d+)$/.exec(key)?.[1])
    .filter((position): position is string => position !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  for (const position of positions) {
    items.push({
      id: state.nextId('invoiceItem'),
      type: '',
      relId: 0,
      description: textParam(params, `itemdescription${position}`) ?? '',
      amount: amountOf(filledParam(params, `itemamount${position}`)),
      taxed: toFlag(textParam(params, `itemtaxed${position}`) ?? ''),
    });
  }
  const now = nowDateTime(ctx);
  const payMethod = state
    .pick(state.payMethods, state.payMethodsByClient.get(client.id))
    .find((entry) => entry.isDefault);
  const invoice = state.insertInvoice({
    clientId: client.id,
    invoiceNum: '',
    date: invoiceDate,
    dueDate: dueDate && toDay(dueDate) !== 'invalid' ? (toDay(dueDate) as string) : invoiceDate,
    datePaid: ZERO_DATETIME,
    lastCaptureAttempt: ZERO_DATETIME,
    dateRefunded: ZERO_DATETIME,
    dateCancelled: ZERO_DATETIME,
    subtotal: 0n,
    credit: 0n,
    tax: 0n,
    tax2: 0n,
    total: 0n,
    taxRate: formatTaxRate(textParam(params, 'taxrate') ?? '') ?? '0.000',
    taxRate2: formatTaxRate(textParam(params, 'taxrate2') ?? '') ?? '0.000',
    status,
    paymentMethod: filledParam(params, 'paymentmethod') ?? (client.defaultGateway || defaultGateway(state)),
    payMethodId: payMethod?.id ?? null,
    notes: textParam(params, 'notes') ?? '',
    createdAt: now,
    updatedAt: now,
    items,
  });
  state.recalculateInvoice(invoice);
  if (status === 'Paid') invoice.datePaid = now;
  if (status === 'Cancelled') invoice.dateCancelled = now;
  logActivity(ctx, `Created Invoice - Invoice ID: ${invoice.id}`, client.id);
  if (flagParam(params, 'autoapplycredit') && status === 'Unpaid' && client.credit > 0n) {
    const balance = state.invoiceBalance(invoice);
    const amount = client.credit < balance ? client.credit : balance;
    if (amount > 0n) applyCreditToInvoice(ctx, client, invoice, amount);
  }
  if (flagParam(params, 'sendinvoice') && status !== 'Draft')
    sendClientEmail(ctx, client.id, 'Invoice Created', invoice.id);
  return { invoiceid: String(invoice.id), status: invoice.status } satisfies Reply;
};

function defaultGateway(state: SandboxState): string {
  return state.gateways.keys().next().value ?? '';
}

const ITEM_EDIT_MISSING =
  'Missing Variables: itemdescription, itemamount and itemtaxed are required for each item being changed';

export const UpdateInvoice: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const invoice = requireInvoice(state, intParam(params, 'invoiceid'));
  const statusText = filledParam(params, 'status');
  const status = statusText === undefined ? undefined : readInvoiceStatus(statusText);
  if (statusText !== undefined && !status) fail(`Invalid status ${statusText}`);
  const publish = flagParam(params, 'publish') === true || flagParam(params, 'publishandsendemail') === true;
  if (publish && invoice.status !== 'Draft') fail('Invoice must be in Draft status to be published');

  // Check every item edit before changing anything, so a refused call leaves the invoice as it was.
  const descriptions = mapParam(params, 'itemdescription');
  const amounts = mapParam(params, 'itemamount');
  const taxed = mapParam(params, 'itemtaxed');
  for (const key of descriptions.keys()) if (!amounts.has(key) || !taxed.has(key)) fail(ITEM_EDIT_MISSING);

  const now = nowDateTime(ctx);
  for (const [key, description] of descriptions) {
    const item = invoice.items.find((entry) => entry.id === toInt(key));
    if (!item) continue;
    item.description = description;
    item.amount = amountOf(amounts.get(key));
    item.taxed = toFlag(taxed.get(key) ?? '');
  }
  const newDescriptions = listParam(params, 'newitemdescription');
  const newAmounts = listParam(params, 'newitemamount');
  const newTaxed = listParam(params, 'newitemtaxed');
  newDescriptions.forEach((description, index) => {
    invoice.items.push({
      id: state.nextId('invoiceItem'),
      type: '',
      relId: 0,
      description,
      amount: amountOf(newAmounts[index]),
      taxed: toFlag(newTaxed[index] ?? ''),
    });
  });
  const deleted = new Set(listParam(params, 'deletelineids').map(toInt));
  if (deleted.size) invoice.items = invoice.items.filter((item) => !deleted.has(item.id));

  const taxRate = textParam(params, 'taxrate');
  if (taxRate !== undefined) invoice.taxRate = formatTaxRate(taxRate) ?? invoice.taxRate;
  const taxRate2 = textParam(params, 'taxrate2');
  if (taxRate2 !== undefined) invoice.taxRate2 = formatTaxRate(taxRate2) ?? invoice.taxRate2;
  const credit = moneyParam(params, 'credit');
  if (credit !== undefined && credit !== 'invalid') invoice.credit = credit;
  const paymentMethod = filledParam(params, 'paymentmethod');
  if (paymentMethod !== undefined) invoice.paymentMethod = paymentMethod;
  const notes = textParam(params, 'notes');
  if (notes !== undefined) invoice.notes = notes;
  for (const [param, field] of [
    ['date', 'date'],
    ['duedate', 'dueDate'],
  ] as const) {
    const value = filledParam(params, param);
    const day = value === undefined ? 'invalid' : toDay(value);
    if (day !== 'invalid') invoice[field] = day;
  }
  const datePaid = filledParam(params, 'datepaid');
  if (datePaid !== undefined && toDateTime(datePaid) !== 'invalid')
    invoice.datePaid = toDateTime(datePaid) as string;
  state.recalculateInvoice(invoice);

  if (publish) invoice.status = 'Unpaid';
  if (status && status !== invoice.status) {
    invoice.status = status;
    if (status === 'Paid' && datePaid === undefined) invoice.datePaid = now;
    if (status === 'Unpaid') invoice.datePaid = ZERO_DATETIME;
    if (status === 'Cancelled') invoice.dateCancelled = now;
    if (status === 'Refunded') invoice.dateRefunded = now;
  }
  invoice.updatedAt = now;
  if (flagParam(params, 'publishandsendemail'))
    sendClientEmail(ctx, invoice.clientId, 'Invoice Created', invoice.id);
  logActivity(ctx, `Modified Invoice - Invoice ID: ${invoice.id}`, invoice.clientId);
  return { invoiceid: String(invoice.id) } satisfies Reply;
};

export const AddInvoicePayment: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const invoice = requireInvoice(state, intParam(params, 'invoiceid'));
  if (invoice.status === 'Cancelled')
    fail('It is not possible to add a payment to an invoice that is Cancelled');
  const amountParam = moneyParam(params, 'amount');
  if (amountParam === 'invalid') fail('Amount must be in decimal format: ### or ###.##');
  const balance = shownBalance(state, invoice);
  const amount = amountParam ?? balance;
  const fees = moneyParam(params, 'fees');
  const dateText = filledParam(params, 'date');
  const date = dateText === undefined ? 'invalid' : toDateTime(dateText);
  receivePayment(ctx, invoice, {
    amount,
    fees: fees === undefined || fees === 'invalid' ? 0n : fees,
    gateway: filledParam(params, 'gateway') ?? invoice.paymentMethod,
    transId: textParam(params, 'transid') ?? '',
    date: date === 'invalid' ? nowDateTime(ctx) : date,
  });
  if (!flagParam(params, 'noemail') && invoice.status === 'Paid') {
    sendClientEmail(ctx, invoice.clientId, 'Invoice Payment Confirmation', invoice.id);
  }
  return {};
};

/** Moves credit from the client's balance onto the invoice; true when that paid the invoice. */
function applyCreditToInvoice(ctx: ActionContext, client: Client, invoice: Invoice, amount: Cents): boolean {
  const state = ctx.state;
  invoice.credit += amount;
  state.recalculateInvoice(invoice);
  invoice.updatedAt = nowDateTime(ctx);
  addClientCredit(ctx, client, -amount, `Credit Applied to Invoice #${invoice.id}`, invoice.id);
  logActivity(ctx, `Credit Applied - Invoice ID: ${invoice.id} - Amount: ${money(amount)}`, client.id);
  if (state.invoiceBalance(invoice) > 0n) return false;
  markInvoicePaid(ctx, invoice, nowDateTime(ctx));
  return true;
}

export const ApplyCredit: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const invoice = requireInvoice(state, intParam(params, 'invoiceid'));
  const client = requireClient(state, invoice.clientId);
  if (invoice.status !== 'Unpaid') fail('Invoice Not in Unpaid Status');
  const balance = state.invoiceBalance(invoice);
  const amountText = filledParam(params, 'amount');
  let amount: Cents;
  if (amountText?.toLowerCase() === 'full') amount = client.credit < balance ? client.credit : balance;
  else {
    const parsed = amountText === undefined ? 'invalid' : toMoney(amountText);
    amount = parsed === 'invalid' ? 0n : parsed;
  }
  if (amount <= 0n) fail('Credit Amount to apply must be greater than zero');
  if (amount > client.credit) fail('Amount exceeds customer credit balance');
  if (amount > balance) fail('Amount Exceeds Invoice Balance');
  const paid = applyCreditToInvoice(ctx, client, invoice, amount);
  if (paid && !flagParam(params, 'noemail'))
    sendClientEmail(ctx, client.id, 'Invoice Payment Confirmation', invoice.id);
  return {
    invoiceid: String(invoice.id),
    amount: money(amount),
    invoicepaid: paid ? 'true' : 'false',
  } satisfies Reply;
};

/**
 * The sandbox's card gateway: a card ending in 0002 is declined (Stripe's generic-decline test
 * card), as is an expired card; every other card is charged.
 */
function declineReason(payMethod: PayMethod, now: Date): string | undefined {
  if (payMethod.cardLastFour === '0002') return 'card_declined (generic_decline)';
  const match = /^(\d{2})\/(\d{2})$/.exec(payMethod.expiryDate);
  if (match) {
    const expiresAfter = Date.UTC(2000 + Number(match[2]), Number(match[1]), 1);
    if (now.getTime() >= expiresAfter) return 'expired_card';
  }
  return undefined;
}

function gatewayTransactionId(state: SandboxState): string {
  return `ch_${state.random.alphanumeric(24)}`;
}

export const CapturePayment: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const invoice = state.invoices.get(intParam(params, 'invoiceid') ?? 0);
  if (!invoice || invoice.status !== 'Unpaid') fail('Invoice Not Found or Not Unpaid');
  const now = nowDateTime(ctx);
  invoice.lastCaptureAttempt = now;
  invoice.updatedAt = now;
  const gateway = state.gateways.get(invoice.paymentMethod);
  const cards = state
    .pick(state.payMethods, state.payMethodsByClient.get(invoice.clientId))
    .filter((payMethod) => payMethod.type === 'CreditCard' || payMethod.type === 'RemoteCreditCard');
  const card =
    (invoice.payMethodId !== null
      ? cards.find((payMethod) => payMethod.id === invoice.payMethodId)
      : undefined) ?? cards[0];
  const failCapture: (reason: string, result: 'Declined' | 'Error') => never = (reason, result) => {
    state.insertGatewayLog({
      date: now,
      gateway: invoice.paymentMethod,
      data: `Invoice ${invoice.id}: ${reason}`,
      result,
      invoiceId: invoice.id,
    });
    logActivity(ctx, `Credit Card Payment Failed - Invoice ID: ${invoice.id}`, invoice.clientId);
    sendClientEmail(ctx, invoice.clientId, 'Credit Card Payment Failed', invoice.id);
    return fail('Payment Attempt Failed');
  };
  if (!gateway?.capturesCards)
    failCapture(`gateway ${invoice.paymentMethod} cannot capture stored cards`, 'Error');
  if (!card) failCapture('no card on file', 'Error');
  const declined = declineReason(card, ctx.now());
  if (declined) failCapture(`${declined} on ${card.cardType} ending ${card.cardLastFour}`, 'Declined');
  const balance = state.invoiceBalance(invoice);
  const transId = gatewayTransactionId(state);
  state.insertGatewayLog({
    date: now,
    gateway: invoice.paymentMethod,
    data: `Invoice ${invoice.id}: charge ${transId} succeeded`,
    result: 'Success',
    invoiceId: invoice.id,
  });
  receivePayment(ctx, invoice, {
    amount: balance,
    fees: (balance * 29n + 500n) / 1000n + 30n,
    gateway: invoice.paymentMethod,
    transId,
    date: now,
  });
  invoice.payMethodId = card.id;
  return {};
};

// --- credit and transactions ------------------------------------------------------------------------

export const AddCredit: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const type = (filledParam(params, 'type') ?? 'add').toLowerCase();
  if (type !== 'add' && type !== 'remove') fail('Type can only be add or remove');
  const client = requireClient(state, intParam(params, 'clientid'));
  const adminId = intParam(params, 'adminid');
  if (adminId !== undefined && !state.admins.has(adminId)) fail('Admin ID Not Found');
  const amountText = filledParam(params, 'amount');
  if (amountText === undefined) fail('No Amount Provided');
  const amount = toMoney(amountText);
  if (amount === 'invalid' || amount < 0n) fail('Amount must be in decimal format: ### or ###.##');
  const dateText = filledParam(params, 'date');
  const date = dateText === undefined ? today(ctx) : toDay(dateText);
  if (date === 'invalid') fail('Date Format is not Valid');
  // Removing more than the balance would leave a negative credit; WHMCS's admin area refuses it too.
  if (type === 'remove' && amount > client.credit) fail('Amount exceeds client credit balance');
  const signed = type === 'add' ? amount : -amount;
  state.insertCredit({
    clientId: client.id,
    adminId: adminId ?? currentAdmin(ctx).id,
    date,
    description: textParam(params, 'description') ?? '',
    amount: signed,
    relId: 0,
  });
  client.credit += signed;
  logActivity(
    ctx,
    `${type === 'add' ? 'Added' : 'Removed'} Credit - User ID: ${client.id} - Amount: ${money(amount)}`,
    client.id,
  );
  return { newbalance: money(client.credit) } satisfies Reply;
};

function lastPaymentOn(state: SandboxState, invoiceId: number): Transaction | undefined {
  const payments = state
    .pick(state.transactions, state.transactionsByInvoice.get(invoiceId))
    .filter((transaction) => transaction.amountIn > 0n);
  return payments[payments.length - 1];
}

/**
 * AddTransaction records money in or out. With an invoice, money in that settles the balance marks
 * it Paid; money out is a refund of the invoice's latest payment, and once net payments reach zero
 * a Paid invoice becomes Refunded (as refunding through the admin area does).
 */
export const AddTransaction: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const gateway = filledParam(params, 'paymentmethod');
  if (gateway === undefined) fail('Payment Method is required');
  const clientIdParam = intParam(params, 'userid');
  const client =
    clientIdParam === undefined || clientIdParam === 0 ? undefined : requireClient(state, clientIdParam);
  const invoiceId = intParam(params, 'invoiceid');
  const invoice = invoiceId === undefined || invoiceId === 0 ? undefined : requireInvoice(state, invoiceId);
  if (client && invoice && invoice.clientId !== client.id) fail('User ID does not own the given Invoice ID');
  const owner = client ?? (invoice ? state.clients.get(invoice.clientId) : undefined);
  const currencyId = intParam(params, 'currencyid');
  if (currencyId !== undefined && currencyId !== 0) {
    if (!state.currencies.has(currencyId)) fail('Currency ID Not Found');
    if (owner && owner.currencyId !== currencyId) fail('Currency ID does not match Client currency');
  } else if (!owner) {
    fail('A Currency ID is required for non-customer related transactions');
  }
  const transId = textParam(params, 'transid') ?? '';
  if (transId !== '' && !flagParam(params, 'allowduplicatetransid')) {
    for (const transaction of state.transactions.values()) {
      if (transaction.transId === transId) fail('Transaction ID must be Unique');
    }
  }
  const asCredit = flagParam(params, 'credit') === true;
  if (asCredit && invoice) fail('Invoice ID must not be provided when applying the payment to credit');
  const readAmount = (name: string): Cents => {
    const value = moneyParam(params, name);
    if (value === 'invalid') fail(`Invalid ${name}: amounts must be in decimal format ### or ###.##`);
    return value ?? 0n;
  };
  const amountIn = readAmount('amountin');
  const amountOut = readAmount('amountout');
  const feesValue = filledParam(params, 'fees');
  const fees = feesValue === undefined ? 0n : (parseCents(feesValue) ?? 0n);
  const dateText = filledParam(params, 'date');
  const date = dateText === undefined ? nowDateTime(ctx) : toDateTime(dateText);
  if (date === 'invalid') fail('Invalid Date Format');
  const refunded = invoice && amountOut > 0n ? lastPaymentOn(state, invoice.id) : undefined;
  state.insertTransaction({
    clientId: owner?.id ?? 0,
    currencyId: owner ? 0 : (currencyId ?? 0),
    gateway,
    date,
    description: textParam(params, 'description') ?? (amountOut > 0n ? 'Refund' : 'Invoice Payment'),
    amountIn,
    fees,
    amountOut,
    rate: filledParam(params, 'rate') ?? '1.00000',
    transId,
    invoiceId: invoice?.id ?? 0,
    refundId: refunded?.id ?? 0,
  });
  logActivity(ctx, `Added Transaction - ${transId || 'no transaction id'}`, owner?.id ?? 0);
  if (invoice) {
    invoice.updatedAt = nowDateTime(ctx);
    const net = state.invoiceAmountPaid(invoice.id);
    const open =
      invoice.status === 'Unpaid' || invoice.status === 'Payment Pending' || invoice.status === 'Collections';
    if (amountIn > 0n && open && state.invoiceBalance(invoice) <= 0n) markInvoicePaid(ctx, invoice, date);
    if (amountOut > 0n && invoice.status === 'Paid' && net <= 0n) {
      invoice.status = 'Refunded';
      invoice.dateRefunded = date;
      logActivity(ctx, `Invoice Refunded - Invoice ID: ${invoice.id}`, invoice.clientId);
    }
  } else if (asCredit && owner && amountIn > 0n) {
    addClientCredit(ctx, owner, amountIn, `Credit from transaction ${transId || 'without id'}`);
  }
  return {};
};

/** Reads `paymentmethod` the way AddOrder validates it; exported for orders. */
export function activeGatewayNames(state: SandboxState): string {
  return [...state.gateways.keys()].join(',');
}

export function isGateway(state: SandboxState, params: SandboxParams, name: string): boolean {
  const value = filledParam(params, name);
  return value !== undefined && state.gateways.has(value);
}

export const billingHandlers: Readonly<Record<string, ActionHandler>> = {
  GetInvoices,
  GetInvoice,
  CreateInvoice,
  UpdateInvoice,
  AddInvoicePayment,
  ApplyCredit,
  CapturePayment,
  GetCredits,
  AddCredit,
  GetTransactions,
  AddTransaction,
  GetPayMethods,
};
