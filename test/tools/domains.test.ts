import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCents } from '../../src/money.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { parseDomainName, parseTld } from '../../src/tools/domains/domain-name.js';
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

interface DomainItem {
  id: number;
  client_id: number;
  domain: string;
  status: string;
  expiry_date: string | null;
  auto_renew: boolean;
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
}

async function walk<T>(harness: Harness, tool: string, args: Record<string, unknown>, limit: number) {
  const items: T[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = (await callOk(harness.client, tool, { ...args, limit, offset })) as unknown as Page<T>;
    expect(page.count).toBe(page.items.length);
    expect(page.offset).toBe(offset);
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

function withoutId(error: { code: string; message: string; details?: Record<string, unknown> }, id: number) {
  const details = error.details === undefined ? undefined : { ...error.details, id: '<id>' };
  return { ...error, message: error.message.replaceAll(String(id), '<id>'), details };
}

function seededDomain(id: number) {
  return admin.sandbox.state.domains.get(id)!;
}

function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('domain name validation', () => {
  it('accepts ASCII, Unicode and punycode names', () => {
    expect(parseDomainName('Example.COM')).toEqual({ ascii: 'example.com', unicode: 'example.com' });
    expect(parseDomainName('bücher.de')).toEqual({ ascii: 'xn--bcher-kva.de', unicode: 'bücher.de' });
    expect(parseDomainName('xn--bcher-kva.de')).toEqual({ ascii: 'xn--bcher-kva.de', unicode: 'bücher.de' });
    expect(parseDomainName('例え.テスト')).toMatchObject({ ascii: 'xn--r8jz45g.xn--zckzah' });
    expect(parseDomainName(`${'a'.repeat(63)}.com`)).toHaveProperty('ascii');
    expect(parseTld('.co.uk')).toEqual({ ascii: 'co.uk', unicode: 'co.uk' });
  });

  it('refuses junk', () => {
    const junk = [
      'http://example.com',
      'example.com/path',
      'exa mple.com',
      'a..com',
      '-a.com',
      'a-.com',
      'example',
      'ex_ample.com',
      'ab--cd.com',
      'xn--zz.com',
      `${'a'.repeat(64)}.com`,
      `${'abcdefghi.'.repeat(26)}com`,
      'example.c0m',
      '1.2.3.4',
      'exa\u200Bmple.com',
      'exam\u202Eple.com',
      'example.com.',
      '',
    ];
    for (const name of junk) expect(parseDomainName(name), name).toHaveProperty('problem');
  });
});

describe('check_domain_availability', () => {
  it('reports a registered domain as unavailable and a free one as available', async () => {
    const taken = await callOk(admin.client, 'check_domain_availability', {
      domain: seededDomain(demo.domains.active).domainName,
    });
    expect(taken).toMatchObject({ available: false, status: 'unavailable' });
    const free = await callOk(admin.client, 'check_domain_availability', {
      domain: 'Quiet-Harbor-Bakery.com',
    });
    expect(free).toEqual({
      domain: 'quiet-harbor-bakery.com',
      ascii_domain: 'quiet-harbor-bakery.com',
      available: true,
      status: 'available',
    });
  });

  it('checks internationalized names in their punycode form', async () => {
    const result = await callOk(scoped.client, 'check_domain_availability', { domain: 'bücher-laden.de' });
    expect(result).toMatchObject({ domain: 'bücher-laden.de', ascii_domain: 'xn--bcher-laden-thb.de' });
  });

  it('says when WHMCS cannot look a TLD up', async () => {
    const result = await callOk(admin.client, 'check_domain_availability', { domain: 'my-new-store.shop' });
    expect(result).toMatchObject({ available: null, status: 'tld_not_supported' });
  });

  it('refuses junk names as invalid_input naming the field', async () => {
    for (const domain of ['http://x.com', 'a..com', 'nodot', 'x'.repeat(10_000), 42, '']) {
      const error = await callError(admin.client, 'check_domain_availability', { domain });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('domain');
    }
  });
});

describe('get_domain_details', () => {
  it('returns the near-expiry domain with registrar data, exact money and auto-renew', async () => {
    const seeded = seededDomain(demo.domains.nearExpiry);
    const domain = await callOk(admin.client, 'get_domain_details', { domain_id: demo.domains.nearExpiry });
    expect(domain).toMatchObject({
      id: seeded.id,
      client_id: demo.id,
      domain: seeded.domainName,
      status: 'Active',
      registrar: seeded.registrar,
      expiry_date: dayFromToday(demo.nearExpiryDays),
      next_due_date: seeded.nextDueDate,
      recurring_amount: formatCents(seeded.recurringAmount),
      currency: demo.currency,
      auto_renew: !seeded.doNotRenew,
      id_protection: seeded.idProtection,
      nameservers: seeded.nameservers,
      registrar_lock: seeded.locked,
      registrar_lookup_skipped: null,
      partial_errors: [],
    });
    expect(JSON.stringify(domain)).not.toContain(seeded.eppCode || 'no-epp-code');
  });

  it('reports a failed registrar lookup as a partial error and keeps the rest', async () => {
    // The registrar will not report nameservers for an expired domain; the lock status still works.
    const seeded = seededDomain(demo.domains.expired);
    const domain = await callOk(admin.client, 'get_domain_details', { domain_id: demo.domains.expired });
    expect(domain).toMatchObject({ status: 'Expired', auto_renew: false, nameservers: null });
    expect(domain.registrar_lock).toBe(seeded.locked);
    const errors = domain.partial_errors as Array<{ section: string; code: string; message: string }>;
    expect(errors.map((error) => error.section)).toEqual(['nameservers']);
    expect(errors[0]!.message).toMatch(/DomainGetNameservers/);
  });

  it('reports an upstream failure of one lookup as a partial error', async () => {
    admin.sandbox.faults.set({
      next: [{ fault: 'maintenance', action: 'DomainGetLockingStatus', count: 10 }],
    });
    try {
      const domain = await callOk(admin.client, 'get_domain_details', { domain_id: demo.domains.active });
      expect(domain.nameservers).toEqual(seededDomain(demo.domains.active).nameservers);
      expect(domain.registrar_lock).toBeNull();
      const errors = domain.partial_errors as Array<{ section: string; code: string }>;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ section: 'locking_status', code: 'upstream_error' });
    } finally {
      admin.sandbox.faults.clear();
    }
  });

  it('does not ask the registrar about a domain that is not registered yet', async () => {
    const domain = await callOk(admin.client, 'get_domain_details', { domain_id: demo.domains.pending });
    expect(domain).toMatchObject({
      status: 'Pending',
      nameservers: null,
      registrar_lock: null,
      partial_errors: [],
    });
    expect(domain.registrar_lookup_skipped).toEqual(expect.any(String));
  });

  it('answers a foreign domain exactly like a missing one in client mode', async () => {
    const foreign = [...admin.sandbox.state.domains.values()].find((domain) => domain.clientId === euro.id)!;
    const foreignError = await callError(scoped.client, 'get_domain_details', { domain_id: foreign.id });
    const missingError = await callError(scoped.client, 'get_domain_details', { domain_id: 9_999_999 });
    expect(foreignError.code).toBe('not_found');
    expect(withoutId(foreignError, foreign.id)).toEqual(withoutId(missingError, 9_999_999));
    expect(JSON.stringify(foreignError)).not.toContain(foreign.domainName);
  });

  it('refuses bad ids naming the field', async () => {
    for (const domain_id of [-1, 0, 'example.com', 2.5]) {
      const error = await callError(admin.client, 'get_domain_details', { domain_id });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('domain_id');
    }
  });
});

