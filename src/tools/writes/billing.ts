/**
 * Billing write façades: invoices, payments, refunds, captures and credit. Every one moves money or
 * can, so none is auto-approved; amounts the caller gives are exact decimal strings, and where
 * WHMCS decides the amount (a capture, a payment without an amount) the write-flow's rules read it.
 */
import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { parseCents } from '../../money.js';
import { asList, toInt } from '../../whmcs/normalize.js';
import { entityId } from '../schemas.js';
import { entityNotFound } from '../../policy/client-scope.js';
import type { ToolContext } from '../define.js';
import { assertClientVisible, loadInvoice } from '../shared/ownership.js';
import { defineWriteFacade } from './facade.js';
import {
  amountInput,
  dateTimeInput,
  dayInput,
  gatewayInput,
  gatewayReferenceInput,
  lineAmountInput,
  messageText,
} from './inputs.js';

const MAX_INVOICE_ITEMS = 50;

const invoiceItem = z.strictObject({
  description: messageText('What the line is for, as the client reads it on the invoice.', 1000),
  amount: lineAmountInput,
  taxed: z.boolean().optional().describe('Whether tax applies to the line (default false).'),
});

export const createInvoice = defineWriteFacade({
  name: 'create_invoice',
  title: 'Create an invoice',
  description:
    "Drafts a new invoice for a client (WHMCS CreateInvoice) with its lines, in the client's currency. Unpaid by default; draft leaves it unpublished; send_invoice e-mails it (not with draft); auto_apply_credit pays it from the client's credit balance. Returns the intent, pending approval with its impact.",
  toolset: 'billing',
  action: 'CreateInvoice',
  clientMode: 'admin_only',
  reads: ['GetClientsDetails'],
  fields: {
    client_id: entityId('Client id the invoice is for.'),
    items: z
      .array(invoiceItem)
      .min(1)
      .max(MAX_INVOICE_ITEMS)
      .describe(`Invoice lines, 1 to ${MAX_INVOICE_ITEMS}, in order.`),
    date: dayInput('Invoice date (YYYY-MM-DD); today when omitted.').optional(),
    due_date: dayInput('Due date (YYYY-MM-DD); the invoice date when omitted.').optional(),
    payment_method: gatewayInput.optional(),
    notes: messageText('Notes printed on the invoice.', 5000).optional(),
    draft: z.boolean().optional().describe('Create it as a draft, not yet visible to the client.'),
    send_invoice: z.boolean().optional().describe('E-mail the invoice to the client (not with draft).'),
    auto_apply_credit: z
      .boolean()
      .optional()
      .describe("Apply the client's credit balance to the new invoice."),
  },
  check(args) {
    return args.draft === true && args.send_invoice === true
      ? [
          {
            field: 'send_invoice',
            message: 'a draft invoice cannot be sent; create it, publish it, then send it',
          },
        ]
      : [];
  },
  async params(args, ctx) {
    await assertClientVisible(ctx, args.client_id);
    const params: Record<string, unknown> = {
      userid: args.client_id,
      date: args.date,
      duedate: args.due_date,
      paymentmethod: args.payment_method,
      notes: args.notes,
      draft: args.draft,
      sendinvoice: args.send_invoice,
      autoapplycredit: args.auto_apply_credit,
    };
    args.items.forEach((item, index) => {
      const position = index + 1;
      params[`itemdescription${position}`] = item.description;
      params[`itemamount${position}`] = item.amount;
      params[`itemtaxed${position}`] = item.taxed ?? false;
    });
    return params;
  },
});

