/**
 * Write rules for the actions that move money: recording a payment (AddInvoicePayment), recording
 * money in or a refund out (AddTransaction), charging a stored card (CapturePayment), adding or
 * removing credit (AddCredit) and applying credit to an invoice (ApplyCredit). Every amount the
 * caps see is either the exact parameter WHMCS will receive or the figure WHMCS itself will use
 * (a capture charges the invoice balance). The rules for invoices and orders are in their own files
 * and join this list, so the registry takes one array.
 */
import { formatCents, parseCents, type Cents } from '../../money.js';
import { OPEN_INVOICE_STATUSES, isOpenInvoiceStatus } from '../../whmcs/vocabulary.js';
import { entityFromParams, type ActionRules, type RulesContext } from '../rules.js';
import {
  Findings,
  abs,
  centsOf,
  clientLabel,
  exactAmount,
  flagOf,
  invoiceLabel,
  isBlank,
  lastTransactionId,
  minCents,
  money,
  netPaid,
  notSeen,
  positiveId,
  quoted,
  readClientParam,
  readInvoice,
  readInvoiceAndClient,
  rowsOf,
  snapshotValue,
  statusChange,
  textOf,
  transactionOf,
  type InvoiceTransaction,
} from './billing-common.js';
import { INVOICE_RULES } from './billing-invoices.js';
import { ORDER_RULES } from './orders.js';

/** Whether some transaction in WHMCS already carries this gateway reference. */
async function transactionIdTaken(transId: string, ctx: RulesContext): Promise<boolean> {
  if (transId === '') return false;
  const reply = await ctx.whmcs.call('GetTransactions', { transid: transId });
  return rowsOf(reply.transactions).some((row) => textOf(row.transid) === transId);
}

function openStatusesText(): string {
  return OPEN_INVOICE_STATUSES.join(', ');
}

// ---- AddInvoicePayment ---------------------------------------------------------------------------

/**
 * A payment recorded against an invoice. Without `amount` WHMCS records the whole balance, so the
 * balance read here is the amount; more than the balance is allowed by WHMCS (the excess becomes
 * client credit) but must be acknowledged.
 */
