/**
 * Billing rules of the sandbox: payments, credit, refunds, captures, invoice edits. Every amount is
 * checked to the cent as WHMCS would show it.
 */
import { describe, expect, it } from 'vitest';
import { callAction, type DirectParamValue } from '../../src/sandbox/actions/runner.js';
import { SEED_BASE_DATE, SEED_FACTS } from '../../src/sandbox/seed.js';
import { createSandboxState, type SandboxState } from '../../src/sandbox/state.js';

const demo = SEED_FACTS.demoClient;
const NOW = new Date(SEED_BASE_DATE);

function sandbox(): {
  state: SandboxState;
  call: (action: string, params?: Record<string, DirectParamValue>) => Promise<Record<string, unknown>>;
} {
  const state = createSandboxState({ clients: 12, seed: 3 });
  return {
    state,
    call: async (action, params = {}) => callAction(state, action, params, { now: () => NOW }),
  };
}

async function newInvoice(
  call: ReturnType<typeof sandbox>['call'],
  items: Record<string, string>,
  extra: Record<string, DirectParamValue> = {},
): Promise<number> {
  const created = await call('CreateInvoice', { userid: demo.id, ...items, ...extra });
  expect(created.result).toBe('success');
  return Number(created.invoiceid);
}

describe('invoice payments', () => {
  it('pays 0.30 in two payments of 0.10 and 0.20: Paid with datepaid, balance 0.00, two transactions', async () => {
    const { call } = sandbox();
    const invoiceId = await newInvoice(call, { itemdescription1: 'Three items', itemamount1: '0.30' });
    expect(await call('GetInvoice', { invoiceid: invoiceId })).toMatchObject({
      total: '0.30',
      balance: '0.30',
      status: 'Unpaid',
    });

    await call('AddInvoicePayment', {
      invoiceid: invoiceId,
      transid: 'p1',
      gateway: 'paypal',
      date: '2025-06-15 09:00:00',
      amount: '0.10',
    });
    expect(await call('GetInvoice', { invoiceid: invoiceId })).toMatchObject({
      balance: '0.20',
      status: 'Unpaid',
      datepaid: '0000-00-00 00:00:00',
    });

    await call('AddInvoicePayment', {
      invoiceid: invoiceId,
      transid: 'p2',
      gateway: 'paypal',
      date: '2025-06-15 09:05:00',
      amount: '0.20',
    });
    const paid = await call('GetInvoice', { invoiceid: invoiceId });
    expect(paid).toMatchObject({ balance: '0.00', status: 'Paid', datepaid: '2025-06-15 09:05:00' });
    const transactions = (paid.transactions as { transaction: { amountin: string; transid: string }[] })
      .transaction;
    expect(transactions.map((transaction) => [transaction.transid, transaction.amountin])).toEqual([
      ['p1', '0.10'],
      ['p2', '0.20'],
    ]);
  });

  it('takes the whole balance when no amount is given', async () => {
    const { call } = sandbox();
    await call('AddInvoicePayment', {
      invoiceid: demo.invoices.overdue,
      transid: 'full',
      gateway: 'stripe',
      date: '2025-06-15 10:00:00',
    });
    expect(await call('GetInvoice', { invoiceid: demo.invoices.overdue })).toMatchObject({
      status: 'Paid',
      balance: '0.00',
    });
  });

  it('puts an overpayment on the client credit balance', async () => {
    const { call, state } = sandbox();
    const invoiceId = await newInvoice(call, { itemdescription1: 'Small job', itemamount1: '10.00' });
    await call('AddInvoicePayment', {
      invoiceid: invoiceId,
      transid: 'over',
      gateway: 'paypal',
      date: '2025-06-15 10:00:00',
      amount: '12.50',
    });
    expect(await call('GetInvoice', { invoiceid: invoiceId })).toMatchObject({
      status: 'Paid',
      balance: '0.00',
    });
    expect(state.clients.get(demo.id)?.credit).toBe(2500n + 250n);
    const credits = (await call('GetCredits', { clientid: demo.id })).credits as {
      credit: { description: string; amount: string }[];
    };
    expect(credits.credit.at(-1)).toMatchObject({
      description: `Invoice #${invoiceId} Overpayment`,
      amount: '2.50',
    });
  });

  it('refuses a payment on a cancelled invoice and an unknown invoice, with the documented wording', async () => {
    const { call } = sandbox();
    expect(
      await call('AddInvoicePayment', {
        invoiceid: demo.invoices.cancelled,
        transid: 'x',
        gateway: 'stripe',
        date: '2025-06-15',
      }),
    ).toEqual({
      result: 'error',
      message: 'It is not possible to add a payment to an invoice that is Cancelled',
    });
    expect(
      await call('AddInvoicePayment', {
        invoiceid: 999999,
        transid: 'x',
        gateway: 'stripe',
        date: '2025-06-15',
      }),
    ).toEqual({
      result: 'error',
      message: 'Invoice ID Not Found',
    });
  });

  it('unsuspends a service suspended for being overdue once its invoice is paid', async () => {
    const { call, state } = sandbox();
    expect(state.services.get(demo.services.suspended)?.status).toBe('Suspended');
    await call('AddInvoicePayment', {
      invoiceid: demo.invoices.overdue,
      transid: 'late',
      gateway: 'stripe',
      date: '2025-06-15 11:00:00',
    });
    const products = (await call('GetClientsProducts', { serviceid: demo.services.suspended })).products as {
      product: { status: string; suspensionreason: string }[];
    };
    expect(products.product[0]).toMatchObject({ status: 'Active', suspensionreason: '' });
  });
});

