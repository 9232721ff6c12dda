/**
 * Write rules for order status changes: AcceptOrder, CancelOrder, PendingOrder and FraudOrder.
 * An order carries services, addons and domains and the invoice that bills them; the impact names
 * each of them, what accepting sets in motion (provisioning, registrar orders, e-mail) and what
 * cancelling writes off (the unpaid invoice, which is what the caps see for these actions).
 */
import { getAction } from '../../whmcs/actions.js';
import type { Cents } from '../../money.js';
import { entityFromParams, type ActionRules, type RulesContext } from '../rules.js';
import {
  Findings,
  clientLabel,
  flagOf,
  money,
  notSeen,
  positiveId,
  readClient,
  readInvoice,
  readOrder,
  snapshotValue,
  statusChange,
  textOf,
  type ClientState,
  type InvoiceState,
  type OrderLine,
  type OrderState,
} from './billing-common.js';

interface OrderRead {
  order: OrderState;
  client: ClientState;
  invoice: InvoiceState | null;
}

/** Reads the order, its client and its invoice; "Order N was not found." for missing and foreign. */
async function readOrderParam(
  params: Record<string, unknown>,
  ctx: RulesContext,
  findings: Findings,
): Promise<OrderRead | null> {
  const id = positiveId(params.orderid);
  const order = id === null ? null : await readOrder(id, ctx);
  const client = order ? await readClient(order.clientId, ctx) : null;
  if (!order || !client) {
    findings.problems.push(`Order ${textOf(params.orderid) || '(none)'} was not found.`);
    return null;
  }
  const invoice = order.invoiceId === null ? null : await readInvoice(order.invoiceId, ctx);
  Object.assign(findings.snapshot, {
    order_status: order.status,
    order_lines: order.lines.map((line) => `${line.type}:${line.relId}:${line.status}`),
  });
  return { order, client, invoice };
}

function orderLabel(order: OrderState, client: ClientState): string {
  return `order ${order.id} (client ${client.id}${client.name ? `, ${client.name}` : ''})`;
}

const LINE_KINDS: Readonly<Record<string, string>> = {
  product: 'Service',
  addon: 'Addon',
  domain: 'Domain',
};

function lineLabel(line: OrderLine): string {
  const kind = LINE_KINDS[line.type] ?? 'Item';
  const name = line.type === 'domain' ? line.domain : [line.product, line.domain].filter(Boolean).join(', ');
  return `${kind} ${line.relId} (${name})`;
}

/** One line for every order item, all of which move to `status`. */
function itemImpact(order: OrderState, status: string): string[] {
  return order.lines.map((line) => `${lineLabel(line)}: ${statusChange(line.status, status)}.`);
}

/**
 * What cancelling the order's invoice writes off: WHMCS cancels it when it is Unpaid or a Draft;
 * only an Unpaid one was owed. Adds the impact line and the snapshot of the invoice.
 */
function invoiceWriteOff(read: OrderRead, findings: Findings, action: string): Cents {
  const { invoice, client } = read;
  if (!invoice) return 0n;
  Object.assign(findings.snapshot, {
    invoice_status: invoice.status,
    invoice_balance: money(invoice.balance),
    currency: client.currency,
  });
  if (invoice.status === 'Unpaid' || invoice.status === 'Draft') {
    const owed = invoice.status === 'Unpaid' ? invoice.balance : 0n;
    findings.impact.push(
      `Invoice ${invoice.id}: ${statusChange(invoice.status, 'Cancelled')}${owed > 0n ? `; the client no longer owes ${money(owed)} ${client.currency}` : ''}.`,
    );
    return owed;
  }
  if (invoice.status === 'Paid' && invoice.total > 0n) {
    findings.warnings.push(
      `Invoice ${invoice.id} is Paid (${money(invoice.total)} ${client.currency}): ${action} does not refund it; refund it separately if the client is owed money back.`,
    );
  }
  return 0n;
}

/** The amount the caps see for an order action: what it writes off, or null when it moves no money. */
function orderCap(action: string, amount: Cents, read: OrderRead, findings: Findings): void {
  if (getAction(action)?.effects.includes('money')) findings.capAt(amount, read.client.currency);
}

function reconcileStatus(target: string): NonNullable<ActionRules['reconcile']> {
  return async (intent, ctx) => {
    const id = positiveId(intent.params.orderid) ?? 0;
    const order = await readOrder(id, ctx);
    if (!order) return { state: 'unknown', evidence: `Order ${id} could not be read.` };
    if (order.status === target) return { state: 'executed', evidence: `Order ${id} is ${target}.` };
    if (order.status === snapshotValue(intent, 'order_status'))
      return notSeen(intent, ctx, `Order ${id} is still ${order.status}.`);
    return {
      state: 'unknown',
      evidence: `Order ${id} is ${order.status}, neither as before nor as requested.`,
    };
  };
}

// ---- AcceptOrder -------------------------------------------------------------------------------------

function setupWording(autosetup: boolean | undefined): string {
  if (autosetup === true) return ', and the product module creates it on its server';
  if (autosetup === false) return ', without module setup';
  return ", set up by the product module if the product's auto-setup says so";
}

function registrarWording(params: Record<string, unknown>): string {
  const registrar = textOf(params.registrar).trim();
  const at = registrar ? ` at ${registrar}` : '';
  const send = flagOf(params.sendregistrar);
  if (send === true) return `, ordered from the registrar${at} (the registrar charges for it)`;
  if (send === false) return `, without a registrar order${at}`;
  return `, ordered from the registrar${at} if automatic registration is on (the registrar charges for it)`;
}

