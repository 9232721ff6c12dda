/**
 * The billing and order write rules against the sandbox over HTTP with the real engine: for each
 * action the impact and snapshot a valid draft shows, the readable problem an invalid one gets, a
 * full run (approved by a second principal) that changes the sandbox by exactly the amount shown,
 * reconciliation of unknown outcomes, and the attacks on money: caps read from WHMCS rather than
 * declared, state that moves between approval and execution, refunds above the payment or the
 * large-refund threshold, per-action and daily caps counted to the cent.
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import { ClientScope } from '../../src/policy/client-scope.js';
import type { Principal } from '../../src/policy/principal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { WhmcsClient } from '../../src/whmcs/client.js';
import type { WhmcsParams } from '../../src/whmcs/encode.js';
import { WriteFlow, type IntentView, type WriteSettings } from '../../src/writes/engine.js';
import type { RulesContext } from '../../src/writes/rules.js';
import { RECONCILE_SETTLE_MS } from '../../src/writes/rules/billing-common.js';
import { WRITE_RULES } from '../../src/writes/rules/index.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';

const agent: Principal = { id: 'agent', label: 'agent', roles: ['reader', 'operator'], transport: 'stdio' };
const alice: Principal = { id: 'operator:alice', label: 'alice', roles: ['approver'], transport: 'cli' };
const admin = ClientScope.admin();
const demo = SEED_FACTS.demoClient;
const euro = SEED_FACTS.euroClient;
const failedCapture = SEED_FACTS.failedCapture;

let sandbox: RunningSandbox;
let whmcs: WhmcsClient;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: 1000,
    maxConcurrency: 8,
  });
});
afterAll(async () => {
  await whmcs.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.reset();
});

const baseSettings: WriteSettings = {
  mode: 'full',
  environment: 'test',
  writesDisabled: false,
  writeAllowlist: [],
  perActionCap: null,
  dailyCap: null,
  approvalTtlMs: 15 * 60_000,
  intentTtlMs: 24 * 3_600_000,
  autoApproveLowRisk: false,
  dualApprovalThreshold: null,
  largeRefundThreshold: '1000.00',
};

/** A flow whose clock can be moved forward (for the reconcile settle time). */
function makeFlow(settings: Partial<WriteSettings> = {}, client: WhmcsClient = whmcs) {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const store = new SqliteIntentStore({ path: ':memory:', now });
  const flow = new WriteFlow({
    store,
    whmcs: client,
    settings: { ...baseSettings, ...settings },
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
    now,
  });
  return {
    store,
    flow,
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

type Flow = ReturnType<typeof makeFlow>['flow'];

async function validated(
  flow: Flow,
  action: string,
  params: Record<string, unknown>,
  scope: ClientScope = admin,
): Promise<IntentView> {
  const draft = flow.draft(agent, scope, { action, params, reason: 'billing rules test', tool: 'test' });
  return flow.validate(agent, scope, draft.id);
}

function approve(flow: Flow, id: string, acknowledgements: string[] = []): IntentView {
  return flow.approve(alice, admin, id, { reason: 'checked', channel: 'cli', acknowledgements });
}

/** Draft, validate, approve by a second principal, execute. */
async function run(
  flow: Flow,
  action: string,
  params: Record<string, unknown>,
  acknowledgements: string[] = [],
): Promise<IntentView> {
  const intent = await validated(flow, action, params);
  expect(intent.state, JSON.stringify(intent.validation?.problems)).toBe('validated');
  expect(approve(flow, intent.id, acknowledgements).state).toBe('approved');
  return flow.execute(agent, admin, intent.id);
}

async function refusal(work: () => unknown): Promise<WhmcsMcpError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof WhmcsMcpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** A WHMCS write made behind the write-flow's back, as another admin or a gateway callback would. */
function outsideWrite(action: string, params: WhmcsParams) {
  return whmcs.call(action, params);
}

function invoice(id: number) {
  const found = sandbox.state.invoices.get(id);
  if (!found) throw new Error(`no invoice ${id}`);
  return found;
}

function balanceOf(id: number): bigint {
  return sandbox.state.invoiceBalance(invoice(id));
}

function creditOf(clientId: number): bigint {
  const client = sandbox.state.clients.get(clientId);
  if (!client) throw new Error(`no client ${clientId}`);
  return client.credit;
}

function transactionsOn(invoiceId: number) {
  return [...sandbox.state.transactions.values()].filter((row) => row.invoiceId === invoiceId);
}

function calls(action: string): number {
  return sandbox.stats().actions[action] ?? 0;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function rulesContext(scope: ClientScope, largeRefundThreshold = '1000.00'): RulesContext {
  return {
    whmcs: { call: (action, params) => whmcs.call(action, params) },
    scope,
    now: () => new Date(),
    largeRefundThreshold,
  };
}

function rulesFor(action: string) {
  const rules = WRITE_RULES.get(action);
  if (!rules) throw new Error(`no rules for ${action}`);
  return rules;
}

function expectAuditIntact(store: SqliteIntentStore): void {
  const verification = store.verifyAudit();
  expect(verification.ok, verification.problem ?? '').toBe(true);
}

const payment = (extra: Record<string, unknown> = {}) => ({
  invoiceid: demo.invoices.unpaid,
  transid: 'BANK-2025-001',
  gateway: 'banktransfer',
  date: `${today()} 10:00:00`,
  ...extra,
});

describe('the registry', () => {
  it('has rules for every billing and order action this file owns', () => {
    for (const action of [
      'AddInvoicePayment',
      'AddTransaction',
      'CapturePayment',
      'AddCredit',
      'ApplyCredit',
      'CreateInvoice',
      'UpdateInvoice',
      'AcceptOrder',
      'CancelOrder',
      'PendingOrder',
      'FraudOrder',
    ]) {
      expect(WRITE_RULES.get(action)?.action).toBe(action);
    }
  });
});

describe('AddInvoicePayment', () => {
  it('shows the balance moving and snapshots the invoice it relies on', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddInvoicePayment', payment({ amount: '10.00' }));
    expect(intent.state).toBe('validated');
    expect(intent.validation?.impact[0]).toBe(
      'invoice 4 (client 1, Zoë Lindqvist): balance 15.95 -> 5.95 USD, status stays Unpaid.',
    );
    expect(intent.validation?.snapshot).toEqual({
      invoice_status: 'Unpaid',
      invoice_total: '15.95',
      invoice_balance: '15.95',
      invoice_last_transaction_id: 0,
      currency: 'USD',
    });
    expect(intent.validation?.cap_amount).toEqual({ amount: '10.00', currency: 'USD' });
    expect(intent.validation?.required_acknowledgements).toEqual([]);
  });

  it('without an amount takes the balance from WHMCS as the amount, and shows the invoice becoming Paid', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddInvoicePayment', payment());
    expect(intent.validation?.cap_amount).toEqual({ amount: demo.unpaidBalance, currency: 'USD' });
    expect(intent.validation?.impact).toContain(
      'invoice 4 (client 1, Zoë Lindqvist): balance 15.95 -> 0.00 USD, status Unpaid -> Paid.',
    );
    expect(intent.validation?.impact).toContain('WHMCS e-mails the client a payment confirmation.');
  });

  it('records exactly the payment, once, and the audit chain holds', async () => {
    const { flow, store } = makeFlow();
    const before = balanceOf(demo.invoices.unpaid);
    const executed = await run(flow, 'AddInvoicePayment', payment({ amount: '10.00', noemail: true }));
    expect(executed.state).toBe('executed');
    expect(executed.result?.summary).toBe(
      'Payment of 10.00 recorded on invoice 4 (transaction id "BANK-2025-001").',
    );
    expect(before - balanceOf(demo.invoices.unpaid)).toBe(1000n);
    const recorded = transactionsOn(demo.invoices.unpaid);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.amountIn).toBe(1000n);
    expect(recorded[0]?.transId).toBe('BANK-2025-001');
    expect(invoice(demo.invoices.unpaid).status).toBe('Unpaid');
    expectAuditIntact(store);
  });

  it('pays the invoice in full when no amount is given: Paid, balance zero', async () => {
    const { flow, store } = makeFlow();
    const executed = await run(flow, 'AddInvoicePayment', payment());
    expect(executed.state).toBe('executed');
    expect(balanceOf(demo.invoices.unpaid)).toBe(0n);
    expect(invoice(demo.invoices.unpaid).status).toBe('Paid');
    expect(transactionsOn(demo.invoices.unpaid)[0]?.amountIn).toBe(1595n);
    expectAuditIntact(store);
  });

  it('is invalid for a paid, a cancelled, a missing or a foreign invoice, and for a zero amount', async () => {
    const { flow } = makeFlow();
    const paid = await validated(flow, 'AddInvoicePayment', payment({ invoiceid: demo.invoices.paid }));
    expect(paid.state).toBe('invalid');
    expect(paid.validation?.problems).toEqual([
      'Invoice 1 is Paid; a payment can only be added to an invoice that is Unpaid, Payment Pending, Collections.',
    ]);
    expect(paid.validation?.cap_amount).toBeNull();
    const cancelled = await validated(
      flow,
      'AddInvoicePayment',
      payment({ invoiceid: demo.invoices.cancelled }),
    );
    expect(cancelled.validation?.problems[0]).toMatch(/^Invoice 5 is Cancelled/);
    const missing = await validated(flow, 'AddInvoicePayment', payment({ invoiceid: 999_999 }));
    expect(missing.validation?.problems).toEqual(['Invoice 999999 was not found.']);
    const zero = await validated(flow, 'AddInvoicePayment', payment({ amount: '0.00' }));
    expect(zero.validation?.problems).toEqual(['The payment amount must be greater than zero.']);

    // In client mode a foreign invoice reads exactly like a missing one.
    const foreign = await rulesFor('AddInvoicePayment').check(
      payment(),
      rulesContext(ClientScope.clients([euro.id])),
    );
    expect(foreign.problems).toEqual(['Invoice 4 was not found.']);
    expect(foreign.snapshot).toEqual({});
  });

  it('asks for the overpayment acknowledgement and shows the excess going to credit', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'AddInvoicePayment', payment({ amount: '20.00', noemail: true }));
    expect(intent.validation?.required_acknowledgements).toEqual(['overpayment']);
    expect(intent.validation?.impact).toContain(
      'client 1 (Zoë Lindqvist): credit balance 25.00 -> 29.05 USD (overpayment of 4.05).',
    );
    const missing = await refusal(() => approve(flow, intent.id));
    expect(missing.code).toBe('invalid_input');
    expect(missing.message).toMatch(/overpayment/);
    approve(flow, intent.id, ['overpayment']);
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(creditOf(demo.id)).toBe(2905n);
    expect(invoice(demo.invoices.unpaid).status).toBe('Paid');
    expectAuditIntact(store);
  });

  it('warns about a transaction id WHMCS already holds and requires acknowledging it', async () => {
    const { flow } = makeFlow();
    const existing = [...sandbox.state.transactions.values()][0]!.transId;
    const intent = await validated(flow, 'AddInvoicePayment', payment({ transid: existing, amount: '1.00' }));
    expect(intent.validation?.required_acknowledgements).toEqual(['duplicate_transaction_id']);
  });

  it('refuses to execute when part of the invoice was paid after approval, and sends nothing', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'AddInvoicePayment', payment({ amount: '10.00' }));
    approve(flow, intent.id);
    await outsideWrite('AddInvoicePayment', { ...payment({ amount: '5.00', transid: 'OTHER-1' }) });
    const sent = calls('AddInvoicePayment');
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.changed).toEqual(['invoice_balance', 'invoice_last_transaction_id']);
    expect(calls('AddInvoicePayment')).toBe(sent);
    expect(balanceOf(demo.invoices.unpaid)).toBe(1095n);
    expect(flow.get(agent, admin, intent.id).state).toBe('approved');
    expectAuditIntact(store);
  });

  it('counts a payment without an amount against the caps at the balance WHMCS reports', async () => {
    const { flow, store } = makeFlow({ perActionCap: '15.00', dailyCap: '100.00' });
    const intent = await validated(flow, 'AddInvoicePayment', payment());
    approve(flow, intent.id);
    const refused = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toBe('15.95 USD is above the per-action cap of 15.00.');
    expect(calls('AddInvoicePayment')).toBe(0);
    expect(store.dailyTotal(today(), 'USD')).toBe(0n);
  });

  it('reconciles an unknown outcome: executed when the payment is on the invoice, failed when it never arrived', async () => {
    const { flow, advance } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddInvoicePayment' }] });
    const lost = await run(flow, 'AddInvoicePayment', payment({ amount: '10.00' }));
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toMatch(
      /^Reconciled as executed: Transaction \d+ of 10\.00 is recorded on invoice 4\.$/,
    );

    sandbox.faults.set({ next: [{ fault: 'serverError', action: 'AddInvoicePayment' }] });
    const refusedBeforeRunning = await run(
      flow,
      'AddInvoicePayment',
      payment({ amount: '1.00', transid: 'B-2' }),
    );
    expect(refusedBeforeRunning.state).toBe('unknown');
    const tooSoon = await flow.reconcile(agent, admin, refusedBeforeRunning.id);
    expect(tooSoon.state).toBe('unknown');
    advance(RECONCILE_SETTLE_MS + 1_000);
    const failed = await flow.reconcile(agent, admin, refusedBeforeRunning.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.message).toBe('No payment of 1.00 was recorded on invoice 4.');
    expect(balanceOf(demo.invoices.unpaid)).toBe(595n);
  });
});