export const addInvoicePaymentRules: ActionRules = {
  action: 'AddInvoicePayment',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readInvoiceAndClient(params.invoiceid, ctx, findings);
    if (!read) return findings.outcome();
    const { invoice, client } = read;
    const currency = client.currency;
    Object.assign(findings.snapshot, {
      invoice_status: invoice.status,
      invoice_total: money(invoice.total),
      invoice_balance: money(invoice.balance),
      invoice_last_transaction_id: lastTransactionId(invoice),
      currency,
    });
    if (!isOpenInvoiceStatus(invoice.status)) {
      findings.problems.push(
        `Invoice ${invoice.id} is ${invoice.status}; a payment can only be added to an invoice that is ${openStatusesText()}.`,
      );
      return findings.outcome();
    }
    let amount: Cents;
    if (isBlank(params.amount)) {
      amount = invoice.balance;
    } else {
      const given = exactAmount(params.amount);
      if (given === undefined) {
        findings.problems.push('The amount must be an exact decimal with at most two places, e.g. "10.00".');
        return findings.outcome();
      }
      amount = given;
    }
    if (amount <= 0n) {
      findings.problems.push(
        isBlank(params.amount)
          ? `Invoice ${invoice.id} has no balance left to pay.`
          : 'The payment amount must be greater than zero.',
      );
    }
    if (!isBlank(params.fees)) {
      const fees = exactAmount(params.fees);
      if (fees === undefined)
        findings.problems.push('The fees must be an exact decimal with at most two places.');
      else if (fees > amount)
        findings.warnings.push(`The gateway fees (${money(fees)}) are larger than the payment itself.`);
    }
    const transId = textOf(params.transid).trim();
    if (await transactionIdTaken(transId, ctx)) {
      findings.requireAcknowledgement(
        'duplicate_transaction_id',
        `A transaction with id ${quoted(transId)} is already recorded in WHMCS: this payment may be recorded twice.`,
      );
    }

    const after = invoice.balance - amount;
    const paid = after <= 0n;
    findings.impact.push(
      `${invoiceLabel(invoice, client)}: balance ${money(invoice.balance)} -> ${money(after > 0n ? after : 0n)} ${currency}, ${statusChange(invoice.status, paid ? 'Paid' : invoice.status)}.`,
      `Payment of ${money(amount)} ${currency}${isBlank(params.amount) ? ' (no amount given: WHMCS records the whole balance)' : ''} via ${textOf(params.gateway) || invoice.paymentMethod}, transaction id ${quoted(transId)}, dated ${textOf(params.date) || 'now'}.`,
    );
    if (after < 0n) {
      const overpaid = -after;
      findings.snapshot.client_credit = money(client.credit);
      findings.impact.push(
        `${clientLabel(client)}: credit balance ${money(client.credit)} -> ${money(client.credit + overpaid)} ${currency} (overpayment of ${money(overpaid)}).`,
      );
      findings.requireAcknowledgement(
        'overpayment',
        `The payment is ${money(overpaid)} ${currency} more than invoice ${invoice.id}'s balance of ${money(invoice.balance)}; WHMCS adds the excess to the client's credit.`,
      );
    }
    if (paid && flagOf(params.noemail) !== true) {
      findings.impact.push('WHMCS e-mails the client a payment confirmation.');
    }
    findings.capAt(amount, currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const invoiceId = positiveId(intent.params.invoiceid) ?? 0;
    const invoice = await readInvoice(invoiceId, ctx);
    if (!invoice) return { state: 'unknown', evidence: `Invoice ${invoiceId} could not be read.` };
    const after = Number(snapshotValue(intent, 'invoice_last_transaction_id') ?? 0);
    const amount = isBlank(intent.params.amount)
      ? parseCents(snapshotValue(intent, 'invoice_balance'))
      : exactAmount(intent.params.amount);
    const transId = textOf(intent.params.transid).trim();
    const date = textOf(intent.params.date).trim();
    const match = invoice.transactions.find(
      (transaction) =>
        transaction.id > after &&
        transaction.amountIn === amount &&
        (transId !== ''
          ? transaction.transId === transId
          : transaction.date.slice(0, 10) === date.slice(0, 10)),
    );
    if (match) {
      return {
        state: 'executed',
        evidence: `Transaction ${match.id} of ${money(match.amountIn)} is recorded on invoice ${invoice.id}.`,
      };
    }
    return notSeen(
      intent,
      ctx,
      `No payment of ${money(amount ?? 0n)} was recorded on invoice ${invoice.id}.`,
    );
  },
  summarize(_reply, params) {
    const amount = isBlank(params.amount)
      ? 'the full balance'
      : formatCents(exactAmount(params.amount) ?? 0n);
    return `Payment of ${amount} recorded on invoice ${textOf(params.invoiceid)} (transaction id ${quoted(params.transid)}).`;
  },
};

// ---- AddTransaction --------------------------------------------------------------------------------

function amountParam(params: Record<string, unknown>, name: string, findings: Findings): Cents {
  if (isBlank(params[name])) return 0n;
  const amount = exactAmount(params[name]);
  if (amount === undefined || amount < 0n) {
    findings.problems.push(`${name} must be an exact positive decimal with at most two places.`);
    return 0n;
  }
  return amount;
}

/** The payment a refund on this invoice returns: WHMCS ties it to the invoice's latest payment in. */
function refundedPayment(transactions: readonly InvoiceTransaction[]): InvoiceTransaction | undefined {
  return transactions
    .filter((transaction) => transaction.amountIn > 0n)
    .reduce<InvoiceTransaction | undefined>(
      (latest, transaction) => (latest === undefined || transaction.id > latest.id ? transaction : latest),
      undefined,
    );
}

/**
 * AddTransaction records money in (a payment, optionally to credit) or out (a refund). A refund
 * must name its invoice, is checked against the payment it returns and its earlier refunds, and
 * needs the `large_refund` acknowledgement above MCP_LARGE_REFUND_THRESHOLD.
 */
