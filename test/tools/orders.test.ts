import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { projectPricing, projectProduct } from '../../src/tools/orders/projections.js';
import { callError, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;
type Item = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const euro = SEED_FACTS.euroClient;
const products = SEED_FACTS.products;
const MISSING_ID = 987_654;
const TRANSFER_SECRET = 'EPP-sandbox-Zq7!secret';
const SERVER_PASSWORD = 'module-server-pass-4821';

let admin: Harness;
let scoped: Harness;
const answers: string[] = [];

async function ok(harness: Harness, name: string, args: Record<string, unknown> = {}): Promise<Structured> {
  const result = await harness.client.callTool({ name, arguments: args });
  answers.push(JSON.stringify(result));
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Structured;
}

function items(result: Structured): Item[] {
  return result.items as Item[];
}

function withoutId(error: unknown, id: number): string {
  return JSON.stringify(error).replaceAll(String(id), '<id>');
}

async function walk(harness: Harness, name: string, args: Record<string, unknown>, limit: number) {
  const seen: Item[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = await ok(harness, name, { ...args, limit, offset });
    const pageItems = items(page);
    expect(page.count).toBe(pageItems.length);
    expect(page.offset).toBe(offset);
    expect(page.limit).toBe(limit);
    expect(pageItems.length).toBeLessThanOrEqual(limit);
    total ??= page.total as number;
    expect(page.total).toBe(total);
    expect(page.has_more).toBe(offset + pageItems.length < total);
    expect(page.next_offset).toBe(page.has_more ? offset + pageItems.length : null);
    seen.push(...pageItems);
    offset = page.next_offset as number | null;
  }
  expect(seen.length).toBe(total);
  expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
  return seen;
}

async function expectInvalid(harness: Harness, name: string, args: Record<string, unknown>, field: string) {
  const error = await callError(harness.client, name, args);
  expect(error.code, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe('invalid_input');
  const problems = (error.details?.problems ?? []) as Array<{ field: string }>;
  expect(problems.map((problem) => problem.field)).toContain(field);
}

function stateOrders(clientId?: number) {
  return [...admin.sandbox.state.orders.values()].filter(
    (order) => clientId === undefined || order.clientId === clientId,
  );
}

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
  const state = admin.sandbox.state;
  // A domain transfer secret and an IP address on the demo client's orders must never leave; the
  // checkout note carries hidden characters.
  const pending = state.orders.get(demo.orders.pending)!;
  pending.transferSecret = TRANSFER_SECRET;
  pending.notes = 'Please\u200B set up\u202E quickly';
}, 30_000);

afterAll(async () => {
  await scoped?.close();
  await admin?.close();
});

describe('product projection', () => {
  it('leaves out cycles WHMCS marks -1.00, keeps one-time prices, and gives free products none', () => {
    const pricing = {
      USD: { monthly: '-1.00', msetupfee: '0.00', annually: '19.00', asetupfee: '5.00', quarterly: '-1.00' },
      EUR: { monthly: '-1.00', annually: '17.48', asetupfee: '0.00' },
    };
    expect(projectPricing(pricing, 'recurring')).toEqual([
      { currency: 'USD', billing_cycle: 'annually', price: '19.00', setup_fee: '5.00' },
      { currency: 'EUR', billing_cycle: 'annually', price: '17.48', setup_fee: '0.00' },
    ]);
    expect(
      projectPricing({ USD: { monthly: '49.00', msetupfee: '10.00', annually: '-1.00' } }, 'onetime'),
    ).toEqual([{ currency: 'USD', billing_cycle: 'onetime', price: '49.00', setup_fee: '10.00' }]);
    expect(projectPricing({ USD: { monthly: '0.00' } }, 'free')).toEqual([]);
  });

  it('drops module settings and every other undeclared field', () => {
    const product = projectProduct({
      pid: 9,
      gid: 1,
      name: 'Managed',
      paytype: 'recurring',
      module: 'cpanel',
      configoption1: 'root',
      configoption2: SERVER_PASSWORD,
      serverpassword: SERVER_PASSWORD,
      pricing: { USD: { monthly: '10.00', msetupfee: '0.00' } },
    });
    expect(JSON.stringify(product)).not.toContain(SERVER_PASSWORD);
    expect(product).toMatchObject({
      id: 9,
      group_id: 1,
      module: 'cpanel',
      config_options: [],
      custom_fields: [],
    });
  });
});

