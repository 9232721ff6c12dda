/** Orders in the sandbox: AddOrder with its items and invoice, and the order status actions. */
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
  const state = createSandboxState({ clients: 12, seed: 9 });
  return {
    state,
    call: async (action, params = {}) => callAction(state, action, params, { now: () => NOW }),
  };
}

interface OrderRow {
  id: number;
  status: string;
  amount: string;
  invoiceid: number;
  paymentstatus: string;
  lineitems: { lineitem: { type: string; relid: number; status: string }[] };
}

async function order(call: ReturnType<typeof sandbox>['call'], orderId: number): Promise<OrderRow> {
  const reply = await call('GetOrders', { id: orderId });
  const row = (reply.orders as { order: OrderRow[] }).order[0];
  if (!row) throw new Error(`order ${orderId} not listed`);
  return row;
}

describe('AddOrder', () => {
  it('creates a pending order with its services, addons, domains and an unpaid invoice with exact totals', async () => {
    const { call, state } = sandbox();
    const reply = await call('AddOrder', {
      clientid: demo.id,
      paymentmethod: 'stripe',
      pid: [String(SEED_FACTS.products.business), String(SEED_FACTS.products.vpsSmall)],
      domain: ['new-shop.com', 'build.new-shop.com'],
      billingcycle: ['monthly', 'annually'],
      domaintype: ['register'],
      regperiod: ['2'],
      addons: ['1,2'],
    });
    expect(reply).toMatchObject({ result: 'success' });
    const serviceIds = String(reply.serviceids).split(',').map(Number);
    const addonIds = String(reply.addonids).split(',').map(Number);
    const domainIds = String(reply.domainids).split(',').map(Number);
    expect([serviceIds.length, addonIds.length, domainIds.length]).toEqual([2, 2, 1]);
    // Business monthly 12.95 + VPS Small annually 249.50 + backups 3.00 + dedicated IP 2.50 + .com for 2 years 29.90.
    const invoice = await call('GetInvoice', { invoiceid: Number(reply.invoiceid) });
    expect(invoice).toMatchObject({
      status: 'Unpaid',
      subtotal: '297.85',
      total: '297.85',
      balance: '297.85',
    });
    const row = await order(call, Number(reply.orderid));
    expect(row).toMatchObject({
      status: 'Pending',
      amount: '297.85',
      invoiceid: Number(reply.invoiceid),
      paymentstatus: 'Unpaid',
    });
    expect(row.lineitems.lineitem.map((item) => item.type)).toEqual([
      'product',
      'product',
      'addon',
      'addon',
      'domain',
    ]);
    expect(serviceIds.map((id) => state.services.get(id)?.status)).toEqual(['Pending', 'Pending']);
    expect(state.domains.get(domainIds[0] ?? 0)).toMatchObject({
      domainName: 'new-shop.com',
      status: 'Pending',
      regPeriod: 2,
    });
  });

  it('applies a percentage promotion to the first payment and keeps it on renewals when recurring', async () => {
    const { call, state } = sandbox();
    const reply = await call('AddOrder', {
      clientid: demo.id,
      paymentmethod: 'paypal',
      pid: [String(SEED_FACTS.products.business)],
      billingcycle: ['monthly'],
      promocode: 'WELCOME10',
    });
    // 12.95 less 10% (1.295, rounded half up to 1.30) is 11.65.
    expect(await call('GetInvoice', { invoiceid: Number(reply.invoiceid) })).toMatchObject({
      total: '11.65',
    });
    expect(state.services.get(Number(reply.serviceids))?.recurringAmount).toBe(1165n);
  });

  it('refuses closed clients, unknown gateways and empty carts with the documented wording', async () => {
    const { call } = sandbox();
    expect(
      await call('AddOrder', { clientid: SEED_FACTS.closedClient.id, paymentmethod: 'stripe', pid: ['1'] }),
    ).toEqual({
      result: 'error',
      message: 'Unable to add order when client status is Closed',
    });
    expect(
      (
        (await call('AddOrder', { clientid: demo.id, paymentmethod: 'bitcoin', pid: ['1'] }))
          .message as string
      ).startsWith('Invalid Payment Method. Valid options include'),
    ).toBe(true);
    expect(await call('AddOrder', { clientid: demo.id, paymentmethod: 'stripe' })).toEqual({
      result: 'error',
      message: 'No items added to cart so order cannot proceed',
    });
    expect(await call('AddOrder', { clientid: 4242, paymentmethod: 'stripe', pid: ['1'] })).toEqual({
      result: 'error',
      message: 'Client ID Not Found',
    });
  });
});

