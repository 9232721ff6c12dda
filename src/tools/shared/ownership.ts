/**
 * Loads one entity by id and proves the caller may see it. Every tool and resource that takes an
 * entity id goes through here, so client mode has one rule: the owner is resolved first, and a
 * foreign entity gets exactly the answer a missing one gets (same code, same message, same details).
 */
import { WhmcsMcpError } from '../../errors.js';
import { entityNotFound, type EntityKind } from '../../policy/client-scope.js';
import { asList, toInt } from '../../whmcs/normalize.js';
import type { ToolContext, WhmcsReply } from '../define.js';

type Row = Record<string, unknown>;

/** WHMCS's own "not found" for an id becomes our canonical answer for that entity. */
async function orNotFound<T>(kind: EntityKind, id: number, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof WhmcsMcpError && error.code === 'not_found') throw entityNotFound(kind, id);
    throw error;
  }
}

function firstRow(reply: WhmcsReply, listKey: string): Row | undefined {
  const [row] = asList(reply[listKey]) as Row[];
  return row;
}

/** In client mode a foreign id never reaches WHMCS; the answer equals a missing id's. */
function precheckClient(ctx: ToolContext, clientId: number): void {
  ctx.scope.assertOwner('client', clientId, clientId);
}

/** GetClientsDetails for a visible client; returns the normalized reply. */
export async function loadClient(ctx: ToolContext, clientId: number, withStats = false): Promise<WhmcsReply> {
  precheckClient(ctx, clientId);
  return orNotFound('client', clientId, () =>
    ctx.whmcs.call('GetClientsDetails', { clientid: clientId, stats: withStats }),
  );
}

/** Throws the client's not-found answer unless the client exists and is visible. */
export async function assertClientVisible(ctx: ToolContext, clientId: number): Promise<void> {
  await loadClient(ctx, clientId);
}

export async function loadInvoice(ctx: ToolContext, invoiceId: number): Promise<WhmcsReply> {
  const invoice = await orNotFound('invoice', invoiceId, () =>
    ctx.whmcs.call('GetInvoice', { invoiceid: invoiceId }),
  );
  ctx.scope.assertOwner('invoice', invoiceId, toInt(invoice.userid));
  return invoice;
}

export async function loadService(ctx: ToolContext, serviceId: number): Promise<Row> {
  const reply = await orNotFound('service', serviceId, () =>
    ctx.whmcs.call('GetClientsProducts', { serviceid: serviceId }),
  );
  const service = firstRow(reply, 'products');
  if (!service || toInt(service.id) !== serviceId) throw entityNotFound('service', serviceId);
  ctx.scope.assertOwner('service', serviceId, toInt(service.clientid));
  return service;
}

export async function loadDomain(ctx: ToolContext, domainId: number): Promise<Row> {
  const reply = await orNotFound('domain', domainId, () =>
    ctx.whmcs.call('GetClientsDomains', { domainid: domainId }),
  );
  const domain = firstRow(reply, 'domains');
  if (!domain || toInt(domain.id) !== domainId) throw entityNotFound('domain', domainId);
  ctx.scope.assertOwner('domain', domainId, toInt(domain.userid));
  return domain;
}

export async function loadTicket(ctx: ToolContext, ticketId: number): Promise<WhmcsReply> {
  const ticket = await orNotFound('ticket', ticketId, () =>
    ctx.whmcs.call('GetTicket', { ticketid: ticketId }),
  );
  // A ticket from a guest (no client account) has userid 0: no client scope covers it.
  ctx.scope.assertOwner('ticket', ticketId, toInt(ticket.userid));
  return ticket;
}

export async function loadOrder(ctx: ToolContext, orderId: number): Promise<Row> {
  const reply = await orNotFound('order', orderId, () => ctx.whmcs.call('GetOrders', { id: orderId }));
  const order = firstRow(reply, 'orders');
  if (!order || toInt(order.id) !== orderId) throw entityNotFound('order', orderId);
  ctx.scope.assertOwner('order', orderId, toInt(order.userid));
  return order;
}

export async function loadQuote(ctx: ToolContext, quoteId: number): Promise<Row> {
  const reply = await orNotFound('quote', quoteId, () => ctx.whmcs.call('GetQuotes', { quoteid: quoteId }));
  const quote = firstRow(reply, 'quotes');
  if (!quote || toInt(quote.id) !== quoteId) throw entityNotFound('quote', quoteId);
  ctx.scope.assertOwner('quote', quoteId, toInt(quote.userid));
  return quote;
}

/**
 * Transactions have no lookup by row id in the WHMCS API (GetTransactions' `transid` is the
 * gateway's reference), so a transaction is found through its invoice, which also gives its owner.
 */
export async function loadInvoiceTransaction(
  ctx: ToolContext,
  invoiceId: number,
  transactionId: number,
): Promise<Row> {
  await loadInvoice(ctx, invoiceId);
  const reply = await ctx.whmcs.call('GetTransactions', { invoiceid: invoiceId });
  const transaction = (asList(reply.transactions) as Row[]).find((row) => toInt(row.id) === transactionId);
  if (!transaction) throw entityNotFound('transaction', transactionId);
  return transaction;
}