describe('AddTransaction as a refund', () => {
  const refund = (amount: string, extra: Record<string, unknown> = {}) => ({
    paymentmethod: 'stripe',
    invoiceid: demo.invoices.paid,
    amountout: amount,
    transid: `re_${amount}`,
    description: 'Refund for the outage',
    ...extra,
  });

  it('checks the refund against the payment it returns and shows what changes', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddTransaction', refund('5.00'));
    expect(intent.state).toBe('validated');
    expect(intent.validation?.impact.slice(0, 2)).toEqual([
      'invoice 1 (client 1, Zoë Lindqvist): net paid 12.95 -> 7.95 USD, status stays Paid.',
      'Payment 1 ("ch_onRtsGDPgz7aiuZsX457srap", 12.95 USD): refunded 0.00 -> 5.00 USD.',
    ]);
    expect(intent.validation?.snapshot).toMatchObject({
      invoice_status: 'Paid',
      invoice_net_paid: '12.95',
      refunded_transaction_id: 1,
      refunded_before: '0.00',
    });
    expect(intent.validation?.cap_amount).toEqual({ amount: '5.00', currency: 'USD' });
  });

  it('records the refund linked to the payment; a full refund marks the invoice Refunded', async () => {
    const { flow, store } = makeFlow();
    const partial = await run(flow, 'AddTransaction', refund('5.00'));
    expect(partial.state).toBe('executed');
    expect(partial.result?.summary).toBe('Refund of 5.00 recorded on invoice 1.');
    const rest = await run(flow, 'AddTransaction', refund('7.95'));
    expect(rest.state).toBe('executed');
    const refunds = transactionsOn(demo.invoices.paid).filter((row) => row.amountOut > 0n);
    expect(refunds.map((row) => row.amountOut)).toEqual([500n, 795n]);
    expect(refunds.every((row) => row.refundId === 1)).toBe(true);
    expect(sandbox.state.invoiceAmountPaid(demo.invoices.paid)).toBe(0n);
    expect(invoice(demo.invoices.paid).status).toBe('Refunded');
    expectAuditIntact(store);
  });

  it('is invalid above the payment, counting earlier refunds, and without an invoice to check against', async () => {
    const { flow } = makeFlow();
    const tooMuch = await validated(flow, 'AddTransaction', refund('12.96'));
    expect(tooMuch.state).toBe('invalid');
    expect(tooMuch.validation?.problems).toEqual([
      'The refund of 12.96 USD is more than is left of payment 1 on invoice 1: 12.95 paid, 0.00 already refunded, so at most 12.95 USD can be refunded.',
    ]);
    await run(flow, 'AddTransaction', refund('10.00'));
    const afterEarlier = await validated(flow, 'AddTransaction', refund('3.00'));
    expect(afterEarlier.validation?.problems[0]).toMatch(/10\.00 already refunded, so at most 2\.95 USD/);
    const fullyRefunded = await validated(
      flow,
      'AddTransaction',
      refund('1.00', { invoiceid: demo.invoices.refunded }),
    );
    expect(fullyRefunded.validation?.problems[0]).toMatch(/75\.00 already refunded, so at most 0\.00 USD/);
    const noInvoice = await validated(
      flow,
      'AddTransaction',
      refund('1.00', { invoiceid: undefined, userid: demo.id }),
    );
    expect(noInvoice.validation?.problems[0]).toMatch(/^A refund must name the invoice/);
    const nothingPaid = await validated(
      flow,
      'AddTransaction',
      refund('1.00', { invoiceid: demo.invoices.unpaid }),
    );
    expect(nothingPaid.validation?.problems).toEqual(['Invoice 4 has no payment to refund.']);
  });

  it('cannot be approved above the large-refund threshold without the large_refund acknowledgement', async () => {
    const { flow, store } = makeFlow({ largeRefundThreshold: '10.00' });
    const small = await validated(flow, 'AddTransaction', refund('10.00'));
    expect(small.validation?.required_acknowledgements).toEqual([]);
    flow.cancel(agent, admin, small.id, 'not needed');
    const large = await validated(flow, 'AddTransaction', refund('10.01'));
    expect(large.validation?.required_acknowledgements).toEqual(['large_refund']);
    expect(large.validation?.warnings).toContain(
      'This refund of 10.01 USD is above the large-refund threshold of 10.00 (MCP_LARGE_REFUND_THRESHOLD).',
    );
    const refused = await refusal(() => approve(flow, large.id));
    expect(refused.code).toBe('invalid_input');
    expect(flow.get(agent, admin, large.id).state).toBe('validated');
    expect(approve(flow, large.id, ['large_refund']).state).toBe('approved');
    expect((await flow.execute(agent, admin, large.id)).state).toBe('executed');
    expect(sandbox.state.invoiceAmountPaid(demo.invoices.paid)).toBe(1295n - 1001n);
    expectAuditIntact(store);
  });

  it('refuses to execute when another refund was recorded after approval', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddTransaction', refund('10.00'));
    approve(flow, intent.id);
    await outsideWrite('AddTransaction', refund('5.00', { transid: 're_outside' }));
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toMatch(/at most 7\.95 USD can be refunded/);
    expect(transactionsOn(demo.invoices.paid).filter((row) => row.amountOut > 0n)).toHaveLength(1);
  });

  it('reconciles a refund whose reply was lost', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'truncated', action: 'AddTransaction' }] });
    const lost = await run(flow, 'AddTransaction', refund('2.00'));
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
  });
});

