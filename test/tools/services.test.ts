import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCents } from '../../src/money.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

const demo = SEED_FACTS.demoClient;
const euro = SEED_FACTS.euroClient;

let admin: Harness;
let scoped: Harness;

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
});

afterAll(async () => {
  await scoped.close();
  await admin.close();
});

interface ServiceItem {
  id: number;
  client_id: number;
  product_id: number;
  status: string;
  recurring_amount: string | null;
  currency: string | null;
}

interface Page<T> {
  items: T[];
  total: number;
  count: number;
  offset: number;
  limit: number;
  has_more: boolean;
  next_offset: number | null;
  total_is_estimate?: boolean;
}

/** Walks every page, checking the envelope on each one. */
async function walk<T>(harness: Harness, tool: string, args: Record<string, unknown>, limit: number) {
  const items: T[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = (await callOk(harness.client, tool, { ...args, limit, offset })) as unknown as Page<T>;
    expect(page.count).toBe(page.items.length);
    expect(page.offset).toBe(offset);
    expect(page.limit).toBe(limit);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    total ??= page.total;
    expect(page.total).toBe(total);
    expect(page.has_more).toBe(page.offset + page.count < page.total);
    expect(page.next_offset).toBe(page.has_more ? page.offset + page.count : null);
    items.push(...page.items);
    offset = page.next_offset;
  }
  expect(items.length).toBe(total);
  return items;
}

function seededServices() {
  return [...admin.sandbox.state.services.values()];
}

function seededPasswords(): string[] {
  return seededServices()
    .map((service) => service.password)
    .filter((password) => password !== '');
}

/** The not-found answer with the id taken out, so a foreign id and a missing id can be compared. */
function withoutId(error: { code: string; message: string; details?: Record<string, unknown> }, id: number) {
  const details = error.details === undefined ? undefined : { ...error.details, id: '<id>' };
  return { ...error, message: error.message.replaceAll(String(id), '<id>'), details };
}

describe('get_service_details', () => {
  it('returns the demo client active service with exact money, server, addons and options', async () => {
    const seeded = admin.sandbox.state.services.get(demo.services.active)!;
    const service = await callOk(admin.client, 'get_service_details', { service_id: demo.services.active });
    expect(service).toMatchObject({
      id: demo.services.active,
      client_id: demo.id,
      product_id: seeded.productId,
      product: admin.sandbox.state.products.get(seeded.productId)!.name,
      domain: seeded.domain,
      status: 'Active',
      billing_cycle: seeded.billingCycle,
      next_due_date: seeded.nextDueDate,
      recurring_amount: formatCents(seeded.recurringAmount),
      first_payment_amount: formatCents(seeded.firstPaymentAmount),
      currency: demo.currency,
      username: seeded.username,
    });
    const server = admin.sandbox.state.servers.get(seeded.serverId)!;
    expect(service.server).toEqual({
      id: server.id,
      name: server.name,
      hostname: server.hostname,
      ip_address: server.ipAddress,
    });
    const addons = service.addons as Array<Record<string, unknown>>;
    expect(addons.map((addon) => addon.id)).toContain(demo.addonId);
    const addon = addons.find((candidate) => candidate.id === demo.addonId)!;
    const seededAddon = admin.sandbox.state.serviceAddons.get(demo.addonId)!;
    expect(addon).toMatchObject({
      service_id: demo.services.active,
      recurring_amount: formatCents(seededAddon.recurring),
      currency: demo.currency,
      status: seededAddon.status,
    });
    expect((service.config_options as unknown[]).length).toBe(seeded.configOptions.length);
    for (const field of service.custom_fields as Array<{ value: { untrusted: boolean } }>) {
      expect(field.value.untrusted).toBe(true);
    }
  });

  it('reports the suspension reason of a suspended service', async () => {
    const seeded = admin.sandbox.state.services.get(demo.services.suspended)!;
    const service = await callOk(admin.client, 'get_service_details', {
      service_id: demo.services.suspended,
    });
    expect(service.status).toBe('Suspended');
    expect(service.suspension_reason).toBe(seeded.suspensionReason);
  });

  it('never returns a service password, for any seeded service', async () => {
    const passwords = seededPasswords();
    expect(passwords.length).toBeGreaterThan(0);
    for (const service of seededServices()
      .filter((candidate) => candidate.password !== '')
      .slice(0, 15)) {
      const result = await admin.client.callTool({
        name: 'get_service_details',
        arguments: { service_id: service.id },
      });
      expect(result.isError).toBeFalsy();
      const json = JSON.stringify(result);
      expect(json).not.toContain(service.password);
      expect(json).not.toMatch(/"password"/i);
    }
  });

  it('answers a foreign service exactly like a missing one in client mode', async () => {
    const foreign = seededServices().find((service) => service.clientId === euro.id)!;
    const missing = 9_999_999;
    const foreignError = await callError(scoped.client, 'get_service_details', { service_id: foreign.id });
    const missingError = await callError(scoped.client, 'get_service_details', { service_id: missing });
    expect(foreignError.code).toBe('not_found');
    expect(withoutId(foreignError, foreign.id)).toEqual(withoutId(missingError, missing));
    expect(JSON.stringify(foreignError)).not.toContain(foreign.domain);
    // The bound client's own service still works.
    const own = await callOk(scoped.client, 'get_service_details', { service_id: demo.services.active });
    expect(own.client_id).toBe(demo.id);
  });

  it('refuses bad ids naming the field', async () => {
    for (const service_id of [-1, 0, 1.5, '1', null, 10_000_000_000]) {
      const error = await callError(admin.client, 'get_service_details', { service_id });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('service_id');
    }
    const unknown = await callError(admin.client, 'get_service_details', { service_id: 1, password: 'x' });
    expect(unknown.code).toBe('invalid_input');
    expect(unknown.message).toContain('password');
  });
});

