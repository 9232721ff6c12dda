import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCents, sumCents } from '../../src/money.js';
import {
  asList,
  normalizeReply,
  replyShapeFor,
  toBool,
  toDate,
  toDecimalString,
  toInt,
  toMoney,
} from '../../src/whmcs/normalize.js';
import type { ReplyFieldKind, ReplyShape } from '../../src/whmcs/normalize.js';

type Reply = Record<string, unknown>;

interface CatalogEntry {
  response: Array<{ name: string; type: string }>;
}

const FIXTURES_DIR = new URL('../fixtures/whmcs/', import.meta.url);
const catalog = JSON.parse(
  readFileSync(new URL('../../data/whmcs-catalog.json', import.meta.url), 'utf8'),
) as {
  actions: Record<string, CatalogEntry>;
};
const fixtureActions = readdirSync(FIXTURES_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

function fixture(action: string): Reply {
  return JSON.parse(readFileSync(new URL(`${action}.json`, FIXTURES_DIR), 'utf8')) as Reply;
}

function isRecord(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a path like `products.0.configoptions` out of a normalized reply. */
function at(reply: unknown, path: string): unknown {
  let node = reply;
  for (const step of path.split('.')) {
    if (Array.isArray(node)) node = node[Number(step)];
    else if (isRecord(node)) node = node[step];
    else return undefined;
  }
  return node;
}

const MONEY = /^-?\d+\.\d{2}$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$/;
const ZERO_DATES = new Set(['0000-00-00', '0000-00-00 00:00:00']);

function kindProblem(kind: ReplyFieldKind, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  switch (kind) {
    case 'int':
      return value === null || Number.isSafeInteger(value) ? undefined : 'not an integer';
    case 'money':
      return value === null || (typeof value === 'string' && MONEY.test(value)) ? undefined : 'not money';
    case 'decimal':
      return value === null || (typeof value === 'string' && DECIMAL.test(value))
        ? undefined
        : 'not a decimal';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'not a boolean';
    case 'date':
      return value === null || (typeof value === 'string' && DATE.test(value)) ? undefined : 'not a date';
  }
}

interface ShapeReport {
  problems: string[];
  /** Wrapped lists found as arrays, by shape path (`products[].configoptions`). */
  wrappers: Set<string>;
}

/** Every wrapped list a shape declares, by shape path. */
function declaredWrappers(shape: ReplyShape, path = ''): string[] {
  return [
    ...Object.entries(shape.lists ?? {}).flatMap(([name, list]) => [
      ...(list.wrapper === null ? [] : [path + name]),
      ...(list.item ? declaredWrappers(list.item, `${path}${name}[].`) : []),
    ]),
    ...Object.entries(shape.objects ?? {}).flatMap(([name, child]) =>
      declaredWrappers(child, `${path}${name}.`),
    ),
    ...Object.entries(shape.maps ?? {}).flatMap(([name, map]) =>
      map.entry ? declaredWrappers(map.entry, `${path}${name}{}.`) : [],
    ),
  ];
}

/** Walks a normalized record against its shape and reports every field that breaks its kind. */
function checkShape(
  record: Reply,
  shape: ReplyShape,
  path: string,
  report: ShapeReport,
  shapePath = '',
): void {
  for (const [name, kind] of Object.entries(shape.fields ?? {})) {
    const problem = kindProblem(kind, record[name]);
    if (problem) report.problems.push(`${path}${name}: ${problem} (${JSON.stringify(record[name])})`);
  }
  for (const [name, list] of Object.entries(shape.lists ?? {})) {
    const value = record[name];
    if (!Array.isArray(value)) {
      report.problems.push(`${path}${name}: not an array`);
      continue;
    }
    if (list.wrapper !== null) report.wrappers.add(shapePath + name);
    value.forEach((item, index) => {
      if (list.item && isRecord(item)) {
        checkShape(item, list.item, `${path}${name}.${index}.`, report, `${shapePath}${name}[].`);
      }
    });
  }
  for (const [name, child] of Object.entries(shape.objects ?? {})) {
    const value = record[name];
    if (isRecord(value)) checkShape(value, child, `${path}${name}.`, report, `${shapePath}${name}.`);
  }
  for (const [name, map] of Object.entries(shape.maps ?? {})) {
    const value = record[name];
    if (!isRecord(value)) continue;
    for (const [key, entry] of Object.entries(value)) {
      if (map.entry && isRecord(entry)) {
        checkShape(entry, map.entry, `${path}${name}.${key}.`, report, `${shapePath}${name}{}.`);
      }
      if (map.value) {
        const problem = kindProblem(map.value, entry);
        if (problem) report.problems.push(`${path}${name}.${key}: ${problem}`);
      }
    }
  }
}

function zeroDatesIn(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return ZERO_DATES.has(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => zeroDatesIn(item, `${path}.${index}`));
  if (isRecord(value))
    return Object.entries(value).flatMap(([key, item]) => zeroDatesIn(item, `${path}.${key}`));
  return [];
}

describe('normalizeReply on every official example reply', () => {
  it('has a committed fixture for each of the 162 catalog actions', () => {
    expect(fixtureActions).toHaveLength(162);
    expect(fixtureActions).toEqual(Object.keys(catalog.actions).sort());
  });

  const wrappersReached = new Set<string>();

  describe.each(fixtureActions)('%s', (action) => {
    const raw = fixture(action);
    const before = structuredClone(raw);
    const normalized = normalizeReply(action, raw);
    const shape = replyShapeFor(action) ?? {};

    it('normalizes without changing its input', () => {
      expect(raw).toStrictEqual(before);
      expect(isRecord(normalized)).toBe(true);
    });

    it('gives every list an array and every classified field its kind', () => {
      const report: ShapeReport = { problems: [], wrappers: new Set() };
      checkShape(normalized, shape, '', report);
      expect(report.problems).toEqual([]);
      for (const wrapper of report.wrappers) wrappersReached.add(`${action}: ${wrapper}`);
    });

    it('turns documented ints into numbers and documented bools into booleans', () => {
      for (const field of catalog.actions[action]!.response) {
        const value = normalized[field.name];
        if (value === undefined || value === null || typeof value === 'object') continue;
        if (field.type === 'int')
          expect(Number.isSafeInteger(value), `${field.name}=${String(value)}`).toBe(true);
        if (field.type === 'bool') expect(typeof value, field.name).toBe('boolean');
        if (field.type === 'float' && typeof value === 'string' && /^-?[\d.]+$/.test(value)) {
          expect(value, field.name).toMatch(DECIMAL);
        }
      }
    });

    it('leaves no 0000-00-00 date anywhere', () => {
      expect(zeroDatesIn(normalized)).toEqual([]);
    });

    it('is idempotent', () => {
      expect(normalizeReply(action, normalized)).toStrictEqual(normalized);
    });
  });

  it('found every declared list wrapper as an array in the examples', () => {
    const declared = fixtureActions.flatMap((action) =>
      declaredWrappers(replyShapeFor(action) ?? {}).map((wrapper) => `${action}: ${wrapper}`),
    );
    expect(declared.length).toBeGreaterThanOrEqual(34);
    expect([...wrappersReached].sort()).toEqual(declared.sort());
  });
});

describe('empty and single-item lists', () => {
  const emptyForms: Array<[string, unknown]> = [
    ['""', ''],
    ['{}', {}],
    ['[]', []],
    ['null', null],
    ['false', false],
    ['{"client":""}', { client: '' }],
    ['{"client":{}}', { client: {} }],
    ['{"client":[]}', { client: [] }],
  ];

  it.each(emptyForms)('reads clients: %s as an empty list', (_label, clients) => {
    const reply = normalizeReply('GetClients', {
      result: 'success',
      totalresults: '0',
      startnumber: 0,
      numreturned: 0,
      clients,
    });
    expect(reply.clients).toEqual([]);
    expect(reply.totalresults).toBe(0);
  });

  it('adds an empty list when WHMCS leaves the wrapper out', () => {
    const reply = normalizeReply('GetClients', { result: 'success', totalresults: 0, numreturned: 0 });
    expect(reply.clients).toEqual([]);
    const invoices = normalizeReply('GetInvoices', { result: 'success', totalresults: '0' });
    expect(invoices.invoices).toEqual([]);
  });

  it('reads a single item sent as an object as a one-element list', () => {
    const reply = normalizeReply('GetClients', {
      result: 'success',
      totalresults: '1',
      clients: { client: { id: '7', firstname: 'Ana', datecreated: '2016-01-15', groupid: '0' } },
    });
    expect(reply.clients).toEqual([{ id: 7, firstname: 'Ana', datecreated: '2016-01-15', groupid: 0 }]);
  });

  it('reads a single record sent without its wrapper as a one-element list', () => {
    const reply = normalizeReply('GetClients', { result: 'success', clients: { id: '7', firstname: 'Ana' } });
    expect(reply.clients).toEqual([{ id: 7, firstname: 'Ana' }]);
  });

  it('reads a list PHP sent as an object with index keys, in index order', () => {
    const reply = normalizeReply('GetClients', {
      result: 'success',
      clients: { client: { '10': { id: '3' }, '2': { id: '2' }, '0': { id: '1' } } },
    });
    expect(reply.clients).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('keeps plain documented arrays as arrays and fills their empty forms', () => {
    expect(normalizeReply('GetUsers', { result: 'success', users: '' }).users).toEqual([]);
    expect(
      normalizeReply('GetUsers', { result: 'success', users: { id: '4', email: 'a@b.c' } }).users,
    ).toEqual([{ id: 4, email: 'a@b.c', clients: [] }]);
  });

  it('unwraps a list documented as plain when WHMCS sends it wrapped', () => {
    const reply = normalizeReply('GetClientsDetails', {
      result: 'success',
      client: { id: '1', customfields: { customfield: [{ id: '3', value: '007' }] } },
    });
    expect(at(reply, 'client.customfields')).toEqual([{ id: 3, value: '007' }]);
  });

  it('leaves lists of other actions alone when it does not know the action', () => {
    const reply = normalizeReply('SomeAddonAction', { result: 'success', things: { thing: [{ id: '1' }] } });
    expect(reply.things).toEqual({ thing: [{ id: '1' }] });
  });
});

describe('numbers, money, flags and dates', () => {
  it('reads totalresults "2" beside numreturned 2 as the same number', () => {
    const reply = normalizeReply('GetInvoices', {
      result: 'success',
      totalresults: '2',
      startnumber: '0',
      numreturned: 2,
      invoices: { invoice: [{ id: '1' }, { id: 2 }] },
    });
    expect(reply.totalresults).toBe(2);
    expect(reply.startnumber).toBe(0);
    expect(reply.numreturned).toBe(2);
    expect(at(reply, 'invoices.0.id')).toBe(1);
    expect(at(reply, 'invoices.1.id')).toBe(2);
  });

  it('applies the paging counts to actions it does not know', () => {
    const reply = normalizeReply('SomeAddonAction', { result: 'success', totalresults: '12', count: ' 3 ' });
    expect(reply).toEqual({ result: 'success', totalresults: 12, count: 3 });
  });

  it('keeps money exact as two-place decimal strings', () => {
    const reply = normalizeReply('GetInvoice', {
      result: 'success',
      invoiceid: '1',
      subtotal: '15.95',
      credit: 0.1,
      tax: 0.2,
      tax2: '0',
      total: '15.9',
      balance: '-1.00',
      taxrate: '19.500',
      taxrate2: 7.25,
    });
    expect(reply.subtotal).toBe('15.95');
    expect(reply.credit).toBe('0.10');
    expect(reply.tax).toBe('0.20');
    expect(reply.tax2).toBe('0.00');
    expect(reply.total).toBe('15.90');
    expect(reply.balance).toBe('-1.00');
    // Rates keep their precision, as strings.
    expect(reply.taxrate).toBe('19.500');
    expect(reply.taxrate2).toBe('7.25');
    // 0.1 + 0.2 is exactly 0.30 once the amounts are strings summed as cents.
    const cents = [reply.credit, reply.tax].map((amount) => parseCents(amount) ?? 0n);
    expect(sumCents(cents)).toBe(30n);
  });

  it('never rounds an amount with more places than money has', () => {
    const reply = normalizeReply('GetInvoice', {
      result: 'success',
      total: '0.005',
      subtotal: 0.30000000000000004,
    });
    expect(reply.total).toBe('0.005');
    expect(reply.subtotal).toBe('0.30000000000000004');
  });

  it('keeps nested money and rates exact', () => {
    const reply = normalizeReply('GetTransactions', {
      result: 'success',
      transactions: {
        transaction: { id: '10', amountin: 45.9, fees: '0.00', rate: '1.00000', transid: '0042' },
      },
    });
    expect(at(reply, 'transactions.0')).toEqual({
      id: 10,
      amountin: '45.90',
      fees: '0.00',
      rate: '1.00000',
      transid: '0042',
    });
  });

  it('keeps formatted amounts WHMCS sends as text', () => {
    const reply = normalizeReply('GetStats', {
      result: 'success',
      income_today: '$5.95 USD',
      orders_pending: '7',
    });
    expect(reply.income_today).toBe('$5.95 USD');
    expect(reply.orders_pending).toBe(7);
  });

  it('reads flags in every form WHMCS sends', () => {
    const client = (fields: Reply): Reply =>
      normalizeReply('GetClientsDetails', { result: 'success', client: fields }).client as Reply;
    expect(
      client({ taxexempt: '1', emailoptout: '0', separateinvoices: 'on', disableautocc: '' }),
    ).toMatchObject({
      taxexempt: true,
      emailoptout: false,
      separateinvoices: true,
      disableautocc: false,
    });
    expect(
      client({ taxexempt: 1, emailoptout: 0, latefeeoveride: 'true', overideduenotices: 'false' }),
    ).toMatchObject({
      taxexempt: true,
      emailoptout: false,
      latefeeoveride: true,
      overideduenotices: false,
    });
    const groups = normalizeReply('GetClientGroups', {
      result: 'success',
      groups: { group: [{ id: '1', susptermexempt: 'on', separateinvoices: '' }] },
    });
    expect(at(groups, 'groups.0')).toEqual({ id: 1, susptermexempt: true, separateinvoices: false });
    expect(
      normalizeReply('ValidateLogin', { result: 'success', userid: '3', twoFactorEnabled: 'false' }),
    ).toEqual({
      result: 'success',
      userid: 3,
      twoFactorEnabled: false,
    });
  });

  it('turns zero dates into null anywhere and keeps real dates', () => {
    const reply = normalizeReply('GetInvoice', {
      result: 'success',
      date: '2016-01-01',
      datepaid: '0000-00-00 00:00:00',
      duedate: '0000-00-00',
      lastcaptureattempt: '',
      notes: '0000-00-00',
    });
    expect(reply.date).toBe('2016-01-01');
    expect(reply.datepaid).toBeNull();
    expect(reply.duedate).toBeNull();
    expect(reply.lastcaptureattempt).toBeNull();
    expect(reply.notes).toBeNull();
    const unknown = normalizeReply('SomeAddonAction', {
      result: 'success',
      entries: [{ when: '0000-00-00 00:00:00', note: 'kept' }],
    });
    expect(unknown.entries).toEqual([{ when: null, note: 'kept' }]);
  });

  it('never turns phone numbers, postcodes or reference numbers into numbers', () => {
    const details = normalizeReply('GetClientsDetails', {
      result: 'success',
      client: { id: '1', phonenumber: '01234567890', postcode: '02134', phonecc: '44', tax_id: '0123' },
    });
    expect(details.client).toMatchObject({
      id: 1,
      phonenumber: '01234567890',
      postcode: '02134',
      phonecc: '44',
      tax_id: '0123',
    });
    const invoice = normalizeReply('GetInvoice', { result: 'success', invoiceid: '5', invoicenum: '000123' });
    expect(invoice.invoicenum).toBe('000123');
    const ticket = normalizeReply('GetTicket', { result: 'success', ticketid: '9', tid: '016757' });
    expect(ticket.tid).toBe('016757');
    expect(ticket.ticketid).toBe(9);
    const products = normalizeReply('GetClientsProducts', {
      result: 'success',
      products: { product: { id: '1', ordernumber: '0456789' } },
    });
    expect(at(products, 'products.0.ordernumber')).toBe('0456789');
    const unknown = normalizeReply('SomeAddonAction', {
      result: 'success',
      phonenumber: '0044123',
      zip: '00501',
    });
    expect(unknown).toEqual({ result: 'success', phonenumber: '0044123', zip: '00501' });
  });
});

describe('action shapes', () => {
  it('GetClientsProducts: nested customfields and configoptions in every product', () => {
    const reply = normalizeReply('GetClientsProducts', {
      result: 'success',
      clientid: '1',
      serviceid: null,
      totalresults: '3',
      startnumber: 0,
      numreturned: 3,
      products: {
        product: [
          {
            id: '1',
            qty: '2',
            recurringamount: '12.95',
            nextduedate: '0000-00-00',
            customfields: { customfield: { id: '4', name: 'Site', value: '0012' } },
            configoptions: { configoption: [{ id: '1', option: 'Disk', type: 'quantity', value: '10' }] },
          },
          { id: '2', customfields: '', configoptions: { configoption: [] } },
          { id: '3' },
        ],
      },
    });
    expect(reply.clientid).toBe(1);
    expect(reply.serviceid).toBeNull();
    expect(reply.totalresults).toBe(3);
    expect(at(reply, 'products.0')).toMatchObject({
      id: 1,
      qty: 2,
      recurringamount: '12.95',
      nextduedate: null,
    });
    // The example's customfield list is empty, so its items have no known fields: kept as sent.
    expect(at(reply, 'products.0.customfields')).toEqual([{ id: '4', name: 'Site', value: '0012' }]);
    expect(at(reply, 'products.0.configoptions')).toEqual([
      { id: 1, option: 'Disk', type: 'quantity', value: '10' },
    ]);
    expect(at(reply, 'products.1.customfields')).toEqual([]);
    expect(at(reply, 'products.1.configoptions')).toEqual([]);
    expect(at(reply, 'products.2.customfields')).toEqual([]);
    expect(at(reply, 'products.2.configoptions')).toEqual([]);
  });

  it('GetInvoice: transactions "" is an empty list, items unwrap', () => {
    const reply = normalizeReply('GetInvoice', fixture('GetInvoice'));
    expect(reply.transactions).toEqual([]);
    expect(reply.items).toEqual([
      {
        id: 1,
        type: 'Hosting',
        relid: 1,
        description: 'Sample Monthly Product (01/01/2016 - 31/01/2016)',
        amount: '15.95',
        taxed: 0,
      },
    ]);
    expect(reply.datepaid).toBeNull();
    expect(reply.ccgateway).toBe(false);
    const paid = normalizeReply('GetInvoice', {
      result: 'success',
      transactions: { transaction: { id: '3', amountin: '15.95', transid: 'ch_1' } },
    });
    expect(paid.transactions).toEqual([{ id: '3', amountin: '15.95', transid: 'ch_1' }]);
  });

  it('GetTicket: replies and notes are lists of typed records', () => {
    const reply = normalizeReply('GetTicket', fixture('GetTicket'));
    const replies = reply.replies as Reply[];
    expect(replies).toHaveLength(3);
    expect(replies.map((entry) => entry.replyid)).toEqual([0, 1, 2]);
    expect(replies[0]).toMatchObject({
      userid: 1,
      contactid: 0,
      attachments_removed: true,
      date: '2016-01-01 06:26:29',
    });
    expect(reply.notes).toEqual([
      {
        noteid: 1,
        date: '2016-01-01 06:26:42',
        message: 'This is a ticket note',
        attachment: '',
        attachments: [[]],
        attachments_removed: false,
        admin: 'Demo Admin',
      },
    ]);
    expect(reply).toMatchObject({ ticketid: 1, deptid: 1, userid: 1, flag: 0, tid: '516757', c: 'KPqH7yG3' });

    const single = normalizeReply('GetTicket', {
      result: 'success',
      replies: { reply: { replyid: '4', attachments_removed: '0', attachments: '' } },
      notes: '',
    });
    expect(single.replies).toEqual([{ replyid: 4, attachments_removed: false, attachments: [] }]);
    expect(single.notes).toEqual([]);
  });

  it('GetClientsDetails: typed fields under client and stats', () => {
    const reply = normalizeReply('GetClientsDetails', {
      result: 'success',
      client: {
        id: '42',
        userid: '42',
        credit: '10',
        taxexempt: '0',
        users: { user: { id: '5', name: 'Owner', is_owner: '1' } },
        customfields: '',
        email_preferences: { general: '1' },
      },
      stats: { numdueinvoices: '19', dueinvoicesbalance: '$2645.80 USD', incredit: '1' },
    });
    expect(reply.client).toEqual({
      id: 42,
      userid: 42,
      credit: '10.00',
      taxexempt: false,
      users: [{ id: 5, name: 'Owner', is_owner: true }],
      customfields: [],
      email_preferences: { general: '1' },
    });
    expect(reply.stats).toEqual({ numdueinvoices: 19, dueinvoicesbalance: '$2645.80 USD', incredit: true });
    expect(normalizeReply('GetClientsDetails', { result: 'success', client: {}, stats: [] }).stats).toEqual(
      {},
    );
  });

  it('reads flattened-notation replies as nested lists', () => {
    const reply = normalizeReply('GetClientsDomains', fixture('GetClientsDomains'));
    const domains = reply.domains as Reply[];
    expect(domains).toHaveLength(2);
    expect(domains[0]).toMatchObject({
      id: 1,
      userid: 1,
      domainname: 'whmcs.rocks',
      recurringamount: '12.95',
    });
    expect(reply.domainid).toBeNull();
    expect(Object.keys(reply).some((key) => key.includes('['))).toBe(false);

    const project = normalizeReply('GetProject', fixture('GetProject'));
    expect(at(project, 'tasks.0.timelogs.0.taskid')).toBe(1);
    expect(at(project, 'tasks.1.timelogs')).toEqual([]);
    expect(at(project, 'tasks.0.duedate')).toBeNull();
    expect(at(project, 'projectinfo.attachments')).toBe('>');
  });

  it('keys maps by data: TLD pricing, product pricing per currency', () => {
    const reply = normalizeReply('GetTLDPricing', {
      result: 'success',
      currency: { id: '1', code: 'EUR', rate: '1.10000' },
      pricing: { 'co.uk': { register: { '1': 9.5, '2': '18.00' }, addons: { dns: '1' }, categories: '' } },
    });
    expect(reply.currency).toEqual({ id: 1, code: 'EUR', rate: '1.10000' });
    expect((reply.pricing as Reply)['co.uk']).toEqual({
      register: { '1': '9.50', '2': '18.00' },
      addons: { dns: true },
      categories: [],
    });
  });

  it('looks actions up without regard to case, as WHMCS does', () => {
    expect(normalizeReply('getclients', { result: 'success', clients: '' }).clients).toEqual([]);
  });
});

describe('odd input', () => {
  it('keeps a field of an unexpected type rather than failing', () => {
    const odd = {
      result: 'success',
      invoiceid: 'abc',
      total: { amount: '1.00' },
      ccgateway: 'maybe',
      date: 20160101,
      items: 7,
      transactions: 'none',
    };
    const reply = normalizeReply('GetInvoice', odd);
    expect(reply).toEqual({
      result: 'success',
      invoiceid: 'abc',
      total: { amount: '1.00' },
      ccgateway: 'maybe',
      date: 20160101,
      items: [7],
      transactions: ['none'],
    });
    expect(normalizeReply('GetInvoice', reply)).toStrictEqual(reply);
  });

  it('reads a reply sent as [] as an empty reply and passes other non-objects through', () => {
    expect(normalizeReply('GetClients', [] as unknown as Reply)).toEqual({ clients: [] });
    expect(normalizeReply('GetClients', 'oops' as unknown as Reply)).toBe('oops');
  });

  it('never lets a key reach the object prototype', () => {
    const raw = JSON.parse(
      '{"result":"success","__proto__":{"polluted":true},"a[__proto__][polluted]":"1"}',
    ) as Reply;
    const reply = normalizeReply('SomeAddonAction', raw);
    expect(({} as Reply).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(reply)).toBe(Object.prototype);
    expect(Object.hasOwn(reply, '__proto__')).toBe(true);
    expect(reply['a[__proto__][polluted]']).toBe('1');
  });

  it('keeps a flattened key that collides with a plain field', () => {
    const reply = normalizeReply('SomeAddonAction', { result: 'success', note: 'text', 'note[extra]': 'x' });
    expect(reply).toEqual({ result: 'success', note: 'text', 'note[extra]': 'x' });
  });
});

describe('coercion helpers', () => {
  it('asList', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList(null)).toEqual([]);
    expect(asList('')).toEqual([]);
    expect(asList({})).toEqual([]);
    expect(asList({ id: 1 })).toEqual([{ id: 1 }]);
    const list = [{ id: 1 }];
    expect(asList(list)).toBe(list);
    expect(asList({ '1': 'b', '0': 'a' })).toEqual(['a', 'b']);
  });

  it('toInt', () => {
    expect(toInt(5)).toBe(5);
    expect(toInt('42')).toBe(42);
    expect(toInt(' -7 ')).toBe(-7);
    expect(toInt('4.5')).toBeUndefined();
    expect(toInt(4.5)).toBeUndefined();
    expect(toInt('')).toBeUndefined();
    expect(toInt('12abc')).toBeUndefined();
    expect(toInt('99999999999999999999')).toBeUndefined();
    expect(toInt(null)).toBeUndefined();
  });

  it('toBool', () => {
    for (const value of [true, 1, '1', 'true', 'on', 'yes', 'TRUE']) expect(toBool(value)).toBe(true);
    for (const value of [false, 0, '0', 'false', 'off', 'no', '']) expect(toBool(value)).toBe(false);
    for (const value of [null, undefined, 2, 'maybe', {}]) expect(toBool(value)).toBeUndefined();
  });

  it('toDate', () => {
    expect(toDate('2016-01-01')).toBe('2016-01-01');
    expect(toDate('2016-01-01 06:26:29')).toBe('2016-01-01 06:26:29');
    expect(toDate('0000-00-00')).toBeNull();
    expect(toDate('0000-00-00 00:00:00')).toBeNull();
    expect(toDate('')).toBeNull();
    expect(toDate(null)).toBeNull();
    expect(toDate(20160101)).toBeNull();
  });

  it('toMoney', () => {
    expect(toMoney('15.95')).toBe('15.95');
    expect(toMoney(15.95)).toBe('15.95');
    expect(toMoney('7')).toBe('7.00');
    expect(toMoney(0.1)).toBe('0.10');
    expect(toMoney('-1.5')).toBe('-1.50');
    expect(toMoney('$5.95 USD')).toBeUndefined();
    expect(toMoney('')).toBeUndefined();
    expect(toMoney(null)).toBeUndefined();
  });

  it('toDecimalString', () => {
    expect(toDecimalString('1.00000')).toBe('1.00000');
    expect(toDecimalString('0.000')).toBe('0.000');
    expect(toDecimalString(0.1)).toBe('0.1');
    expect(toDecimalString('+007.50')).toBe('7.50');
    expect(toDecimalString('.5')).toBe('0.5');
    expect(toDecimalString('-2')).toBe('-2');
    expect(toDecimalString('1e5')).toBeUndefined();
    expect(toDecimalString(1e21)).toBeUndefined();
    expect(toDecimalString('')).toBeUndefined();
    expect(toDecimalString('abc')).toBeUndefined();
  });
});