describe('AddTransaction with money in', () => {
  it('pays an invoice: the cap is amountin and the invoice turns Paid at zero', async () => {
    const { flow, store } = makeFlow();
    const params = {
      paymentmethod: 'banktransfer',
      invoiceid: demo.invoices.overdue,
      amountin: demo.overdueBalance,
      transid: 'WIRE-77',
    };
    const intent = await validated(flow, 'AddTransaction', params);
    expect(intent.validation?.cap_amount).toEqual({ amount: '24.95', currency: 'USD' });
    expect(intent.validation?.impact[0]).toBe(
      'invoice 3 (client 1, Zoë Lindqvist): balance 24.95 -> 0.00 USD, status Unpaid -> Paid.',
    );
    approve(flow, intent.id);
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(invoice(demo.invoices.overdue).status).toBe('Paid');
    expect(balanceOf(demo.invoices.overdue)).toBe(0n);
    expectAuditIntact(store);
  });

  it('adds to credit in the client currency', async () => {
    const { flow } = makeFlow();
    const params = {
      paymentmethod: 'banktransfer',
      userid: euro.id,
      amountin: '30.00',
      credit: true,
      transid: 'SEPA-1',
    };
    const intent = await validated(flow, 'AddTransaction', params);
    expect(intent.validation?.cap_amount).toEqual({ amount: '30.00', currency: 'EUR' });
    const before = creditOf(euro.id);
    approve(flow, intent.id);
    await flow.execute(agent, admin, intent.id);
    expect(creditOf(euro.id) - before).toBe(3000n);
  });

  it('is invalid without a client or invoice, with a used transaction id, or with both directions', async () => {
    const { flow } = makeFlow();
    const nobody = await validated(flow, 'AddTransaction', {
      paymentmethod: 'banktransfer',
      amountin: '5.00',
      currencyid: 1,
    });
    expect(nobody.validation?.problems[0]).toMatch(/^Name the client \(userid\) or the invoice/);
    const existing = [...sandbox.state.transactions.values()][0]!.transId;
    const reused = await validated(flow, 'AddTransaction', {
      paymentmethod: 'banktransfer',
      userid: demo.id,
      amountin: '5.00',
      transid: existing,
    });
    expect(reused.validation?.problems).toEqual([
      `Transaction id "${existing}" is already recorded; WHMCS requires it to be unique.`,
    ]);
    const both = await validated(flow, 'AddTransaction', {
      paymentmethod: 'banktransfer',
      userid: demo.id,
      amountin: '5.00',
      amountout: '1.00',
    });
    expect(both.validation?.problems).toEqual([
      'Give either amountin (money received) or amountout (a refund), not both.',
    ]);
    const foreignInvoice = await validated(flow, 'AddTransaction', {
      paymentmethod: 'banktransfer',
      userid: euro.id,
      invoiceid: demo.invoices.unpaid,
      amountin: '5.00',
    });
    expect(foreignInvoice.validation?.problems).toEqual(['Invoice 4 does not belong to client 2.']);
  });
});