export const markInvoicePaid = defineWriteFacade({
  name: 'mark_invoice_paid',
  title: 'Record a payment on an invoice',
  description:
    'Drafts a payment received outside WHMCS (bank transfer, cheque, a gateway payment WHMCS missed) on an invoice (WHMCS AddInvoicePayment). Without amount, the payment is the invoice balance as WHMCS reads it at validation; a payment that settles the balance marks the invoice Paid, an overpayment becomes credit. Returns the intent with its impact (balance and status before -> after), pending approval.',
  toolset: 'billing',
  action: 'AddInvoicePayment',
  clientMode: 'admin_only',
  reads: ['GetInvoice'],
  fields: {
    invoice_id: entityId('Invoice id the payment is for.'),
    amount: amountInput('Amount received, e.g. "15.95"; omit to pay the whole balance.').optional(),
    gateway_transaction_id: gatewayReferenceInput(
      "The payment's reference from the gateway or bank (unique per payment).",
    ),
    gateway: gatewayInput
      .optional()
      .describe("Gateway system name the payment came through; the invoice's payment method when omitted."),
    date: dateTimeInput('When the payment was received: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.'),
  },
  async params(args, ctx) {
    const invoice = await loadInvoice(ctx, args.invoice_id);
    const gateway = args.gateway ?? (typeof invoice.paymentmethod === 'string' ? invoice.paymentmethod : '');
    if (gateway === '') {
      throw new WhmcsMcpError(
        'invalid_input',
        `Invoice ${args.invoice_id} has no payment method; name the gateway the payment came through.`,
        { details: { problems: [{ field: 'gateway', message: 'required for this invoice' }] } },
      );
    }
    return {
      invoiceid: args.invoice_id,
      transid: args.gateway_transaction_id,
      gateway,
      date: args.date,
      amount: args.amount,
    };
  },
});

type Row = Record<string, unknown>;

function refundProblem(message: string, fieldMessage: string): WhmcsMcpError {
  return new WhmcsMcpError('invalid_input', message, {
    details: { problems: [{ field: 'transaction_id', message: fieldMessage }] },
  });
}

/**
 * The payment a refund names, found through its invoice (which proves the owner is in scope), and
 * the invoice's latest payment in, which is the one WHMCS ties a recorded refund to.
 */
async function loadRefundedPayment(
  ctx: ToolContext,
  invoiceId: number,
  transactionId: number,
): Promise<{ invoice: Row; payment: Row; latestPayment: number | null }> {
  const invoice = await loadInvoice(ctx, invoiceId);
  const reply = await ctx.whmcs.call('GetTransactions', { invoiceid: invoiceId });
  const rows = asList(reply.transactions) as Row[];
  const payment = rows.find((row) => toInt(row.id) === transactionId);
  if (!payment) throw entityNotFound('transaction', transactionId);
  const payments = rows
    .filter((row) => (parseCents(row.amountin) ?? 0n) > 0n)
    .map((row) => toInt(row.id) ?? 0);
  return { invoice, payment, latestPayment: payments.length > 0 ? Math.max(...payments) : null };
}