describe('list_products', () => {
  it('lists every product with exact prices per currency and offered cycle', async () => {
    const seen = await walk(admin, 'list_products', {}, 3);
    expect(seen.map((product) => product.id).sort()).toEqual(Object.values(products).sort());
    const business = seen.find((product) => product.id === products.business)!;
    const stored = admin.sandbox.state.products.get(products.business)!;
    expect(business).toMatchObject({
      name: stored.name,
      group_id: stored.groupId,
      module: 'cpanel',
      pay_type: 'recurring',
    });
    const usdMonthly = (business.pricing as Item[]).find(
      (price) => price.currency === 'USD' && price.billing_cycle === 'monthly',
    );
    expect(usdMonthly).toEqual({
      currency: 'USD',
      billing_cycle: 'monthly',
      price: '12.95',
      setup_fee: '0.00',
    });
    const currencies = new Set((business.pricing as Item[]).map((price) => price.currency));
    expect([...currencies].sort()).toEqual(Object.keys(SEED_FACTS.currencies).sort());
    const [storage] = business.config_options as Item[];
    expect(storage).toMatchObject({ name: 'Extra Storage' });
    const extra = (storage!.choices as Item[]).find((choice) => choice.name === '+25 GB')!;
    expect(
      (extra.pricing as Item[]).find(
        (price) => price.currency === 'USD' && price.billing_cycle === 'monthly',
      ),
    ).toMatchObject({ price: '3.00' });
    expect(business.custom_fields).toEqual([
      {
        id: 1,
        name: 'Primary Website Purpose',
        description: 'What will the website be used for?',
        required: false,
      },
    ]);

    const ssl = seen.find((product) => product.id === products.sslCertificate)!;
    expect((ssl.pricing as Item[]).some((price) => price.billing_cycle === 'monthly')).toBe(false);
    expect((ssl.pricing as Item[]).find((price) => price.currency === 'USD')).toMatchObject({
      billing_cycle: 'annually',
      price: '19.00',
    });
    const trial = seen.find((product) => product.id === products.freeTrial)!;
    expect(trial).toMatchObject({ pay_type: 'free', pricing: [] });
  });

  it('filters by group, product, module and currency', async () => {
    const state = admin.sandbox.state;
    const vps = await ok(admin, 'list_products', { group_id: 2 });
    expect(
      items(vps)
        .map((product) => product.id)
        .sort(),
    ).toEqual(
      [...state.products.values()]
        .filter((product) => product.groupId === 2)
        .map((product) => product.id)
        .sort(),
    );
    const one = await ok(admin, 'list_products', { product_id: products.vpsLarge });
    expect(items(one).map((product) => product.id)).toEqual([products.vpsLarge]);
    const virtualizor = await ok(admin, 'list_products', { module: 'virtualizor' });
    expect(items(virtualizor).every((product) => product.module === 'virtualizor')).toBe(true);
    expect(virtualizor.total).toBe(
      [...state.products.values()].filter((product) => product.module === 'virtualizor').length,
    );
    const none = await ok(admin, 'list_products', { group_id: 2, product_id: products.starter });
    expect(none).toMatchObject({ items: [], total: 0, has_more: false, next_offset: null });
    const euros = await ok(admin, 'list_products', { product_id: products.business, currency: 'eur' });
    const business = items(euros)[0]!;
    expect((business.pricing as Item[]).every((price) => price.currency === 'EUR')).toBe(true);
    const choices = (business.config_options as Item[]).flatMap((option) => option.choices as Item[]);
    expect(
      choices.every((choice) => (choice.pricing as Item[]).every((price) => price.currency === 'EUR')),
    ).toBe(true);
  });

  it('is public: the same catalogue in client mode', async () => {
    const adminView = await ok(admin, 'list_products', { limit: 100 });
    const clientView = await ok(scoped, 'list_products', { limit: 100 });
    expect(clientView).toEqual(adminView);
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'list_products', { group_id: -1 }, 'group_id');
    await expectInvalid(admin, 'list_products', { product_id: 'two' }, 'product_id');
    await expectInvalid(admin, 'list_products', { module: 'x'.repeat(10_000) }, 'module');
    await expectInvalid(admin, 'list_products', { currency: 'dollars' }, 'currency');
    await expectInvalid(admin, 'list_products', { limit: 0 }, 'limit');
    await expectInvalid(admin, 'list_products', { limit: 101 }, 'limit');
    await expectInvalid(admin, 'list_products', { password: 'x' }, 'password');
  });
});