describe('CapturePayment', () => {
  it('takes its cap from the invoice balance WHMCS reports, since the caller names no amount', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'CapturePayment', { invoiceid: demo.invoices.unpaid });
    expect(intent.state).toBe('validated');
    expect(intent.validation?.cap_amount).toEqual({ amount: '15.95', currency: 'USD' });
    expect(intent.validation?.impact[0]).toBe(
      'invoice 4 (client 1, Zoë Lindqvist): charges 15.95 USD to Visa ending 4242 via stripe.',
    );
    expect(intent.validation?.snapshot).toEqual({
      invoice_status: 'Unpaid',
      invoice_balance: '15.95',
      invoice_last_transaction_id: 0,
      last_capture_attempt: null,
      pay_method_ids: [demo.payMethodId],
      currency: 'USD',
    });
  });

  it('charges the balance: the invoice is Paid with one payment of exactly the balance', async () => {
    const { flow, store } = makeFlow();
    const executed = await run(flow, 'CapturePayment', { invoiceid: demo.invoices.unpaid });
    expect(executed.state).toBe('executed');
    expect(invoice(demo.invoices.unpaid).status).toBe('Paid');
    const payments = transactionsOn(demo.invoices.unpaid);
    expect(payments.map((row) => row.amountIn)).toEqual([1595n]);
    expect(store.dailyTotal(today(), 'USD')).toBe(1595n);
    expectAuditIntact(store);
  });

  it('cannot be given a lower amount: the action table refuses the parameter at draft', async () => {
    const { flow } = makeFlow();
    const refused = await refusal(() =>
      flow.draft(agent, admin, {
        action: 'CapturePayment',
        params: { invoiceid: demo.invoices.unpaid, amount: '1.00' },
        reason: 'dodge the cap',
        tool: 'test',
      }),
    );
    expect(refused.code).toBe('invalid_input');
    expect(refused.message).toMatch(/'amount' is not a parameter this action documents/);
  });

  it('is refused by caps set below the balance, whatever the caller says', async () => {
    const { flow, store } = makeFlow({ perActionCap: '15.00' });
    const intent = await validated(flow, 'CapturePayment', { invoiceid: demo.invoices.unpaid });
    approve(flow, intent.id);
    const refused = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toBe('15.95 USD is above the per-action cap of 15.00.');
    expect(calls('CapturePayment')).toBe(0);
    expect(invoice(demo.invoices.unpaid).status).toBe('Unpaid');
    const audit = store.listAudit({ intent_id: intent.id, limit: 50, offset: 0 }).items;
    expect(audit.some((row) => row.event === 'execute' && row.outcome === 'refused:forbidden')).toBe(true);
  });

  it('refuses to execute when part of the invoice was paid after approval, and charges nothing', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'CapturePayment', { invoiceid: demo.invoices.unpaid });
    approve(flow, intent.id);
    await outsideWrite('AddInvoicePayment', payment({ amount: '5.00' }));
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.changed).toEqual(['invoice_balance', 'invoice_last_transaction_id']);
    expect(calls('CapturePayment')).toBe(0);
    expect(balanceOf(demo.invoices.unpaid)).toBe(1095n);
  });

  it('detects the failed last capture and needs retry_failed_capture to approve', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'CapturePayment', { invoiceid: failedCapture.invoiceId });
    expect(intent.validation?.required_acknowledgements).toEqual(['retry_failed_capture']);
    expect(intent.validation?.warnings[0]).toMatch(/^The last capture on invoice 18 \(.+\) failed/);
    expect((await refusal(() => approve(flow, intent.id))).code).toBe('invalid_input');
    approve(flow, intent.id, ['retry_failed_capture']);
    // The sandbox's card ending 0002 is declined again: WHMCS answers, so the outcome is certain.
    const executed = await flow.execute(agent, admin, intent.id);
    expect(executed.state).toBe('failed');
    expect(balanceOf(failedCapture.invoiceId)).toBe(4990n);
    expectAuditIntact(store);
  });

  it('is invalid for a client without a pay method and for a paid invoice', async () => {
    const { flow } = makeFlow();
    const noCard = await validated(flow, 'CapturePayment', {
      invoiceid: SEED_FACTS.noPayMethod.unpaidInvoiceId,
    });
    expect(noCard.state).toBe('invalid');
    expect(noCard.validation?.problems.some((problem) => /has no pay method on file/.test(problem))).toBe(
      true,
    );
    const paid = await validated(flow, 'CapturePayment', { invoiceid: demo.invoices.paid });
    expect(paid.validation?.problems).toEqual(['Invoice 1 is Paid; only an Unpaid invoice can be captured.']);
  });

  it('reconciles: a declined attempt after a lost reply is failed, a captured one executed', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'CapturePayment' }] });
    const lost = await run(flow, 'CapturePayment', { invoiceid: demo.invoices.unpaid });
    expect(lost.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, lost.id)).state).toBe('executed');

    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'CapturePayment' }] });
    const declined = await run(flow, 'CapturePayment', { invoiceid: failedCapture.invoiceId }, [
      'retry_failed_capture',
    ]);
    expect(declined.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, declined.id);
    expect(settled.state).toBe('failed');
    expect(settled.error?.message).toMatch(/the charge was declined/);
  });
});