export const addTransactionRules: ActionRules = {
  action: 'AddTransaction',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const amountIn = amountParam(params, 'amountin', findings);
    const amountOut = amountParam(params, 'amountout', findings);
    if (findings.problems.length > 0) return findings.outcome();
    if (amountIn > 0n && amountOut > 0n) {
      findings.problems.push('Give either amountin (money received) or amountout (a refund), not both.');
      return findings.outcome();
    }
    if (amountIn === 0n && amountOut === 0n) {
      findings.problems.push('No money moves: give amountin (money received) or amountout (a refund).');
      return findings.outcome();
    }

    const invoiceId = positiveId(params.invoiceid);
    const clientId = positiveId(params.userid);
    const invoice = invoiceId === null ? null : await readInvoice(invoiceId, ctx);
    if (invoiceId !== null && !invoice) {
      findings.problems.push(`Invoice ${invoiceId} was not found.`);
      return findings.outcome();
    }
    if (invoice === null && clientId === null) {
      findings.problems.push(
        'Name the client (userid) or the invoice (invoiceid) this money belongs to, so it can be checked.',
      );
      return findings.outcome();
    }
    const client = await readClientParam(clientId ?? invoice?.clientId, ctx, findings);
    if (!client) return findings.outcome();
    if (invoice && invoice.clientId !== client.id) {
      findings.problems.push(`Invoice ${invoice.id} does not belong to client ${client.id}.`);
      return findings.outcome();
    }
    const currencyId = positiveId(params.currencyid);
    if (currencyId !== null && client.currencyId !== null && currencyId !== client.currencyId) {
      findings.problems.push(
        `Currency ${currencyId} is not client ${client.id}'s currency (${client.currency}); WHMCS refuses it.`,
      );
    }
    const toCredit = flagOf(params.credit) === true;
    if (toCredit && invoice) {
      findings.problems.push(
        'credit cannot be combined with an invoice: WHMCS adds either to credit or to the invoice.',
      );
    }
    const transId = textOf(params.transid).trim();
    if (flagOf(params.allowduplicatetransid) !== true && (await transactionIdTaken(transId, ctx))) {
      findings.problems.push(
        `Transaction id ${quoted(transId)} is already recorded; WHMCS requires it to be unique.`,
      );
    }
    if (findings.problems.length > 0) return findings.outcome();

    const currency = client.currency;
    findings.snapshot.client_status = client.status;
    findings.snapshot.currency = currency;
    const gateway = textOf(params.paymentmethod);
    if (amountOut > 0n) {
      if (!invoice) {
        findings.problems.push(
          'A refund must name the invoice (invoiceid) whose payment it returns, so it can be checked against that payment.',
        );
        return findings.outcome();
      }
      const payment = refundedPayment(invoice.transactions);
      if (!payment) {
        findings.problems.push(`Invoice ${invoice.id} has no payment to refund.`);
        return findings.outcome();
      }
      const refundedBefore = invoice.transactions
        .filter((transaction) => transaction.refundId === payment.id)
        .reduce((sum, transaction) => sum + transaction.amountOut, 0n);
      const paidBefore = netPaid(invoice);
      // Refunds WHMCS did not link to the payment still lower what the invoice has been paid, net.
      const refundable = minCents(payment.amountIn - refundedBefore, paidBefore);
      Object.assign(findings.snapshot, {
        invoice_status: invoice.status,
        invoice_net_paid: money(paidBefore),
        invoice_last_transaction_id: lastTransactionId(invoice),
        refunded_transaction_id: payment.id,
        refunded_before: money(refundedBefore),
      });
      if (amountOut > refundable) {
        findings.problems.push(
          `The refund of ${money(amountOut)} ${currency} is more than is left of payment ${payment.id} on invoice ${invoice.id}: ${money(payment.amountIn)} paid, ${money(refundedBefore)} already refunded${paidBefore < payment.amountIn - refundedBefore ? `, ${money(paidBefore)} paid on the invoice net` : ''}, so at most ${money(refundable > 0n ? refundable : 0n)} ${currency} can be refunded.`,
        );
        return findings.outcome();
      }
      const threshold = parseCents(ctx.largeRefundThreshold);
      if (threshold !== undefined && amountOut > threshold) {
        findings.requireAcknowledgement(
          'large_refund',
          `This refund of ${money(amountOut)} ${currency} is above the large-refund threshold of ${money(threshold)} (MCP_LARGE_REFUND_THRESHOLD).`,
        );
      }
      const paidAfter = paidBefore - amountOut;
      const statusAfter = invoice.status === 'Paid' && paidAfter <= 0n ? 'Refunded' : invoice.status;
      findings.impact.push(
        `${invoiceLabel(invoice, client)}: net paid ${money(paidBefore)} -> ${money(paidAfter)} ${currency}, ${statusChange(invoice.status, statusAfter)}.`,
        `Payment ${payment.id} (${quoted(payment.transId)}, ${money(payment.amountIn)} ${currency}): refunded ${money(refundedBefore)} -> ${money(refundedBefore + amountOut)} ${currency}.`,
        `This records the refund in WHMCS only; the money is returned through ${gateway || 'the gateway'} separately.`,
      );
      findings.capAt(amountOut, currency);
      return findings.outcome();
    }

    if (invoice) {
      if (!isOpenInvoiceStatus(invoice.status)) {
        findings.warnings.push(
          `Invoice ${invoice.id} is ${invoice.status}: the money is recorded on it but does not change its status.`,
        );
      }
      const after = invoice.balance - amountIn;
      const opens = isOpenInvoiceStatus(invoice.status);
      Object.assign(findings.snapshot, {
        invoice_status: invoice.status,
        invoice_balance: money(invoice.balance),
        invoice_last_transaction_id: lastTransactionId(invoice),
      });
      findings.impact.push(
        `${invoiceLabel(invoice, client)}: balance ${money(invoice.balance)} -> ${money(after > 0n ? after : 0n)} ${currency}, ${statusChange(invoice.status, opens && after <= 0n ? 'Paid' : invoice.status)}.`,
      );
      if (after < 0n) {
        findings.warnings.push(
          `The ${money(amountIn)} received is ${money(-after)} more than the balance; AddTransaction does not move the excess to credit.`,
        );
      }
    } else if (toCredit) {
      findings.snapshot.client_credit = money(client.credit);
      findings.impact.push(
        `${clientLabel(client)}: credit balance ${money(client.credit)} -> ${money(client.credit + amountIn)} ${currency}.`,
      );
    } else {
      findings.impact.push(
        `${clientLabel(client)}: ${money(amountIn)} ${currency} recorded as received, on no invoice and not added to credit.`,
      );
    }
    findings.impact.push(
      `Transaction of ${money(amountIn)} ${currency} in via ${gateway}, transaction id ${quoted(transId)}.`,
    );
    findings.capAt(amountIn, currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const amountIn = exactAmount(intent.params.amountin) ?? 0n;
    const amountOut = exactAmount(intent.params.amountout) ?? 0n;
    const transId = textOf(intent.params.transid).trim();
    const matches = (transaction: InvoiceTransaction) =>
      transaction.amountIn === amountIn &&
      transaction.amountOut === amountOut &&
      (transId === '' || transaction.transId === transId);
    const what = amountOut > 0n ? `refund of ${money(amountOut)}` : `transaction of ${money(amountIn)} in`;
    const invoiceId = positiveId(intent.params.invoiceid);
    if (invoiceId !== null) {
      const invoice = await readInvoice(invoiceId, ctx);
      if (!invoice) return { state: 'unknown', evidence: `Invoice ${invoiceId} could not be read.` };
      const after = Number(snapshotValue(intent, 'invoice_last_transaction_id') ?? 0);
      const match = invoice.transactions.find(
        (transaction) => transaction.id > after && matches(transaction),
      );
      if (match)
        return {
          state: 'executed',
          evidence: `Transaction ${match.id} (${what}) is on invoice ${invoice.id}.`,
        };
      return notSeen(intent, ctx, `No ${what} was recorded on invoice ${invoice.id}.`);
    }
    if (transId !== '' && flagOf(intent.params.allowduplicatetransid) !== true) {
      // Validation found the id unused, so a transaction carrying it now is this one.
      const reply = await ctx.whmcs.call('GetTransactions', { transid: transId });
      const match = rowsOf(reply.transactions)
        .map(transactionOf)
        .find((transaction) => transaction.transId === transId && matches(transaction));
      if (match)
        return { state: 'executed', evidence: `Transaction ${match.id} carries id ${quoted(transId)}.` };
      return notSeen(intent, ctx, `No transaction with id ${quoted(transId)} is recorded.`);
    }
    return {
      state: 'unknown',
      evidence:
        'Without an invoice or a unique transaction id, this transaction cannot be told apart from others; check WHMCS by hand.',
    };
  },
  summarize(_reply, params) {
    const out = exactAmount(params.amountout) ?? 0n;
    const invoice = positiveId(params.invoiceid);
    const where = invoice !== null ? ` on invoice ${invoice}` : ` for client ${textOf(params.userid)}`;
    return out > 0n
      ? `Refund of ${money(out)} recorded${where}.`
      : `Transaction of ${money(exactAmount(params.amountin) ?? 0n)} in recorded${where}.`;
  },
};