describe('credit', () => {
  it('applies credit from the balance to the invoice, exactly, and pays it at zero', async () => {
    const { call, state } = sandbox();
    expect(state.clients.get(demo.id)?.credit).toBe(2500n);
    const partial = await call('ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: '5.95' });
    expect(partial).toEqual({
      result: 'success',
      invoiceid: String(demo.invoices.unpaid),
      amount: '5.95',
      invoicepaid: 'false',
    });
    expect(await call('GetInvoice', { invoiceid: demo.invoices.unpaid })).toMatchObject({
      subtotal: '15.95',
      credit: '5.95',
      total: '10.00',
      balance: '10.00',
      status: 'Unpaid',
    });
    const rest = await call('ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: 'full' });
    expect(rest).toMatchObject({ amount: '10.00', invoicepaid: 'true' });
    expect(await call('GetInvoice', { invoiceid: demo.invoices.unpaid })).toMatchObject({
      status: 'Paid',
      balance: '0.00',
      total: '0.00',
    });
    const details = (await call('GetClientsDetails', { clientid: demo.id })).client as { credit: string };
    expect(details.credit).toBe('9.05');
    const credits = (await call('GetCredits', { clientid: demo.id })).credits as {
      credit: { amount: string; relid: string }[];
    };
    expect(credits.credit.slice(-2).map((credit) => [credit.amount, credit.relid])).toEqual([
      ['-5.95', String(demo.invoices.unpaid)],
      ['-10.00', String(demo.invoices.unpaid)],
    ]);
  });

  it('refuses more than the credit balance, more than the invoice balance, zero, and a paid invoice', async () => {
    const { call } = sandbox();
    const error = (message: string) => ({ result: 'error', message });
    expect(await call('ApplyCredit', { invoiceid: demo.invoices.pendingOrder, amount: '25.01' })).toEqual(
      error('Amount exceeds customer credit balance'),
    );
    expect(await call('ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: '15.96' })).toEqual(
      error('Amount Exceeds Invoice Balance'),
    );
    expect(await call('ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: '0.00' })).toEqual(
      error('Credit Amount to apply must be greater than zero'),
    );
    expect(await call('ApplyCredit', { invoiceid: demo.invoices.paid, amount: '1.00' })).toEqual(
      error('Invoice Not in Unpaid Status'),
    );
    expect(await call('ApplyCredit', { invoiceid: 424242, amount: '1.00' })).toEqual(
      error('Invoice ID Not Found'),
    );
  });

  it('AddCredit raises the balance, logs a credit entry, and removes credit no further than zero', async () => {
    const { call } = sandbox();
    expect(await call('AddCredit', { clientid: demo.id, description: 'Goodwill', amount: '10.10' })).toEqual({
      result: 'success',
      newbalance: '35.10',
    });
    expect(
      await call('AddCredit', {
        clientid: demo.id,
        description: 'Correction',
        amount: '0.10',
        type: 'remove',
      }),
    ).toEqual({
      result: 'success',
      newbalance: '35.00',
    });
    const credits = (await call('GetCredits', { clientid: demo.id })).credits as {
      credit: { description: string; amount: string }[];
    };
    expect(credits.credit.slice(-2)).toMatchObject([
      { description: 'Goodwill', amount: '10.10' },
      { description: 'Correction', amount: '-0.10' },
    ]);
    expect(
      await call('AddCredit', {
        clientid: demo.id,
        description: 'Too much',
        amount: '35.01',
        type: 'remove',
      }),
    ).toEqual({
      result: 'error',
      message: 'Amount exceeds client credit balance',
    });
  });

  it('AddCredit answers bad input with the documented messages', async () => {
    const { call } = sandbox();
    const messages = await Promise.all([
      call('AddCredit', { clientid: demo.id, description: 'x', amount: '1', type: 'gift' }),
      call('AddCredit', { clientid: 999999, description: 'x', amount: '1' }),
      call('AddCredit', { clientid: demo.id, description: 'x', amount: '1', adminid: 77 }),
      call('AddCredit', { clientid: demo.id, description: 'x' }),
      call('AddCredit', { clientid: demo.id, description: 'x', amount: '1.005' }),
      call('AddCredit', { clientid: demo.id, description: 'x', amount: '1', date: '2025-13-40' }),
    ]);
    expect(messages.map((reply) => reply.message)).toEqual([
      'Type can only be add or remove',
      'Client ID Not Found',
      'Admin ID Not Found',
      'No Amount Provided',
      'Amount must be in decimal format: ### or ###.##',
      'Date Format is not Valid',
    ]);
  });
});

describe('refunds through AddTransaction', () => {
  it('keeps a partly refunded invoice Paid and marks it Refunded once the payments are returned in full', async () => {
    const { call } = sandbox();
    const invoiceId = await newInvoice(call, { itemdescription1: 'Setup', itemamount1: '30.00' });
    await call('AddInvoicePayment', {
      invoiceid: invoiceId,
      transid: 'pay-30',
      gateway: 'stripe',
      date: '2025-06-15 08:00:00',
    });
    const first = await call('AddTransaction', {
      paymentmethod: 'stripe',
      invoiceid: invoiceId,
      amountout: '10.00',
      transid: 'refund-1',
    });
    expect(first.result).toBe('success');
    expect(await call('GetInvoice', { invoiceid: invoiceId })).toMatchObject({ status: 'Paid' });
    await call('AddTransaction', {
      paymentmethod: 'stripe',
      invoiceid: invoiceId,
      amountout: '20.00',
      transid: 'refund-2',
    });
    const invoices = (await call('GetInvoices', { userid: demo.id, status: 'Refunded' })).invoices as {
      invoice: { id: number; date_refunded: string }[];
    };
    const refunded = invoices.invoice.find((invoice) => invoice.id === invoiceId);
    expect(refunded?.date_refunded).not.toBe('0000-00-00 00:00:00');
    const transactions = (await call('GetTransactions', { invoiceid: invoiceId })).transactions as {
      transaction: { id: string; amountin: string; amountout: string; refundid: string }[];
    };
    const payment = transactions.transaction[0];
    expect(
      transactions.transaction.map((transaction) => [
        transaction.amountin,
        transaction.amountout,
        transaction.refundid,
      ]),
    ).toEqual([
      ['30.00', '0.00', '0'],
      ['0.00', '10.00', payment?.id],
      ['0.00', '20.00', payment?.id],
    ]);
  });

  it('checks ownership, uniqueness and the payment method', async () => {
    const { call } = sandbox();
    const error = (message: string) => ({ result: 'error', message });
    expect(
      await call('AddTransaction', {
        paymentmethod: 'stripe',
        userid: 2,
        invoiceid: demo.invoices.paid,
        amountin: '1',
      }),
    ).toEqual(error('User ID does not own the given Invoice ID'));
    expect(
      await call('AddTransaction', {
        paymentmethod: 'stripe',
        userid: demo.id,
        transid: 'dup',
        amountin: '1',
      }),
    ).toMatchObject({
      result: 'success',
    });
    expect(
      await call('AddTransaction', {
        paymentmethod: 'stripe',
        userid: demo.id,
        transid: 'dup',
        amountin: '1',
      }),
    ).toEqual(error('Transaction ID must be Unique'));
    expect(await call('AddTransaction', { userid: demo.id, amountin: '1' })).toEqual(
      error('Payment Method is required'),
    );
    expect(await call('AddTransaction', { paymentmethod: 'stripe', amountin: '1' })).toEqual(
      error('A Currency ID is required for non-customer related transactions'),
    );
    expect(
      await call('AddTransaction', {
        paymentmethod: 'stripe',
        userid: demo.id,
        currencyid: 2,
        amountin: '1',
      }),
    ).toEqual(error('Currency ID does not match Client currency'));
  });

  it('credits the client account when asked to', async () => {
    const { call, state } = sandbox();
    await call('AddTransaction', {
      paymentmethod: 'banktransfer',
      userid: demo.id,
      amountin: '7.77',
      credit: true,
      transid: 'to-credit',
    });
    expect(state.clients.get(demo.id)?.credit).toBe(2500n + 777n);
  });
});

describe('card captures', () => {
  it('fails on the seeded declining card and records the attempt and the gateway answer', async () => {
    const { call, state } = sandbox();
    const { invoiceId } = SEED_FACTS.failedCapture;
    const before = state.gatewayLog.size;
    expect(await call('CapturePayment', { invoiceid: invoiceId })).toEqual({
      result: 'error',
      message: 'Payment Attempt Failed',
    });
    expect(await call('GetInvoice', { invoiceid: invoiceId })).toMatchObject({
      status: 'Unpaid',
      balance: SEED_FACTS.failedCapture.balance,
      lastcaptureattempt: '2025-06-15 12:00:00',
    });
    const log = [...state.gatewayLog.values()].slice(before);
    expect(log).toMatchObject([{ result: 'Declined', invoiceId }]);
  });

  it('fails when the client has no card on file', async () => {
    const { call, state } = sandbox();
    const { unpaidInvoiceId } = SEED_FACTS.noPayMethod;
    expect(await call('CapturePayment', { invoiceid: unpaidInvoiceId })).toEqual({
      result: 'error',
      message: 'Payment Attempt Failed',
    });
    expect(state.invoices.get(unpaidInvoiceId)?.lastCaptureAttempt).toBe('2025-06-15 12:00:00');
  });

  it('charges a good card: Paid, a transaction for the balance, and refuses a second capture', async () => {
    const { call } = sandbox();
    expect(await call('CapturePayment', { invoiceid: demo.invoices.unpaid })).toEqual({ result: 'success' });
    const invoice = await call('GetInvoice', { invoiceid: demo.invoices.unpaid });
    expect(invoice).toMatchObject({ status: 'Paid', balance: '0.00', datepaid: '2025-06-15 12:00:00' });
    expect((invoice.transactions as { transaction: { amountin: string }[] }).transaction[0]?.amountin).toBe(
      demo.unpaidBalance,
    );
    expect(await call('CapturePayment', { invoiceid: demo.invoices.unpaid })).toEqual({
      result: 'error',
      message: 'Invoice Not Found or Not Unpaid',
    });
  });
});

describe('invoice creation and edits', () => {
  it('creates an invoice with exact tax on the taxed items only', async () => {
    const { call } = sandbox();
    const invoiceId = await newInvoice(
      call,
      {
        itemdescription1: 'Taxed',
        itemamount1: '0.10',
        itemtaxed1: '1',
        itemdescription2: 'Taxed too',
        itemamount2: '0.20',
        itemtaxed2: '1',
        itemdescription3: 'Exempt',
        itemamount3: '9.99',
      },
      { taxrate: '19', duedate: '2025-06-30' },
    );
    // 19% of 0.30 is 0.057, rounded half up to 0.06.
    expect(await call('GetInvoice', { invoiceid: invoiceId })).toMatchObject({
      subtotal: '10.29',
      tax: '0.06',
      total: '10.35',
      taxrate: '19.000',
      duedate: '2025-06-30',
      status: 'Unpaid',
    });
  });

  it('creates a draft, refuses draft + send, publishes and applies credit automatically', async () => {
    const { call } = sandbox();
    expect(await call('CreateInvoice', { userid: demo.id, draft: true, sendinvoice: true })).toEqual({
      result: 'error',
      message:
        'Cannot create and send a draft invoice in a single API request. Please create and send separately.',
    });
    const draft = await call('CreateInvoice', {
      userid: demo.id,
      draft: true,
      itemdescription1: 'Later',
      itemamount1: '5.00',
    });
    expect(draft.status).toBe('Draft');
    expect(await call('UpdateInvoice', { invoiceid: demo.invoices.paid, publish: true })).toEqual({
      result: 'error',
      message: 'Invoice must be in Draft status to be published',
    });
    await call('UpdateInvoice', { invoiceid: Number(draft.invoiceid), publish: true });
    expect(await call('GetInvoice', { invoiceid: Number(draft.invoiceid) })).toMatchObject({
      status: 'Unpaid',
    });

    const credited = await newInvoice(
      call,
      { itemdescription1: 'Covered by credit', itemamount1: '20.00' },
      { autoapplycredit: true },
    );
    expect(await call('GetInvoice', { invoiceid: credited })).toMatchObject({
      status: 'Paid',
      credit: '20.00',
      total: '0.00',
    });
  });

  it('edits, adds and deletes lines and recomputes the totals', async () => {
    const { call, state } = sandbox();
    const invoiceId = await newInvoice(call, {
      itemdescription1: 'A',
      itemamount1: '1.00',
      itemdescription2: 'B',
      itemamount2: '2.00',
    });
    const [first, second] = state.invoices.get(invoiceId)?.items ?? [];
    expect(
      await call('UpdateInvoice', {
        invoiceid: invoiceId,
        itemdescription: { [String(first?.id)]: 'A, revised' },
        itemamount: { [String(first?.id)]: '1.50' },
        itemtaxed: { [String(first?.id)]: '0' },
        newitemdescription: ['C'],
        newitemamount: ['0.25'],
        newitemtaxed: ['0'],
        deletelineids: [String(second?.id)],
      }),
    ).toEqual({ result: 'success', invoiceid: String(invoiceId) });
    const invoice = await call('GetInvoice', { invoiceid: invoiceId });
    expect(invoice.subtotal).toBe('1.75');
    expect(
      (invoice.items as { item: { description: string }[] }).item.map((item) => item.description),
    ).toEqual(['A, revised', 'C']);
    expect(
      await call('UpdateInvoice', {
        invoiceid: invoiceId,
        itemdescription: { [String(first?.id)]: 'no amount' },
      }),
    ).toMatchObject({
      result: 'error',
      message:
        'Missing Variables: itemdescription, itemamount and itemtaxed are required for each item being changed',
    });
    expect(await call('UpdateInvoice', { invoiceid: invoiceId, status: 'Lost' })).toEqual({
      result: 'error',
      message: 'Invalid status Lost',
    });
  });
});

describe('invoice lists', () => {
  it('filters overdue invoices by the sandbox clock and pages with totalresults', async () => {
    const { call } = sandbox();
    const overdue = await call('GetInvoices', { userid: demo.id, status: 'Overdue' });
    const ids = (overdue.invoices as { invoice: { id: number }[] }).invoice.map((invoice) => invoice.id);
    expect(ids).toContain(demo.invoices.overdue);
    expect(ids).not.toContain(demo.invoices.unpaid);

    const page = await call('GetInvoices', { limitstart: 2, limitnum: 3, orderby: 'id', order: 'desc' });
    expect(page).toMatchObject({ startnumber: 2, numreturned: 3 });
    const all = await call('GetInvoices', { limitnum: 100000 });
    expect(page.totalresults).toBe(all.totalresults);
    const pageIds = (page.invoices as { invoice: { id: number }[] }).invoice.map((invoice) => invoice.id);
    const allIds = (all.invoices as { invoice: { id: number }[] }).invoice
      .map((invoice) => invoice.id)
      .reverse();
    expect(pageIds).toEqual(allIds.slice(2, 5));
  });

  it('returns an empty list as WHMCS does and answers unknown ids with the documented message', async () => {
    const { call } = sandbox();
    expect(await call('GetInvoices', { userid: 999999 })).toEqual({
      result: 'success',
      totalresults: 0,
      startnumber: 0,
      numreturned: 0,
      invoices: [],
    });
    expect(await call('GetInvoice', { invoiceid: 999999 })).toEqual({
      result: 'error',
      message: 'Invoice ID Not Found',
    });
    expect((await call('GetInvoice', { invoiceid: demo.invoices.unpaid })).transactions).toBe('');
  });
});