describe('AddCredit', () => {
  it('shows the credit balance moving, in the client currency', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '10.00',
      description: 'Goodwill',
    });
    expect(intent.validation?.impact[0]).toBe('client 1 (Zoë Lindqvist): credit balance 25.00 -> 35.00 USD.');
    expect(intent.validation?.snapshot).toEqual({
      client_status: 'Active',
      client_credit: '25.00',
      last_credit_entry_id: 2,
      currency: 'USD',
    });
    expect(intent.validation?.cap_amount).toEqual({ amount: '10.00', currency: 'USD' });
  });

  it('adds exactly the amount and one credit log entry', async () => {
    const { flow, store } = makeFlow();
    const executed = await run(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '10.00',
      description: 'Goodwill',
    });
    expect(executed.state).toBe('executed');
    expect(executed.result?.summary).toBe('Credit of 10.00 added to client 1; credit balance now 35.00.');
    expect(creditOf(demo.id)).toBe(3500n);
    const entries = [...sandbox.state.credits.values()].filter((row) => row.clientId === demo.id);
    expect(entries.at(-1)).toMatchObject({ amount: 1000n, description: 'Goodwill' });
    expectAuditIntact(store);
  });

  it('removes credit only up to the balance', async () => {
    const { flow } = makeFlow();
    const tooMuch = await validated(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '25.01',
      description: 'x',
      type: 'remove',
    });
    expect(tooMuch.validation?.problems).toEqual([
      'client 1 (Zoë Lindqvist) has 25.00 USD credit; 25.01 cannot be removed.',
    ]);
    const removed = await run(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '25.00',
      description: 'x',
      type: 'remove',
    });
    expect(removed.state).toBe('executed');
    expect(creditOf(demo.id)).toBe(0n);
  });

  it('is invalid for inactive, closed, missing and foreign clients and for inexact or zero amounts', async () => {
    const { flow } = makeFlow();
    const inactive = await validated(flow, 'AddCredit', {
      clientid: SEED_FACTS.inactiveClient.id,
      amount: '5.00',
      description: 'x',
    });
    expect(inactive.validation?.problems).toEqual([
      'Client 4 is Inactive; credit can only be changed for an Active client.',
    ]);
    const closed = await validated(flow, 'AddCredit', {
      clientid: SEED_FACTS.closedClient.id,
      amount: '5.00',
      description: 'x',
    });
    expect(closed.validation?.problems[0]).toBe(
      'Client 5 is Closed; credit can only be changed for an Active client.',
    );
    const missing = await validated(flow, 'AddCredit', {
      clientid: 999_999,
      amount: '5.00',
      description: 'x',
    });
    expect(missing.validation?.problems).toEqual(['Client 999999 was not found.']);
    const inexact = await validated(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '5.005',
      description: 'x',
    });
    expect(inexact.validation?.problems[0]).toMatch(/^The amount must be an exact decimal above zero/);
    const zero = await validated(flow, 'AddCredit', { clientid: demo.id, amount: '0', description: 'x' });
    expect(zero.state).toBe('invalid');

    const foreign = await rulesFor('AddCredit').check(
      { clientid: demo.id, amount: '5.00', description: 'x' },
      rulesContext(ClientScope.clients([euro.id])),
    );
    expect(foreign.problems).toEqual(['Client 1 was not found.']);
    // The engine refuses the foreign draft itself, with the same words.
    const drafted = await refusal(() =>
      flow.draft(agent, ClientScope.clients([euro.id]), {
        action: 'AddCredit',
        params: { clientid: demo.id, amount: '5.00', description: 'x' },
        reason: 'r',
        tool: 'test',
      }),
    );
    expect(drafted.message).toBe('Client 1 was not found.');
  });

  it('refuses when the credit moved after approval', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '10.00',
      description: 'Goodwill',
    });
    approve(flow, intent.id);
    await outsideWrite('AddCredit', { clientid: demo.id, amount: '1.00', description: 'other admin' });
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.changed).toEqual(['client_credit', 'last_credit_entry_id']);
    expect(creditOf(demo.id)).toBe(2600n);
  });

  it('applies per-action and daily caps to the cent, per currency', async () => {
    const { flow, store } = makeFlow({ perActionCap: '15.00', dailyCap: '20.00' });
    const credit = (clientid: number, amount: string) => ({ clientid, amount, description: `cap ${amount}` });
    const overAction = await validated(flow, 'AddCredit', credit(demo.id, '15.01'));
    approve(flow, overAction.id);
    const perAction = await refusal(() => flow.execute(agent, admin, overAction.id));
    expect(perAction.message).toBe('15.01 USD is above the per-action cap of 15.00.');

    expect((await run(flow, 'AddCredit', credit(demo.id, '10.00'))).state).toBe('executed');
    expect((await run(flow, 'AddCredit', credit(demo.id, '7.50'))).state).toBe('executed');
    expect(store.dailyTotal(today(), 'USD')).toBe(1750n);
    const over = await validated(flow, 'AddCredit', credit(demo.id, '2.51'));
    approve(flow, over.id);
    const daily = await refusal(() => flow.execute(agent, admin, over.id));
    expect(daily.code).toBe('forbidden');
    expect(daily.message).toBe("2.51 USD would bring today's total to 20.01, above the daily cap of 20.00.");
    expect((await run(flow, 'AddCredit', credit(demo.id, '2.50'))).state).toBe('executed');
    expect(store.dailyTotal(today(), 'USD')).toBe(2000n);
    // Another currency has its own total.
    expect((await run(flow, 'AddCredit', credit(euro.id, '15.00'))).state).toBe('executed');
    expect(store.dailyTotal(today(), 'EUR')).toBe(1500n);
    expect(creditOf(demo.id)).toBe(2500n + 2000n);
    expectAuditIntact(store);
  });

  it('reconciles by the credit log entry added after validation', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddCredit' }] });
    const lost = await run(flow, 'AddCredit', {
      clientid: demo.id,
      amount: '3.00',
      description: 'Lost reply',
    });
    expect(lost.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, lost.id)).state).toBe('executed');

    // A request that times out before WHMCS answers: nothing happened, which reconcile can only
    // say once the settle time has passed.
    sandbox.faults.set({ next: [{ fault: 'hang', action: 'AddCredit' }] });
    const impatient = new WhmcsClient({
      apiUrl: sandbox.url,
      identifier: sandbox.identifier,
      secret: sandbox.secret,
      allowHttp: true,
      rateLimitPerSecond: 1000,
      timeoutMs: 300,
    });
    try {
      const quick = makeFlow({}, impatient);
      const hung = await run(quick.flow, 'AddCredit', {
        clientid: demo.id,
        amount: '4.00',
        description: 'Never ran',
      });
      expect(hung.state).toBe('unknown');
      expect((await quick.flow.reconcile(agent, admin, hung.id)).state).toBe('unknown');
      quick.advance(RECONCILE_SETTLE_MS);
      const failed = await quick.flow.reconcile(agent, admin, hung.id);
      expect(failed.state).toBe('failed');
      expect(failed.error?.message).toBe(
        "No credit entry of 4.00 with this description is in client 1's log.",
      );
    } finally {
      await impatient.close();
    }
    expect(creditOf(demo.id)).toBe(2800n);
  });
});