describe('list_client_orders', () => {
  it("lists the demo client's orders newest first with currency, invoice and line items", async () => {
    const seen = await walk(admin, 'list_client_orders', { client_id: demo.id }, 1);
    expect(seen.map((order) => order.id)).toEqual(
      stateOrders(demo.id)
        .map((order) => order.id)
        .sort((a, b) => b - a),
    );
    const pending = seen.find((order) => order.id === demo.orders.pending)!;
    const stored = admin.sandbox.state.orders.get(demo.orders.pending)!;
    expect(pending).toMatchObject({
      client_id: demo.id,
      status: 'Pending',
      amount: '53.99',
      currency: 'USD',
      invoice_id: demo.invoices.pendingOrder,
      payment_status: 'Unpaid',
      order_number: String(stored.orderNum),
      notes: { untrusted: true, text: 'Please set up quickly' },
    });
    const lineItems = pending.line_items as Item[];
    expect(lineItems.map((item) => item.type).sort()).toEqual(['domain', 'product']);
    expect(lineItems.every((item) => typeof item.amount === 'string')).toBe(true);
  });

  it('filters by status, case-insensitively, with coherent totals', async () => {
    for (const status of ['Active', 'pending', 'Cancelled', 'Fraud']) {
      const result = await ok(admin, 'list_client_orders', { client_id: demo.id, status });
      expect(result.total).toBe(
        stateOrders(demo.id).filter((order) => order.status.toLowerCase() === status.toLowerCase()).length,
      );
      expect(
        items(result).every((order) => (order.status as string).toLowerCase() === status.toLowerCase()),
      ).toBe(true);
    }
  });

  it("gives a euro client's orders in EUR", async () => {
    const result = await ok(admin, 'list_client_orders', { client_id: euro.id });
    const cancelled = items(result).find((order) => order.id === euro.cancelledOrderId);
    expect(cancelled).toMatchObject({ status: 'Cancelled', currency: 'EUR', client_id: euro.id });
  });

  it('in client mode answers a foreign client like a missing one', async () => {
    const own = await ok(scoped, 'list_client_orders', { client_id: demo.id });
    expect(own.total).toBe(stateOrders(demo.id).length);
    const foreign = await callError(scoped.client, 'list_client_orders', { client_id: euro.id });
    const missing = await callError(scoped.client, 'list_client_orders', { client_id: MISSING_ID });
    expect(foreign.code).toBe('not_found');
    expect(withoutId(foreign, euro.id)).toBe(withoutId(missing, MISSING_ID));
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'list_client_orders', { client_id: 0 }, 'client_id');
    await expectInvalid(
      admin,
      'list_client_orders',
      { client_id: demo.id, status: 'x'.repeat(10_000) },
      'status',
    );
    await expectInvalid(admin, 'list_client_orders', { client_id: demo.id, status: '' }, 'status');
    await expectInvalid(admin, 'list_client_orders', { client_id: demo.id, offset: -5 }, 'offset');
  });
});

describe('list_orders', () => {
  it('walks every order across clients, newest first', async () => {
    const seen = await walk(admin, 'list_orders', {}, 4);
    expect(seen.map((order) => order.id)).toEqual(
      stateOrders()
        .map((order) => order.id)
        .sort((a, b) => b - a),
    );
    expect(new Set(seen.map((order) => order.client_id)).size).toBeGreaterThan(2);
    expect(seen.every((order) => typeof order.currency === 'string')).toBe(true);
  });

  it('filters by status across clients', async () => {
    const fraud = await ok(admin, 'list_orders', { status: 'Fraud' });
    expect(items(fraud).map((order) => order.id)).toContain(SEED_FACTS.fraudOrder.orderId);
    expect(fraud.total).toBe(stateOrders().filter((order) => order.status === 'Fraud').length);
    const pending = await walk(admin, 'list_orders', { status: 'Pending' }, 2);
    expect(pending.every((order) => order.status === 'Pending')).toBe(true);
    expect(pending.length).toBe(stateOrders().filter((order) => order.status === 'Pending').length);
  });

  it('is not offered in client mode', async () => {
    const { tools } = await scoped.client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).not.toContain('list_orders');
    expect(names).toEqual(expect.arrayContaining(['list_products', 'list_client_orders']));
    expect((await callError(scoped.client, 'list_orders', {})).code).toBe('forbidden');
  });

  it('refuses bad input, naming the field', async () => {
    await expectInvalid(admin, 'list_orders', { limit: 101 }, 'limit');
    await expectInvalid(admin, 'list_orders', { status: 42 }, 'status');
    await expectInvalid(admin, 'list_orders', { client_id: demo.id }, 'client_id');
  });
});

describe('secrets', () => {
  it('never returns transfer secrets, IP addresses, fraud data or service passwords', () => {
    const state = admin.sandbox.state;
    const everything = answers.join('\n');
    expect(answers.length).toBeGreaterThan(20);
    expect(everything).not.toContain(TRANSFER_SECRET);
    for (const order of state.orders.values()) {
      if (order.ipAddress) expect(everything).not.toContain(order.ipAddress);
    }
    for (const service of state.services.values()) {
      if (service.password) expect(everything).not.toContain(service.password);
    }
    expect(everything).not.toMatch(/transfersecret|fraudoutput|ipaddress|password/i);
  });
});