// ---- CapturePayment ----------------------------------------------------------------------------------

const CARD_TYPES = new Set(['CreditCard', 'RemoteCreditCard']);

/**
 * Charges the card on file for an invoice. The caller names no amount: WHMCS charges the whole
 * balance, so the balance read here is what the caps see. A retry after a failed attempt charges
 * the card again and must be acknowledged.
 */
export const capturePaymentRules: ActionRules = {
  action: 'CapturePayment',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readInvoiceAndClient(params.invoiceid, ctx, findings);
    if (!read) return findings.outcome();
    const { invoice, client } = read;
    const currency = client.currency;
    const payMethods = rowsOf((await ctx.whmcs.call('GetPayMethods', { clientid: client.id })).paymethods);
    Object.assign(findings.snapshot, {
      invoice_status: invoice.status,
      invoice_balance: money(invoice.balance),
      invoice_last_transaction_id: lastTransactionId(invoice),
      last_capture_attempt: invoice.lastCaptureAttempt,
      pay_method_ids: payMethods.map((row) => positiveId(row.id) ?? 0).sort((a, b) => a - b),
      currency,
    });
    if (invoice.status !== 'Unpaid') {
      findings.problems.push(
        `Invoice ${invoice.id} is ${invoice.status}; only an Unpaid invoice can be captured.`,
      );
      return findings.outcome();
    }
    if (invoice.balance <= 0n) {
      findings.problems.push(`Invoice ${invoice.id} has no balance to capture.`);
      return findings.outcome();
    }
    if (!invoice.capturesCards) {
      findings.problems.push(
        `Invoice ${invoice.id} is paid by ${invoice.paymentMethod || 'a gateway'}, which cannot charge a stored pay method.`,
      );
    }
    if (payMethods.length === 0) {
      findings.problems.push(`${clientLabel(client)} has no pay method on file to charge.`);
    } else if (!payMethods.some((row) => CARD_TYPES.has(textOf(row.type)))) {
      findings.warnings.push(
        `${clientLabel(client)} has no card on file, only bank accounts: the gateway may refuse.`,
      );
    }
    if (invoice.lastCaptureAttempt !== null) {
      findings.requireAcknowledgement(
        'retry_failed_capture',
        `The last capture on invoice ${invoice.id} (${invoice.lastCaptureAttempt}) failed and the invoice is still Unpaid: retrying charges the card again and, if it fails again, e-mails the client again.`,
      );
    }
    const card = payMethods.find((row) => CARD_TYPES.has(textOf(row.type))) ?? payMethods[0];
    findings.impact.push(
      `${invoiceLabel(invoice, client)}: charges ${money(invoice.balance)} ${currency}${card ? ` to ${textOf(card.description) || 'the pay method on file'}` : ''} via ${invoice.paymentMethod}.`,
      `If the charge succeeds: balance ${money(invoice.balance)} -> 0.00 ${currency}, ${statusChange(invoice.status, 'Paid')}, and WHMCS e-mails a payment confirmation.`,
      'If the gateway declines: WHMCS records the failed attempt and e-mails the client that the payment failed.',
    );
    findings.capAt(invoice.balance, currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const invoiceId = positiveId(intent.params.invoiceid) ?? 0;
    const invoice = await readInvoice(invoiceId, ctx);
    if (!invoice) return { state: 'unknown', evidence: `Invoice ${invoiceId} could not be read.` };
    const after = Number(snapshotValue(intent, 'invoice_last_transaction_id') ?? 0);
    const payment = invoice.transactions.find(
      (transaction) => transaction.id > after && transaction.amountIn > 0n,
    );
    if (payment) {
      return {
        state: 'executed',
        evidence: `Payment ${payment.id} of ${money(payment.amountIn)} was captured on invoice ${invoice.id}.`,
      };
    }
    if (invoice.status === 'Paid') return { state: 'executed', evidence: `Invoice ${invoice.id} is Paid.` };
    if (invoice.lastCaptureAttempt !== snapshotValue(intent, 'last_capture_attempt')) {
      return {
        state: 'failed',
        evidence: `A capture was attempted on invoice ${invoice.id} at ${invoice.lastCaptureAttempt ?? '(unknown time)'} and the invoice is still ${invoice.status}: the charge was declined.`,
      };
    }
    return notSeen(intent, ctx, `No capture attempt is recorded on invoice ${invoice.id}.`);
  },
  summarize(_reply, params) {
    return `Payment captured for invoice ${textOf(params.invoiceid)}.`;
  },
};