describe('ApplyCredit', () => {
  it('shows both balances and applies exactly the amount', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: '10.00' });
    expect(intent.validation?.impact).toEqual([
      'client 1 (Zoë Lindqvist): credit balance 25.00 -> 15.00 USD.',
      'invoice 4 (client 1, Zoë Lindqvist): balance 15.95 -> 5.95 USD, credit applied 0.00 -> 10.00, status stays Unpaid.',
    ]);
    expect(intent.validation?.cap_amount).toEqual({ amount: '10.00', currency: 'USD' });
    expect(intent.validation?.snapshot).toEqual({
      invoice_status: 'Unpaid',
      invoice_balance: '15.95',
      invoice_credit: '0.00',
      client_credit: '25.00',
      currency: 'USD',
    });
    approve(flow, intent.id);
    const executed = await flow.execute(agent, admin, intent.id);
    expect(executed.result?.summary).toBe('Applied 10.00 credit to invoice 4.');
    expect(creditOf(demo.id)).toBe(1500n);
    expect(invoice(demo.invoices.unpaid).credit).toBe(1000n);
    expect(balanceOf(demo.invoices.unpaid)).toBe(595n);
    expectAuditIntact(store);
  });

  it('is invalid above the credit balance, above the invoice balance, or on an invoice not Unpaid', async () => {
    const { flow } = makeFlow();
    const aboveCredit = await validated(flow, 'ApplyCredit', {
      invoiceid: demo.invoices.pendingOrder,
      amount: '30.00',
    });
    expect(aboveCredit.validation?.problems).toEqual([
      'client 1 (Zoë Lindqvist) has 25.00 USD credit; 30.00 cannot be applied.',
    ]);
    const aboveBalance = await validated(flow, 'ApplyCredit', {
      invoiceid: demo.invoices.unpaid,
      amount: '20.00',
    });
    expect(aboveBalance.validation?.problems).toEqual([
      "20.00 is more than invoice 4's balance of 15.95 USD; at most 15.95 can be applied.",
    ]);
    const draft = await validated(flow, 'ApplyCredit', { invoiceid: demo.invoices.draft, amount: '1.00' });
    expect(draft.validation?.problems).toEqual([
      'Invoice 7 is Draft; credit can only be applied to an Unpaid invoice.',
    ]);
  });

  it('refuses when the client credit moved after approval', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: '10.00' });
    approve(flow, intent.id);
    await outsideWrite('AddCredit', {
      clientid: demo.id,
      amount: '20.00',
      description: 'spent elsewhere',
      type: 'remove',
    });
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toMatch(/has 5\.00 USD credit; 10\.00 cannot be applied/);
    expect(invoice(demo.invoices.unpaid).credit).toBe(0n);
  });

  it('reconciles by the credit on the invoice', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'ApplyCredit' }] });
    const lost = await run(flow, 'ApplyCredit', { invoiceid: demo.invoices.unpaid, amount: '15.95' });
    expect(lost.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, lost.id)).state).toBe('executed');
    expect(invoice(demo.invoices.unpaid).status).toBe('Paid');
  });
});

describe('CreateInvoice', () => {
  const lines = {
    userid: demo.id,
    itemdescription1: 'Design work',
    itemamount1: '100.00',
    itemtaxed1: true,
    itemdescription2: 'Hosting setup',
    itemamount2: '50.50',
    itemtaxed2: false,
    taxrate: '19',
  };

  it('lists the lines and total, and caps at the sum of the lines', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'CreateInvoice', lines);
    expect(intent.validation?.impact).toEqual([
      'client 1 (Zoë Lindqvist): new Unpaid invoice in USD, dated today, due on its date.',
      'Line 1: "Design work" 100.00 USD (taxed).',
      'Line 2: "Hosting setup" 50.50 USD.',
      'Subtotal 150.50 USD, tax 19.00 USD, total 169.50 USD.',
    ]);
    expect(intent.validation?.cap_amount).toEqual({ amount: '150.50', currency: 'USD' });
    expect(intent.validation?.snapshot).toEqual({
      client_status: 'Active',
      currency: 'USD',
      newest_invoice_id: 8,
    });
  });

  it('creates the invoice with exactly these lines and names it in the summary', async () => {
    const { flow, store } = makeFlow();
    const before = sandbox.state.invoices.size;
    const executed = await run(flow, 'CreateInvoice', lines);
    expect(sandbox.state.invoices.size).toBe(before + 1);
    const created = [...sandbox.state.invoices.values()].at(-1)!;
    expect(executed.result?.summary).toBe(`Invoice ${created.id} created for client 1 (Unpaid).`);
    expect(created.items.map((item) => [item.description, item.amount, item.taxed])).toEqual([
      ['Design work', 10000n, true],
      ['Hosting setup', 5050n, false],
    ]);
    expect(created.total).toBe(16950n);
    expectAuditIntact(store);
  });

  it('is invalid for inactive or closed clients and for lines WHMCS would not bill as given', async () => {
    const { flow } = makeFlow();
    const inactive = await validated(flow, 'CreateInvoice', {
      ...lines,
      userid: SEED_FACTS.inactiveClient.id,
    });
    expect(inactive.validation?.problems).toEqual([
      'Client 4 is Inactive; invoices are only created for an Active client.',
    ]);
    const orphan = await validated(flow, 'CreateInvoice', {
      userid: demo.id,
      itemdescription1: 'a',
      itemamount1: '1.00',
      itemamount2: '999.00',
    });
    expect(orphan.validation?.problems[0]).toMatch(/^Line 2 has no itemdescription2/);
    const noAmount = await validated(flow, 'CreateInvoice', { userid: demo.id, itemdescription1: 'a' });
    expect(noAmount.validation?.problems).toEqual([
      'Line 1 has no itemamount1; give its amount (0.00 for a free line).',
    ]);
    const badStatus = await validated(flow, 'CreateInvoice', { ...lines, status: 'Settled' });
    expect(badStatus.validation?.problems[0]).toMatch(/^"Settled" is not a WHMCS invoice status/);
  });

  it('is refused by the caps on the sum of the lines', async () => {
    const { flow } = makeFlow({ perActionCap: '150.00' });
    const intent = await validated(flow, 'CreateInvoice', lines);
    approve(flow, intent.id);
    const refused = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(refused.message).toBe('150.50 USD is above the per-action cap of 150.00.');
    expect(calls('CreateInvoice')).toBe(0);
  });

  it('reconciles by an invoice with exactly these lines created after validation', async () => {
    const { flow, advance } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'CreateInvoice' }] });
    const lost = await run(flow, 'CreateInvoice', lines);
    expect(lost.state).toBe('unknown');
    const created = [...sandbox.state.invoices.values()].at(-1)!;
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toBe(
      `Reconciled as executed: Invoice ${created.id} for client 1 carries exactly these lines.`,
    );

    sandbox.faults.set({ next: [{ fault: 'serverError', action: 'CreateInvoice' }] });
    const never = await run(flow, 'CreateInvoice', { ...lines, itemamount2: '60.00' });
    expect(never.state).toBe('unknown');
    advance(RECONCILE_SETTLE_MS);
    expect((await flow.reconcile(agent, admin, never.id)).state).toBe('failed');
  });
});