/** Accepts a Pending order: its Pending items become active and may be provisioned and e-mailed. */
export const acceptOrderRules: ActionRules = {
  action: 'AcceptOrder',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readOrderParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { order, client, invoice } = read;
    if (order.status !== 'Pending') {
      findings.problems.push(`Order ${order.id} is ${order.status}; only a Pending order can be accepted.`);
      return findings.outcome();
    }
    findings.impact.push(`${orderLabel(order, client)}: ${statusChange('Pending', 'Active')}.`);
    for (const line of order.lines) {
      if (line.status !== 'Pending') continue;
      if (line.type === 'domain') {
        const transfer = /transfer/i.test(line.product);
        findings.impact.push(
          `${lineLabel(line)}: ${statusChange('Pending', transfer ? 'Pending Transfer' : 'Active')}${registrarWording(params)}.`,
        );
      } else {
        findings.impact.push(
          `${lineLabel(line)}: ${statusChange('Pending', 'Active')}${line.type === 'product' ? setupWording(flagOf(params.autosetup)) : ''}.`,
        );
      }
    }
    if (invoice && invoice.status !== 'Paid' && invoice.balance > 0n) {
      findings.warnings.push(
        `Invoice ${invoice.id} is ${invoice.status} with ${money(invoice.balance)} ${client.currency} owed: accepting provisions before payment and does not collect it.`,
      );
    }
    if (flagOf(params.sendemail) !== false) {
      findings.impact.push(`WHMCS may e-mail ${clientLabel(client)} (welcome and domain messages).`);
    }
    orderCap('AcceptOrder', order.amount, read, findings);
    return findings.outcome();
  },
  reconcile: reconcileStatus('Active'),
  summarize(_reply, params) {
    return `Order ${textOf(params.orderid)} accepted.`;
  },
};

// ---- CancelOrder ---------------------------------------------------------------------------------------

/** Cancels a Pending order: every item and the unpaid invoice are cancelled. */
export const cancelOrderRules: ActionRules = {
  action: 'CancelOrder',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readOrderParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { order, client } = read;
    if (order.status !== 'Pending') {
      findings.problems.push(`Order ${order.id} is ${order.status}; only a Pending order can be cancelled.`);
      return findings.outcome();
    }
    findings.impact.push(
      `${orderLabel(order, client)}: ${statusChange('Pending', 'Cancelled')}.`,
      ...itemImpact(order, 'Cancelled'),
    );
    const writtenOff = invoiceWriteOff(read, findings, 'cancelling the order');
    if (flagOf(params.cancelsub) === true)
      findings.impact.push("WHMCS asks the gateway to cancel the order's subscriptions.");
    orderCap('CancelOrder', writtenOff, read, findings);
    return findings.outcome();
  },
  reconcile: reconcileStatus('Cancelled'),
  summarize(_reply, params) {
    return `Order ${textOf(params.orderid)} cancelled.`;
  },
};

// ---- PendingOrder ----------------------------------------------------------------------------------------

/** Sets an order (and its items) back to Pending; its invoice is left as it is. */
export const pendingOrderRules: ActionRules = {
  action: 'PendingOrder',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readOrderParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { order, client } = read;
    if (order.status === 'Pending') {
      findings.problems.push(`Order ${order.id} is already Pending.`);
      return findings.outcome();
    }
    findings.impact.push(
      `${orderLabel(order, client)}: ${statusChange(order.status, 'Pending')}.`,
      ...itemImpact(order, 'Pending'),
    );
    if (order.lines.some((line) => line.status === 'Active')) {
      findings.warnings.push(
        'Active items become Pending in WHMCS; their servers and registrations are not touched.',
      );
    }
    orderCap('PendingOrder', 0n, read, findings);
    return findings.outcome();
  },
  reconcile: reconcileStatus('Pending'),
  summarize(_reply, params) {
    return `Order ${textOf(params.orderid)} set to Pending.`;
  },
};

// ---- FraudOrder ------------------------------------------------------------------------------------------

/** Marks an order as fraud: every item becomes Fraud and its unpaid invoice is cancelled. */
export const fraudOrderRules: ActionRules = {
  action: 'FraudOrder',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readOrderParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { order, client } = read;
    if (order.status === 'Fraud') {
      findings.problems.push(`Order ${order.id} is already marked Fraud.`);
      return findings.outcome();
    }
    findings.impact.push(
      `${orderLabel(order, client)}: ${statusChange(order.status, 'Fraud')}.`,
      ...itemImpact(order, 'Fraud'),
    );
    if (order.lines.some((line) => line.status === 'Active')) {
      findings.warnings.push(
        'Active items become Fraud in WHMCS; their servers and registrations are not touched.',
      );
    }
    const writtenOff = invoiceWriteOff(read, findings, 'marking the order as fraud');
    if (flagOf(params.cancelsub) === true)
      findings.impact.push("WHMCS asks the gateway to cancel the order's subscriptions.");
    orderCap('FraudOrder', writtenOff, read, findings);
    return findings.outcome();
  },
  reconcile: reconcileStatus('Fraud'),
  summarize(_reply, params) {
    return `Order ${textOf(params.orderid)} marked as fraud.`;
  },
};

export const ORDER_RULES: readonly ActionRules[] = [
  acceptOrderRules,
  cancelOrderRules,
  pendingOrderRules,
  fraudOrderRules,
];