// ---- AddCredit -------------------------------------------------------------------------------------

function creditType(params: Record<string, unknown>): string {
  return isBlank(params.type) ? 'add' : textOf(params.type).trim().toLowerCase();
}

/** Credit entries in the client's credit log, newest id last. */
async function creditLog(clientId: number, ctx: RulesContext) {
  const reply = await ctx.whmcs.call('GetCredits', { clientid: clientId });
  return rowsOf(reply.credits).map((row) => ({
    id: positiveId(row.id) ?? 0,
    description: textOf(row.description),
    amount: centsOf(row.amount),
  }));
}

/** Adds (or with type=remove takes away) client credit; only for an Active client. */
export const addCreditRules: ActionRules = {
  action: 'AddCredit',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const client = await readClientParam(params.clientid, ctx, findings);
    if (!client) return findings.outcome();
    const currency = client.currency;
    const log = await creditLog(client.id, ctx);
    Object.assign(findings.snapshot, {
      client_status: client.status,
      client_credit: money(client.credit),
      last_credit_entry_id: log.reduce((last, entry) => Math.max(last, entry.id), 0),
      currency,
    });
    if (client.status !== 'Active') {
      findings.problems.push(
        `Client ${client.id} is ${client.status}; credit can only be changed for an Active client.`,
      );
    }
    const type = creditType(params);
    if (type !== 'add' && type !== 'remove') findings.problems.push('type must be add or remove.');
    const amount = exactAmount(params.amount);
    if (amount === undefined || amount <= 0n) {
      findings.problems.push(
        'The amount must be an exact decimal above zero with at most two places, e.g. "10.00".',
      );
      return findings.outcome();
    }
    if (type === 'remove' && amount > client.credit) {
      findings.problems.push(
        `${clientLabel(client)} has ${money(client.credit)} ${currency} credit; ${money(amount)} cannot be removed.`,
      );
    }
    const after = type === 'remove' ? client.credit - amount : client.credit + amount;
    findings.impact.push(
      `${clientLabel(client)}: credit balance ${money(client.credit)} -> ${money(after)} ${currency}.`,
      `Credit log entry ${quoted(params.description)} of ${type === 'remove' ? '-' : '+'}${money(amount)} ${currency}.`,
    );
    findings.capAt(amount, currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const clientId = positiveId(intent.params.clientid) ?? 0;
    const amount = exactAmount(intent.params.amount) ?? 0n;
    const signed = creditType(intent.params) === 'remove' ? -amount : amount;
    const description = textOf(intent.params.description);
    const after = Number(snapshotValue(intent, 'last_credit_entry_id') ?? 0);
    const entry = (await creditLog(clientId, ctx)).find(
      (row) => row.id > after && row.amount === signed && row.description.trim() === description.trim(),
    );
    if (entry) {
      return {
        state: 'executed',
        evidence: `Credit log entry ${entry.id} of ${money(entry.amount)} for client ${clientId} was added after validation.`,
      };
    }
    return notSeen(
      intent,
      ctx,
      `No credit entry of ${money(signed)} with this description is in client ${clientId}'s log.`,
    );
  },
  summarize(reply, params) {
    const amount = money(exactAmount(params.amount) ?? 0n);
    const verb = creditType(params) === 'remove' ? 'removed from' : 'added to';
    const balance =
      reply.newbalance === undefined ? '' : `; credit balance now ${money(centsOf(reply.newbalance))}`;
    return `Credit of ${amount} ${verb} client ${textOf(params.clientid)}${balance}.`;
  },
};