describe('UpdateInvoice', () => {
  const editLine = {
    invoiceid: demo.invoices.unpaid,
    itemdescription: { '5': 'Business hosting' },
    itemamount: { '5': '20.00' },
    itemtaxed: { '5': false },
  };

  it('on WHMCS 8 computes the exact change in total as the cap, with a warning for an issued invoice', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'UpdateInvoice', editLine);
    expect(intent.validation?.impact[0]).toBe(
      'invoice 4 (client 1, Zoë Lindqvist): total 15.95 -> 23.00 USD, balance 15.95 -> 23.00 USD, status stays Unpaid.',
    );
    expect(intent.validation?.impact[1]).toMatch(/ 12\.95 USD -> "Business hosting" 20\.00 USD\.$/);
    expect(intent.validation?.warnings).toEqual([
      'Invoice 4 is already Unpaid: the client may have received it with the old amounts.',
    ]);
    expect(intent.validation?.cap_amount).toEqual({ amount: '7.05', currency: 'USD' });
    expect(intent.validation?.snapshot).toEqual({
      invoice_status: 'Unpaid',
      invoice_total: '15.95',
      invoice_balance: '15.95',
      invoice_credit: '0.00',
      invoice_tax_rates: ['0.000', '0.000'],
      invoice_lines: ['5:12.95:0', '6:3.00:0'],
      whmcs_rules: '8.x',
      currency: 'USD',
    });
    approve(flow, intent.id);
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(invoice(demo.invoices.unpaid).total).toBe(2300n);
    expect(balanceOf(demo.invoices.unpaid)).toBe(2300n);
    expectAuditIntact(store);
  });

  it('computes tax changes exactly on a taxed EUR invoice, new lines and deleted lines', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'UpdateInvoice', {
      invoiceid: euro.taxedUnpaidInvoiceId,
      'newitemdescription[0]': 'Extra mailbox',
      'newitemamount[0]': '10.00',
      'newitemtaxed[0]': true,
    });
    // 4.59 + 10.00 taxed at 19%: tax 2.77 (2.7721), total 17.36; before 5.46.
    expect(intent.validation?.cap_amount).toEqual({ amount: '11.90', currency: 'EUR' });
    approve(flow, intent.id);
    await flow.execute(agent, admin, intent.id);
    expect(invoice(euro.taxedUnpaidInvoiceId).total).toBe(1736n);

    const removal = await validated(flow, 'UpdateInvoice', {
      invoiceid: demo.invoices.unpaid,
      deletelineids: [6],
    });
    expect(removal.validation?.impact).toContain('Removes line 6: "Daily Backups" 3.00 USD.');
    expect(removal.validation?.cap_amount).toEqual({ amount: '3.00', currency: 'USD' });
  });

  it('caps a status change that ends what the client owes at that balance, and a notes edit at 0.00', async () => {
    const { flow } = makeFlow();
    const cancel = await validated(flow, 'UpdateInvoice', {
      invoiceid: demo.invoices.overdue,
      status: 'Cancelled',
    });
    expect(cancel.validation?.cap_amount).toEqual({ amount: '24.95', currency: 'USD' });
    expect(cancel.validation?.warnings).toEqual([
      'Marking invoice 3 Cancelled records no payment: the client stops owing 24.95 USD.',
    ]);
    const publish = await validated(flow, 'UpdateInvoice', { invoiceid: demo.invoices.draft, publish: true });
    expect(publish.validation?.cap_amount).toEqual({ amount: '250.00', currency: 'USD' });
    const notes = await validated(flow, 'UpdateInvoice', {
      invoiceid: demo.invoices.unpaid,
      notes: 'PO 4411',
    });
    expect(notes.validation?.cap_amount).toEqual({ amount: '0.00', currency: 'USD' });
    expect(notes.validation?.impact).toContain('No amount changes.');
  });

  it('gives the caps no amount when WHMCS figures do not follow from the lines, so the edit cannot run', async () => {
    // As a WHMCS with inclusive tax would show it: the total is not lines plus exclusive tax.
    const taxed = invoice(euro.taxedUnpaidInvoiceId);
    taxed.tax = 73n;
    taxed.total = 459n;
    const { flow } = makeFlow();
    const edit = await validated(flow, 'UpdateInvoice', {
      invoiceid: euro.taxedUnpaidInvoiceId,
      itemdescription: { '13': 'Starter hosting' },
      itemamount: { '13': '9.00' },
      itemtaxed: { '13': true },
    });
    expect(edit.state).toBe('validated');
    expect(edit.validation?.cap_amount).toBeNull();
    expect(edit.validation?.warnings.at(-1)).toMatch(
      /cannot be computed exactly: no amount is given to the caps/,
    );
    approve(flow, edit.id);
    const refused = await refusal(() => flow.execute(agent, admin, edit.id));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toBe(
      'UpdateInvoice moves money but its validation found no amount to check against the caps.',
    );
    expect(calls('UpdateInvoice')).toBe(0);
    // An edit that touches no amount keeps WHMCS's own figures and moves nothing.
    const notes = await validated(flow, 'UpdateInvoice', {
      invoiceid: euro.taxedUnpaidInvoiceId,
      notes: 'x',
    });
    expect(notes.validation?.impact[0]).toBe(
      'invoice 10 (client 2, Jürgen Müller): total 4.59 -> 4.59 EUR, balance 4.59 -> 4.59 EUR, status stays Unpaid.',
    );
    expect(notes.validation?.cap_amount).toEqual({ amount: '0.00', currency: 'EUR' });
  });

  it('is invalid for unknown lines, incomplete line edits and publishing a non-draft', async () => {
    const { flow } = makeFlow();
    const unknownLine = await validated(flow, 'UpdateInvoice', {
      ...editLine,
      itemdescription: { '99': 'x' },
      itemamount: { '99': '1.00' },
      itemtaxed: { '99': false },
    });
    expect(unknownLine.validation?.problems).toEqual([
      'Invoice 4 has no line 99; line edits name a line id.',
    ]);
    const incomplete = await validated(flow, 'UpdateInvoice', {
      invoiceid: demo.invoices.unpaid,
      itemdescription: { '5': 'x' },
      itemamount: { '5': '1.00' },
    });
    expect(incomplete.validation?.problems[0]).toMatch(/itemdescription, itemamount and itemtaxed together/);
    const publish = await validated(flow, 'UpdateInvoice', {
      invoiceid: demo.invoices.unpaid,
      publish: true,
    });
    expect(publish.validation?.problems).toEqual(['Invoice 4 is Unpaid; only a Draft can be published.']);
  });

  it('refuses to execute when the invoice was paid in part after approval', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'UpdateInvoice', editLine);
    approve(flow, intent.id);
    await outsideWrite('AddInvoicePayment', payment({ amount: '5.00' }));
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.changed).toEqual(['invoice_balance']);
    expect(invoice(demo.invoices.unpaid).total).toBe(1595n);
  });

  describe('on WHMCS 9', () => {
    let nine: RunningSandbox;
    let nineClient: WhmcsClient;
    beforeAll(async () => {
      nine = await startSandbox({ port: 0, whmcsVersion: '9.0.1' });
      nineClient = new WhmcsClient({
        apiUrl: nine.url,
        identifier: nine.identifier,
        secret: nine.secret,
        allowHttp: true,
        rateLimitPerSecond: 1000,
      });
    });
    afterAll(async () => {
      await nineClient.close();
      await nine.close();
    });

    it('refuses amount edits on a finalized invoice and allows them on a draft', async () => {
      const { flow } = makeFlow({}, nineClient);
      const finalized = await validated(flow, 'UpdateInvoice', editLine);
      expect(finalized.state).toBe('invalid');
      expect(finalized.validation?.problems).toEqual([
        'Invoice 4 is Unpaid, and WHMCS 9.0.1 keeps finalized invoices immutable: its lines, tax and credit cannot be edited. Correct it with a credit note instead.',
      ]);
      const draft = await validated(flow, 'UpdateInvoice', {
        invoiceid: demo.invoices.draft,
        itemdescription: { '9': 'Design retainer' },
        itemamount: { '9': '200.00' },
        itemtaxed: { '9': false },
      });
      expect(draft.state).toBe('validated');
      expect(draft.validation?.cap_amount).toEqual({ amount: '50.00', currency: 'USD' });
      expect(draft.validation?.snapshot.whmcs_rules).toBe('9.x');
      // Status and notes stay editable on a finalized invoice.
      const notes = await validated(flow, 'UpdateInvoice', {
        invoiceid: demo.invoices.unpaid,
        notes: 'PO 4411',
      });
      expect(notes.state).toBe('validated');
    });
  });
});