describe('list_services', () => {
  it('walks every service across clients with a coherent envelope and no passwords', async () => {
    const items = await walk<ServiceItem>(admin, 'list_services', {}, 17);
    expect(items.length).toBe(seededServices().length);
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    const json = JSON.stringify(items);
    for (const password of seededPasswords()) expect(json).not.toContain(password);
    for (const payMethod of admin.sandbox.state.payMethods.values()) {
      if (payMethod.remoteToken !== '') expect(json).not.toContain(payMethod.remoteToken);
    }
    // Each item carries its own client's currency.
    const euroItem = items.find((item) => item.client_id === euro.id)!;
    expect(euroItem.currency).toBe(euro.currency);
  });

  it('resolves currencies once per client, and with one call when only one currency is configured', async () => {
    const countCalls = async (harness: Harness) => {
      const before = { ...harness.sandbox.stats().actions };
      await callOk(harness.client, 'list_services', { limit: 30 });
      const after = harness.sandbox.stats().actions;
      const delta = (action: string) => (after[action] ?? 0) - (before[action] ?? 0);
      return { details: delta('GetClientsDetails'), currencies: delta('GetCurrencies') };
    };
    const page = (await callOk(admin.client, 'list_services', { limit: 30 })) as unknown as Page<ServiceItem>;
    const clients = new Set(page.items.map((item) => item.client_id)).size;
    expect((await countCalls(admin)).details).toBe(clients);

    const single = await startHarness();
    try {
      for (const id of [...single.sandbox.state.currencies.keys()]) {
        if (id !== SEED_FACTS.currencies.USD) single.sandbox.state.currencies.delete(id);
      }
      expect(await countCalls(single)).toEqual({ details: 0, currencies: 1 });
    } finally {
      await single.close();
    }
  });

  it('filters by status locally with an exact total', async () => {
    for (const status of ['Active', 'Suspended', 'Terminated'] as const) {
      const expected = seededServices().filter((service) => service.status === status);
      const items = await walk<ServiceItem>(admin, 'list_services', { status }, 7);
      expect(items.every((item) => item.status === status)).toBe(true);
      expect(items.map((item) => item.id).sort((a, b) => a - b)).toEqual(
        expected.map((service) => service.id).sort((a, b) => a - b),
      );
    }
    const first = (await callOk(admin.client, 'list_services', {
      status: 'Active',
      limit: 3,
    })) as unknown as Page<ServiceItem>;
    expect(first.total_is_estimate).toBeUndefined();
  });

  it('filters by product, alone and with a status', async () => {
    const productId = SEED_FACTS.products.business;
    const byProduct = await walk<ServiceItem>(admin, 'list_services', { product_id: productId }, 5);
    expect(byProduct.length).toBe(
      seededServices().filter((service) => service.productId === productId).length,
    );
    expect(byProduct.every((item) => item.product_id === productId)).toBe(true);
    const active = await walk<ServiceItem>(
      admin,
      'list_services',
      { product_id: productId, status: 'Active' },
      5,
    );
    expect(active.length).toBe(
      seededServices().filter((service) => service.productId === productId && service.status === 'Active')
        .length,
    );
  });

  it('is neither listed nor callable in client mode', async () => {
    const { tools } = await scoped.client.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain('list_services');
    expect((await callError(scoped.client, 'list_services', {})).code).toBe('forbidden');
  });

  it('refuses out-of-range paging, unknown statuses and oversized text', async () => {
    for (const args of [{ limit: 0 }, { limit: 101 }, { offset: -1 }, { limit: 'ten' }]) {
      const error = await callError(admin.client, 'list_services', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toMatch(/limit|offset/);
    }
    for (const status of ['Bogus', 'x'.repeat(10_000), 3]) {
      const error = await callError(admin.client, 'list_services', { status });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('status');
    }
    expect((await callError(admin.client, 'list_services', { product_id: -3 })).message).toContain(
      'product_id',
    );
  });
});

describe('list_client_services', () => {
  it("lists the demo client's services with a status filter and paging", async () => {
    const items = await walk<ServiceItem>(admin, 'list_client_services', { client_id: demo.id }, 1);
    expect(items.map((item) => item.id).sort((a, b) => a - b)).toEqual(
      Object.values(demo.services).sort((a, b) => a - b),
    );
    expect(items.every((item) => item.client_id === demo.id && item.currency === demo.currency)).toBe(true);
    const suspended = await callOk(admin.client, 'list_client_services', {
      client_id: demo.id,
      status: 'Suspended',
    });
    expect((suspended.items as ServiceItem[]).map((item) => item.id)).toEqual([demo.services.suspended]);
    expect(suspended.total).toBe(1);
    const none = await callOk(admin.client, 'list_client_services', { client_id: demo.id, status: 'Fraud' });
    expect(none).toMatchObject({ items: [], total: 0, count: 0, has_more: false, next_offset: null });
  });

  it('answers a foreign client like a missing one in client mode, and never lists its services', async () => {
    const foreign = await callError(scoped.client, 'list_client_services', { client_id: euro.id });
    const missing = await callError(scoped.client, 'list_client_services', { client_id: 9_999_999 });
    expect(foreign.code).toBe('not_found');
    expect(withoutId(foreign, euro.id)).toEqual(withoutId(missing, 9_999_999));
    const own = await callOk(scoped.client, 'list_client_services', { client_id: demo.id });
    expect((own.items as ServiceItem[]).every((item) => item.client_id === demo.id)).toBe(true);
  });

  it('refuses bad input naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ client_id: -1 }, 'client_id'],
      [{}, 'client_id'],
      [{ client_id: 1, limit: 0 }, 'limit'],
      [{ client_id: 1, limit: 101 }, 'limit'],
      [{ client_id: 1, status: 'x'.repeat(10_000) }, 'status'],
    ];
    for (const [args, field] of cases) {
      const error = await callError(admin.client, 'list_client_services', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
  });
});