describe('get_tld_pricing', () => {
  it('lists every TLD with exact prices per period, paged', async () => {
    const items = await walk<{ tld: string; register: Array<{ years: number; price: string }> }>(
      admin,
      'get_tld_pricing',
      {},
      3,
    );
    expect(items.map((item) => item.tld).sort()).toEqual([...admin.sandbox.state.tlds.keys()].sort());
    const com = items.find((item) => item.tld === 'com')!;
    const seeded = admin.sandbox.state.tlds.get('com')!;
    expect(com.register).toEqual(
      [...seeded.register].map(([years, cents]) => ({ years, price: formatCents(cents) })),
    );
  });

  it('filters one TLD, with or without the dot, in another currency', async () => {
    const usd = await callOk(admin.client, 'get_tld_pricing', { tld: '.co.uk' });
    expect(usd).toMatchObject({ total: 1, currency: 'USD' });
    const eur = await callOk(scoped.client, 'get_tld_pricing', { tld: 'co.uk', currency: 'eur' });
    expect(eur).toMatchObject({ total: 1, currency: 'EUR' });
    const usdPrice = (usd.items as Array<{ register: Array<{ price: string }> }>)[0]!.register[0]!.price;
    const eurPrice = (eur.items as Array<{ register: Array<{ price: string }> }>)[0]!.register[0]!.price;
    expect(eurPrice).toMatch(/^\d+\.\d{2}$/);
    expect(eurPrice).not.toBe(usdPrice);
    const none = await callOk(admin.client, 'get_tld_pricing', { tld: 'example' });
    expect(none).toMatchObject({ items: [], total: 0, has_more: false });
  });

  it('refuses an unknown currency, a junk TLD and bad paging', async () => {
    const currency = await callError(admin.client, 'get_tld_pricing', { currency: 'XYZ' });
    expect(currency.code).toBe('invalid_input');
    expect(currency.message).toContain('USD');
    for (const [args, field] of [
      [{ tld: 'not a tld' }, 'tld'],
      [{ tld: 'x'.repeat(10_000) }, 'tld'],
      [{ currency: 'dollars' }, 'currency'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
    ] as const) {
      const error = await callError(admin.client, 'get_tld_pricing', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
  });
});

describe('list_client_domains', () => {
  it("walks the demo client's domains", async () => {
    const items = await walk<DomainItem>(admin, 'list_client_domains', { client_id: demo.id }, 3);
    expect(items.map((item) => item.id).sort((a, b) => a - b)).toEqual(
      Object.values(demo.domains).sort((a, b) => a - b),
    );
    expect(items.every((item) => item.client_id === demo.id && item.currency === demo.currency)).toBe(true);
    expect(items.find((item) => item.id === demo.domains.expired)!.auto_renew).toBe(false);
  });

  it('filters by status and by expiry window', async () => {
    const active = await walk<DomainItem>(
      admin,
      'list_client_domains',
      { client_id: demo.id, status: 'Active' },
      1,
    );
    expect(active.map((item) => item.id).sort((a, b) => a - b)).toEqual(
      [demo.domains.nearExpiry, demo.domains.active].sort((a, b) => a - b),
    );
    const soon = await callOk(admin.client, 'list_client_domains', {
      client_id: demo.id,
      expiring_within_days: demo.nearExpiryDays + 1,
    });
    expect((soon.items as DomainItem[]).map((item) => item.id)).toEqual([demo.domains.nearExpiry]);
    expect(soon.total).toBe(1);
    const tooSoon = await callOk(admin.client, 'list_client_domains', {
      client_id: demo.id,
      expiring_within_days: demo.nearExpiryDays - 2,
    });
    expect(tooSoon).toMatchObject({ items: [], total: 0 });
    const expiredSoon = await callOk(admin.client, 'list_client_domains', {
      client_id: demo.id,
      status: 'Expired',
      expiring_within_days: 365,
    });
    // An already expired domain is not "expiring".
    expect(expiredSoon.total).toBe(0);
  });

  it('answers a foreign client like a missing one in client mode', async () => {
    const foreign = await callError(scoped.client, 'list_client_domains', { client_id: euro.id });
    const missing = await callError(scoped.client, 'list_client_domains', { client_id: 9_999_999 });
    expect(foreign.code).toBe('not_found');
    expect(withoutId(foreign, euro.id)).toEqual(withoutId(missing, 9_999_999));
    const own = await callOk(scoped.client, 'list_client_domains', { client_id: demo.id });
    expect((own.items as DomainItem[]).every((item) => item.client_id === demo.id)).toBe(true);
  });

  it('refuses bad input naming the field', async () => {
    for (const [args, field] of [
      [{ client_id: 0 }, 'client_id'],
      [{ client_id: demo.id, status: 'Gone' }, 'status'],
      [{ client_id: demo.id, status: 'x'.repeat(10_000) }, 'status'],
      [{ client_id: demo.id, expiring_within_days: -1 }, 'expiring_within_days'],
      [{ client_id: demo.id, expiring_within_days: 100_000 }, 'expiring_within_days'],
      [{ client_id: demo.id, limit: 101 }, 'limit'],
      [{ client_id: demo.id, limit: 0 }, 'limit'],
    ] as const) {
      const error = await callError(admin.client, 'list_client_domains', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
  });
});

describe('the domains toolset', () => {
  it('ships no domain sync tool: WHMCS has no API to start one', async () => {
    const { tools } = await admin.client.listTools();
    expect(tools.map((tool) => tool.name).filter((name) => /sync/i.test(name))).toEqual([]);
  });
});