describe('orders', () => {
  const pendingOrder = demo.orders.pending;

  it('AcceptOrder lists what it activates, warns about the unpaid invoice, and moves no money', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'AcceptOrder', { orderid: pendingOrder, sendregistrar: true });
    expect(intent.validation?.impact).toEqual([
      'order 2 (client 1, Zoë Lindqvist): status Pending -> Active.',
      "Service 4 (Shared Hosting - Starter, lindqvist-studio.io): status Pending -> Active, set up by the product module if the product's auto-setup says so.",
      'Domain 4 (lindqvist-studio.io): status Pending -> Active, ordered from the registrar (the registrar charges for it).',
      'WHMCS may e-mail client 1 (Zoë Lindqvist) (welcome and domain messages).',
    ]);
    expect(intent.validation?.warnings).toEqual([
      'Invoice 8 is Unpaid with 53.99 USD owed: accepting provisions before payment and does not collect it.',
    ]);
    expect(intent.validation?.cap_amount).toBeNull();
    expect(intent.validation?.snapshot).toEqual({
      order_status: 'Pending',
      order_lines: ['product:4:Pending', 'domain:4:Pending'],
    });
    approve(flow, intent.id);
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(sandbox.state.orders.get(pendingOrder)?.status).toBe('Active');
    expect(sandbox.state.services.get(demo.services.pending)?.status).toBe('Active');
    expect(sandbox.state.domains.get(demo.domains.pending)?.status).toBe('Active');
    expect(invoice(demo.invoices.pendingOrder).status).toBe('Unpaid');
    expectAuditIntact(store);
  });

  it('AcceptOrder and CancelOrder are invalid for an order that is not Pending, or not found', async () => {
    const { flow } = makeFlow();
    const active = await validated(flow, 'AcceptOrder', { orderid: demo.orders.active });
    expect(active.validation?.problems).toEqual(['Order 1 is Active; only a Pending order can be accepted.']);
    const cancelled = await validated(flow, 'CancelOrder', { orderid: euro.cancelledOrderId });
    expect(cancelled.validation?.problems).toEqual([
      'Order 4 is Cancelled; only a Pending order can be cancelled.',
    ]);
    const missing = await validated(flow, 'AcceptOrder', { orderid: 999_999 });
    expect(missing.validation?.problems).toEqual(['Order 999999 was not found.']);
    const foreign = await rulesFor('CancelOrder').check(
      { orderid: pendingOrder },
      rulesContext(ClientScope.clients([euro.id])),
    );
    expect(foreign.problems).toEqual([`Order ${pendingOrder} was not found.`]);
  });

  it('CancelOrder caps at the unpaid invoice it writes off and cancels every item and the invoice', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'CancelOrder', { orderid: pendingOrder });
    expect(intent.validation?.cap_amount).toEqual({ amount: '53.99', currency: 'USD' });
    expect(intent.validation?.impact).toContain(
      'Invoice 8: status Unpaid -> Cancelled; the client no longer owes 53.99 USD.',
    );
    approve(flow, intent.id);
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(sandbox.state.orders.get(pendingOrder)?.status).toBe('Cancelled');
    expect(invoice(demo.invoices.pendingOrder).status).toBe('Cancelled');
    expect(sandbox.state.services.get(demo.services.pending)?.status).toBe('Cancelled');
    expect(store.dailyTotal(today(), 'USD')).toBe(5399n);
    expectAuditIntact(store);
  });

  it('CancelOrder is refused when the invoice was paid between approval and execution', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'CancelOrder', { orderid: pendingOrder });
    approve(flow, intent.id);
    await outsideWrite('AddInvoicePayment', payment({ invoiceid: demo.invoices.pendingOrder }));
    const conflict = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.changed).toEqual(['invoice_balance', 'invoice_status']);
    expect(sandbox.state.orders.get(pendingOrder)?.status).toBe('Pending');
  });

  it('FraudOrder and PendingOrder move the order and its items; reconcile reads the order status', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'FraudOrder' }] });
    const fraud = await run(flow, 'FraudOrder', { orderid: pendingOrder });
    expect(fraud.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, fraud.id)).state).toBe('executed');
    expect(sandbox.state.orders.get(pendingOrder)?.status).toBe('Fraud');
    expect(invoice(demo.invoices.pendingOrder).status).toBe('Cancelled');
    const back = await validated(flow, 'PendingOrder', { orderid: pendingOrder });
    expect(back.validation?.cap_amount).toBeNull();
    expect(back.validation?.impact[0]).toBe('order 2 (client 1, Zoë Lindqvist): status Fraud -> Pending.');
    approve(flow, back.id);
    expect((await flow.execute(agent, admin, back.id)).state).toBe('executed');
    expect(sandbox.state.services.get(demo.services.pending)?.status).toBe('Pending');
    const alreadyPending = await validated(flow, 'PendingOrder', { orderid: pendingOrder });
    expect(alreadyPending.validation?.problems).toEqual([`Order ${pendingOrder} is already Pending.`]);
    const again = await validated(flow, 'FraudOrder', { orderid: SEED_FACTS.fraudOrder.orderId });
    expect(again.validation?.problems).toEqual([
      `Order ${SEED_FACTS.fraudOrder.orderId} is already marked Fraud.`,
    ]);
  });
});