// ---- ApplyCredit -------------------------------------------------------------------------------------

/**
 * Moves client credit onto an Unpaid invoice. WHMCS applies exactly the requested amount and
 * refuses more than the client's credit or the invoice's balance, so the amount is the parameter.
 */
export const applyCreditRules: ActionRules = {
  action: 'ApplyCredit',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readInvoiceAndClient(params.invoiceid, ctx, findings);
    if (!read) return findings.outcome();
    const { invoice, client } = read;
    const currency = client.currency;
    Object.assign(findings.snapshot, {
      invoice_status: invoice.status,
      invoice_balance: money(invoice.balance),
      invoice_credit: money(invoice.credit),
      client_credit: money(client.credit),
      currency,
    });
    if (invoice.status !== 'Unpaid') {
      findings.problems.push(
        `Invoice ${invoice.id} is ${invoice.status}; credit can only be applied to an Unpaid invoice.`,
      );
    }
    const amount = exactAmount(params.amount);
    if (amount === undefined || amount <= 0n) {
      findings.problems.push(
        'The amount must be an exact decimal above zero with at most two places, e.g. "10.00".',
      );
      return findings.outcome();
    }
    if (amount > client.credit) {
      findings.problems.push(
        `${clientLabel(client)} has ${money(client.credit)} ${currency} credit; ${money(amount)} cannot be applied.`,
      );
    }
    if (amount > invoice.balance) {
      findings.problems.push(
        `${money(amount)} is more than invoice ${invoice.id}'s balance of ${money(invoice.balance)} ${currency}; at most ${money(minCents(invoice.balance, client.credit))} can be applied.`,
      );
    }
    const after = invoice.balance - amount;
    findings.impact.push(
      `${clientLabel(client)}: credit balance ${money(client.credit)} -> ${money(client.credit - amount)} ${currency}.`,
      `${invoiceLabel(invoice, client)}: balance ${money(invoice.balance)} -> ${money(after)} ${currency}, credit applied ${money(invoice.credit)} -> ${money(invoice.credit + amount)}, ${statusChange(invoice.status, after <= 0n ? 'Paid' : invoice.status)}.`,
    );
    if (after <= 0n && flagOf(params.noemail) !== true)
      findings.impact.push('WHMCS e-mails the client a payment confirmation.');
    findings.capAt(amount, currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const invoiceId = positiveId(intent.params.invoiceid) ?? 0;
    const invoice = await readInvoice(invoiceId, ctx);
    if (!invoice) return { state: 'unknown', evidence: `Invoice ${invoiceId} could not be read.` };
    const before = parseCents(snapshotValue(intent, 'invoice_credit')) ?? 0n;
    const amount = exactAmount(intent.params.amount) ?? 0n;
    const applied = invoice.credit - before;
    if (applied === amount) {
      return {
        state: 'executed',
        evidence: `Invoice ${invoice.id}'s credit rose from ${money(before)} to ${money(invoice.credit)}.`,
      };
    }
    if (applied === 0n)
      return notSeen(intent, ctx, `Invoice ${invoice.id}'s credit is still ${money(before)}.`);
    return {
      state: 'unknown',
      evidence: `Invoice ${invoice.id}'s credit changed by ${money(abs(applied))}, not by the ${money(amount)} requested; check it by hand.`,
    };
  },
  summarize(reply, params) {
    const amount =
      reply.amount === undefined ? money(exactAmount(params.amount) ?? 0n) : money(centsOf(reply.amount));
    const paid = flagOf(reply.invoicepaid) === true ? '; the invoice is now Paid' : '';
    return `Applied ${amount} credit to invoice ${textOf(params.invoiceid)}${paid}.`;
  },
};

/** Every billing and order rule, for the registry. */
export const BILLING_RULES: readonly ActionRules[] = [
  addInvoicePaymentRules,
  addTransactionRules,
  capturePaymentRules,
  addCreditRules,
  applyCreditRules,
  ...INVOICE_RULES,
  ...ORDER_RULES,
];