export const recordRefund = defineWriteFacade({
  name: 'record_refund',
  title: 'Record a refund of an invoice payment',
  description:
    "Drafts a refund of a payment on an invoice as a money-out transaction (WHMCS AddTransaction with amountout), through the original payment's gateway. It records the refund in WHMCS; it does not move money at the gateway. transaction_id is the WHMCS id of the original payment (list_client_transactions shows it). Once the payments on a Paid invoice are refunded in full it becomes Refunded. Large refunds need an explicit acknowledgement at approval. Returns the intent, pending approval.",
  toolset: 'billing',
  action: 'AddTransaction',
  clientMode: 'admin_only',
  reads: ['GetInvoice', 'GetTransactions'],
  fields: {
    invoice_id: entityId('Invoice id the refunded payment was made on.'),
    transaction_id: entityId('WHMCS transaction id of the original payment (not the gateway reference).'),
    amount: amountInput('Amount refunded, e.g. "10.00".'),
    gateway_transaction_id: gatewayReferenceInput(
      "The refund's own reference from the gateway, if it has one.",
    ).optional(),
  },
  async params(args, ctx) {
    const { invoice, payment, latestPayment } = await loadRefundedPayment(
      ctx,
      args.invoice_id,
      args.transaction_id,
    );
    if ((parseCents(payment.amountin) ?? 0n) <= 0n) {
      throw refundProblem(
        `Transaction ${args.transaction_id} on invoice ${args.invoice_id} is not a payment; name the payment being refunded.`,
        'not a payment (no amount in)',
      );
    }
    // WHMCS ties a refund recorded this way to the invoice's latest payment, whatever was meant.
    if (latestPayment !== args.transaction_id) {
      throw refundProblem(
        `WHMCS records a refund on invoice ${args.invoice_id} against its latest payment, transaction ${String(latestPayment)}, not transaction ${args.transaction_id}; refund an earlier payment in the WHMCS admin area instead.`,
        `not the latest payment on the invoice (${String(latestPayment)})`,
      );
    }
    const reference =
      typeof payment.transid === 'string' && payment.transid !== '' ? ` (${payment.transid})` : '';
    return {
      paymentmethod: payment.gateway,
      userid: toInt(invoice.userid),
      invoiceid: args.invoice_id,
      transid: args.gateway_transaction_id,
      amountout: args.amount,
      description: `Refund of transaction ${args.transaction_id}${reference}`,
    };
  },
});

export const capturePayment = defineWriteFacade({
  name: 'capture_payment',
  title: 'Capture payment for an invoice',
  description:
    "Drafts a charge of the client's stored card for an unpaid invoice's balance (WHMCS CapturePayment). The amount is the balance WHMCS holds, read at validation; there is no amount argument. A declined card leaves the invoice unpaid and WHMCS e-mails the client. Returns the intent, pending approval.",
  toolset: 'billing',
  action: 'CapturePayment',
  clientMode: 'admin_only',
  reads: ['GetInvoice'],
  fields: {
    invoice_id: entityId('Unpaid invoice id to capture.'),
  },
  async params(args, ctx) {
    await loadInvoice(ctx, args.invoice_id);
    return { invoiceid: args.invoice_id };
  },
});

export const addCredit = defineWriteFacade({
  name: 'add_credit',
  title: 'Add credit to a client',
  description:
    "Drafts credit added to a client's balance (WHMCS AddCredit), in the client's currency, e.g. a goodwill gesture. Returns the intent with its impact (credit balance before -> after), pending approval.",
  toolset: 'billing',
  action: 'AddCredit',
  clientMode: 'admin_only',
  reads: ['GetClientsDetails'],
  fields: {
    client_id: entityId('Client id to credit.'),
    amount: amountInput('Credit to add, e.g. "10.00".'),
    description: messageText(
      'Justification shown in the credit log (admin only); the reason when omitted.',
      500,
    ).optional(),
  },
  async params(args, ctx) {
    await assertClientVisible(ctx, args.client_id);
    return { clientid: args.client_id, amount: args.amount, description: args.description ?? args.reason };
  },
});

export const applyCredit = defineWriteFacade({
  name: 'apply_credit',
  title: "Apply a client's credit to an invoice",
  description:
    "Drafts applying part of a client's credit balance to one of its unpaid invoices (WHMCS ApplyCredit). WHMCS refuses more than the credit balance or the invoice balance; an invoice paid in full becomes Paid. Returns the intent with its impact, pending approval.",
  toolset: 'billing',
  action: 'ApplyCredit',
  clientMode: 'admin_only',
  reads: ['GetInvoice'],
  fields: {
    invoice_id: entityId('Unpaid invoice id to apply the credit to.'),
    amount: amountInput('Credit to apply, e.g. "10.00".'),
  },
  async params(args, ctx) {
    await loadInvoice(ctx, args.invoice_id);
    return { invoiceid: args.invoice_id, amount: args.amount };
  },
});

export const billingWriteTools = [
  createInvoice,
  markInvoicePaid,
  recordRefund,
  capturePayment,
  addCredit,
  applyCredit,
];