describe('order status actions', () => {
  it('AcceptOrder activates the services and registers the domains of a pending order', async () => {
    const { call, state } = sandbox();
    expect(await call('AcceptOrder', { orderid: demo.orders.pending, serviceusername: 'studio01' })).toEqual({
      result: 'success',
    });
    expect((await order(call, demo.orders.pending)).status).toBe('Active');
    expect(state.services.get(demo.services.pending)).toMatchObject({
      status: 'Active',
      username: 'studio01',
    });
    expect(state.domains.get(demo.domains.pending)).toMatchObject({
      status: 'Active',
      registrar: 'enom',
      expiryDate: '2026-06-15',
    });
    expect(await call('AcceptOrder', { orderid: demo.orders.pending })).toEqual({
      result: 'error',
      message: 'Order ID not found or Status not Pending',
    });
  });

  it('CancelOrder cancels the items and the unpaid invoice; only pending orders', async () => {
    const { call, state } = sandbox();
    expect(await call('CancelOrder', { orderid: demo.orders.pending })).toEqual({ result: 'success' });
    expect(state.services.get(demo.services.pending)?.status).toBe('Cancelled');
    expect(state.domains.get(demo.domains.pending)?.status).toBe('Cancelled');
    expect(await call('GetInvoice', { invoiceid: demo.invoices.pendingOrder })).toMatchObject({
      status: 'Cancelled',
    });
    expect(await call('CancelOrder', { orderid: demo.orders.active })).toEqual({
      result: 'error',
      message: 'Order ID not found or Status not Pending',
    });
  });

  it('FraudOrder marks the order and its items Fraud and cancels the invoice; PendingOrder brings them back to Pending', async () => {
    const { call, state } = sandbox();
    expect(await call('FraudOrder', { orderid: demo.orders.pending })).toEqual({ result: 'success' });
    const fraud = await order(call, demo.orders.pending);
    expect(fraud.status).toBe('Fraud');
    expect(fraud.lineitems.lineitem.map((item) => item.status)).toEqual(['Fraud', 'Fraud']);
    expect(state.invoices.get(demo.invoices.pendingOrder)?.status).toBe('Cancelled');

    expect(await call('PendingOrder', { orderid: demo.orders.pending })).toEqual({ result: 'success' });
    const pending = await order(call, demo.orders.pending);
    expect(pending.status).toBe('Pending');
    expect(pending.lineitems.lineitem.map((item) => item.status)).toEqual(['Pending', 'Pending']);
    expect(await call('PendingOrder', { orderid: 987654 })).toEqual({
      result: 'error',
      message: 'Order ID Not Found',
    });
    expect(await call('FraudOrder', { orderid: 987654 })).toEqual({
      result: 'error',
      message: 'Order ID Not Found',
    });
  });

  it('counts orders by status and lists newest first', async () => {
    const { call, state } = sandbox();
    const statuses = await call('GetOrderStatuses');
    const counts = Object.fromEntries(
      (statuses.statuses as { status: { title: string; count: number }[] }).status.map((entry) => [
        entry.title,
        entry.count,
      ]),
    );
    const expected: Record<string, number> = { Pending: 0, Active: 0, Fraud: 0, Cancelled: 0 };
    for (const entry of state.orders.values()) expected[entry.status] = (expected[entry.status] ?? 0) + 1;
    expect(counts).toEqual(expected);
    for (const status of ['Pending', 'Active', 'Fraud', 'Cancelled'])
      expect(counts[status]).toBeGreaterThan(0);
    const listed = await call('GetOrders', { limitnum: 3 });
    expect((listed.orders as { order: { id: number }[] }).order.map((entry) => entry.id)).toEqual([
      state.orders.size,
      state.orders.size - 1,
      state.orders.size - 2,
    ]);
  });
});
