/**
 * Reply-shape conformance: every emulated action is called through the real HTTP sandbox with valid
 * parameters from the seed, and its reply is compared key by key, recursively, with the official
 * example reply in data/whmcs-catalog.json. Every key of the example must be present with the same
 * JSON type; keys the example does not show are listed as extras, not failures.
 *
 * Rules for what the documentation cannot show exactly (each one applies to every action):
 * - Examples written with flattened keys (`domains[domain][0][id]`) are unflattened first: WHMCS
 *   sends nested JSON, the documentation printed it the way PHP's http_build_query would.
 * - An example `null` means "no value in the documented record"; any value is accepted there.
 * - The placeholder string "...." (GetAutomationLog statistics) stands for elided data: any value.
 * - Arrays: each element is compared with the example element it fits best (the examples list
 *   records with different optional keys, e.g. GetTicket's opening message has no rating, bank
 *   accounts have bank_name where cards have card fields); an empty example array checks nothing.
 * - A PHP empty array `[]` is accepted where the example has an object: PHP cannot tell them apart.
 * - Objects keyed by data (TLDs, currency codes, dates, years) are compared as maps: each entry
 *   against the example's first entry (MAP_PATHS).
 * Where the example shows fields that only some records have, the sandbox sends them on every
 * record (e.g. `ordernumber` in GetClientsProducts), so every record passes the strictest reading.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATED_ACTIONS } from '../../src/sandbox/actions/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_BASE_DATE, SEED_FACTS } from '../../src/sandbox/seed.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface CatalogEntry {
  exampleResponse: Json;
}

const catalog = JSON.parse(
  readFileSync(new URL('../../data/whmcs-catalog.json', import.meta.url), 'utf8'),
) as {
  actions: Record<string, CatalogEntry>;
};

const F = SEED_FACTS;
const demo = F.demoClient;

/** Calls in order: reads first, then writes arranged so none undoes the precondition of a later one. */
const CALLS: readonly [action: string, params: Record<string, string | number>][] = [
  ['GetClients', {}],
  ['GetClientsDetails', { clientid: demo.id, stats: 'true' }],
  ['GetContacts', { userid: demo.id }],
  ['GetUsers', {}],
  ['GetClientsProducts', { clientid: demo.id }],
  ['GetClientsDomains', { clientid: demo.id }],
  ['GetClientsAddons', { clientid: demo.id }],
  ['GetInvoices', { userid: demo.id }],
  ['GetInvoice', { invoiceid: demo.invoices.unpaid }],
  ['GetCredits', { clientid: demo.id }],
  ['GetTransactions', { clientid: demo.id }],
  ['GetPayMethods', { clientid: demo.id }],
  ['GetOrders', { userid: demo.id }],
  ['GetOrderStatuses', {}],
  ['GetPromotions', {}],
  ['GetProducts', {}],
  ['GetQuotes', {}],
  ['DomainWhois', { domain: 'lindqvistdesign.com' }],
  ['DomainGetNameservers', { domainid: demo.domains.active }],
  ['DomainGetLockingStatus', { domainid: demo.domains.active }],
  ['GetTLDPricing', {}],
  ['GetTickets', {}],
  ['GetTicket', { ticketid: demo.tickets.customerReply }],
  ['GetSupportDepartments', {}],
  ['GetSupportStatuses', {}],
  ['GetTicketCounts', { includeCountsByStatus: 'true' }],
  ['GetActivityLog', {}],
  ['GetStats', { timeline_days: 7 }],
  ['GetToDoItems', {}],
  ['GetAutomationLog', {}],
  ['GetCurrencies', {}],
  ['GetPaymentMethods', {}],
  ['GetServers', {}],
  ['GetHealthStatus', {}],
  ['WhmcsDetails', {}],
  ['GetAdminDetails', {}],
  ['GetEmailTemplates', {}],
  [
    'AddClient',
    {
      firstname: 'Conformance',
      lastname: 'Tester',
      email: 'conformance.tester@example.org',
      address1: '1 Test Street',
      city: 'Leeds',
      state: 'West Yorkshire',
      postcode: 'LS1 4DY',
      country: 'GB',
      phonenumber: '0113 555 0100',
      password2: 'correct horse battery staple',
    },
  ],
  ['UpdateClient', { clientid: demo.id, companyname: 'Lindqvist Design AB' }],
  ['CloseClient', { clientid: F.inactiveClient.id }],
  ['AddClientNote', { userid: demo.id, notes: 'Conformance run' }],
  ['CreateInvoice', { userid: demo.id, itemdescription1: 'Consulting', itemamount1: '10.00' }],
  ['UpdateInvoice', { invoiceid: demo.invoices.draft, notes: 'Updated by the conformance run' }],
  [
    'AddInvoicePayment',
    {
      invoiceid: demo.invoices.unpaid,
      transid: 'conformance-1',
      gateway: 'stripe',
      date: '2025-06-15 10:00:00',
      amount: '1.00',
    },
  ],
  ['ApplyCredit', { invoiceid: demo.invoices.overdue, amount: '5.00' }],
  ['CapturePayment', { invoiceid: demo.invoices.pendingOrder }],
  ['AddCredit', { clientid: demo.id, description: 'Conformance credit', amount: '10.00' }],
  [
    'AddTransaction',
    { paymentmethod: 'stripe', userid: demo.id, transid: 'conformance-2', amountin: '1.00' },
  ],
  [
    'AddOrder',
    {
      clientid: demo.id,
      paymentmethod: 'stripe',
      'pid[0]': 1,
      'domain[0]': 'conformance-example.com',
      'billingcycle[0]': 'monthly',
    },
  ],
  // Register the pending order's domain before AcceptOrder activates the rest of that order.
  ['DomainRegister', { domainid: demo.domains.pending }],
  ['AcceptOrder', { orderid: demo.orders.pending }],
  ['PendingOrder', { orderid: F.euroClient.cancelledOrderId }],
  ['CancelOrder', { orderid: F.euroClient.cancelledOrderId }],
  ['FraudOrder', { orderid: F.fraudOrder.orderId }],
  ['ModuleCreate', { serviceid: demo.services.terminated }],
  ['ModuleSuspend', { serviceid: demo.services.active, suspendreason: 'Conformance run' }],
  ['ModuleUnsuspend', { serviceid: demo.services.suspended }],
  ['ModuleTerminate', { serviceid: demo.services.active }],
  ['UpdateClientProduct', { serviceid: demo.services.active, notes: 'Conformance run' }],
  ['DomainRenew', { domainid: demo.domains.nearExpiry, regperiod: 1 }],
  ['DomainTransfer', { domainid: demo.domains.expired }],
  [
    'DomainUpdateNameservers',
    { domainid: demo.domains.active, ns1: 'ns1.example.net', ns2: 'ns2.example.net' },
  ],
  ['DomainUpdateLockingStatus', { domainid: demo.domains.active, lockstatus: 1 }],
  ['UpdateClientDomain', { domainid: demo.domains.active, notes: 'Conformance run' }],
  [
    'OpenTicket',
    { deptid: F.departments.technical, subject: 'Conformance', message: 'Hello', clientid: demo.id },
  ],
  ['AddTicketReply', { ticketid: demo.tickets.answered, message: 'Thanks' }],
  ['AddTicketNote', { ticketid: demo.tickets.answered, message: 'Internal note' }],
  ['UpdateTicket', { ticketid: demo.tickets.answered, priority: 'High' }],
  ['LogActivity', { description: 'Conformance run' }],
  ['SendEmail', { messagename: 'Invoice Created', id: demo.invoices.unpaid }],
];

/** Objects whose keys are data, not field names; `[]` marks an array element, `*` any map key. */
const MAP_PATHS = new Set([
  'GetTLDPricing:pricing',
  'GetTLDPricing:pricing.*.register',
  'GetTLDPricing:pricing.*.transfer',
  'GetTLDPricing:pricing.*.renew',
  'GetProducts:products.product[].pricing',
  'GetProducts:products.product[].configoptions.configoption[].options.option[].pricing',
  'GetStats:timeline_data.new_orders',
  'GetStats:timeline_data.accepted_orders',
  'GetStats:timeline_data.income',
  'GetStats:timeline_data.expenditure',
  'GetStats:timeline_data.new_tickets',
  'GetAutomationLog:statistics',
]);

const PLACEHOLDER = '....';

/** `a[b][0][c]` keys -> nested objects, with consecutive numeric keys turned into arrays. */
function unflatten(example: Json): Json {
  if (example === null || typeof example !== 'object' || Array.isArray(example)) return example;
  if (!Object.keys(example).some((key) => key.includes('['))) return example;
  const root: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(example)) {
    const segments = key.replace(/\]/g, '').split('[');
    let node = root;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next))
        node[segment] = {};
      node = node[segment] as { [key: string]: Json };
    });
  }
  const arrays = (value: Json): Json => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(arrays);
    const keys = Object.keys(value);
    if (keys.length && keys.every((key, index) => key === String(index)))
      return keys.map((key) => arrays(value[key] ?? null));
    return Object.fromEntries(keys.map((key) => [key, arrays(value[key] ?? null)]));
  };
  return arrays(root);
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

interface ShapeReport {
  mismatches: string[];
  extras: string[];
}

/**
 * Compares `actual` with `example`. `path` names the place in this reply (`items.item[2].id`);
 * `schema` names it in the documentation (`items.item[].id`, map keys as `*`), for MAP_PATHS.
 */
function compareShape(
  action: string,
  example: Json,
  actual: Json,
  path: string,
  schema: string,
  report: ShapeReport,
): void {
  if (example === null || example === PLACEHOLDER) return;
  const where = path || '(root)';
  if (Array.isArray(example)) {
    if (!Array.isArray(actual)) {
      report.mismatches.push(`${where}: expected array, got ${jsonType(actual)}`);
      return;
    }
    if (!example.length) return;
    actual.forEach((element, index) => {
      let best: ShapeReport | undefined;
      for (const candidate of example) {
        const attempt: ShapeReport = { mismatches: [], extras: [] };
        compareShape(action, candidate, element, `${path}[${index}]`, `${schema}[]`, attempt);
        const better =
          !best ||
          attempt.mismatches.length < best.mismatches.length ||
          (attempt.mismatches.length === best.mismatches.length &&
            attempt.extras.length < best.extras.length);
        if (better) best = attempt;
      }
      if (best) {
        report.mismatches.push(...best.mismatches);
        report.extras.push(...best.extras);
      }
    });
    return;
  }
  if (typeof example === 'object') {
    if (Array.isArray(actual) && actual.length === 0) return;
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      report.mismatches.push(`${where}: expected object, got ${jsonType(actual)}`);
      return;
    }
    if (MAP_PATHS.has(`${action}:${schema}`)) {
      const sample = Object.values(example)[0];
      if (sample === undefined) return;
      if (!Object.keys(actual).length) report.mismatches.push(`${where}: expected entries, got none`);
      for (const [key, value] of Object.entries(actual)) {
        compareShape(action, sample, value, `${path}.${key}`, `${schema}.*`, report);
      }
      return;
    }
    for (const [key, value] of Object.entries(example)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!(key in actual)) {
        report.mismatches.push(`${childPath}: missing`);
        continue;
      }
      compareShape(action, value, actual[key] ?? null, childPath, schema ? `${schema}.${key}` : key, report);
    }
    for (const key of Object.keys(actual))
      if (!(key in example)) report.extras.push(path ? `${path}.${key}` : key);
    return;
  }
  if (jsonType(actual) !== jsonType(example)) {
    report.mismatches.push(
      `${where}: expected ${jsonType(example)}, got ${jsonType(actual)} (${JSON.stringify(actual)})`,
    );
  }
}

async function post(
  sandbox: RunningSandbox,
  action: string,
  params: Record<string, string | number>,
): Promise<Json> {
  const body = new URLSearchParams({
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    responsetype: 'json',
    action,
  });
  for (const [key, value] of Object.entries(params)) body.set(key, String(value));
  const response = await fetch(sandbox.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return (await response.json()) as Json;
}

describe('sandbox reply shapes conform to the official examples', () => {
  let sandbox: RunningSandbox;
  const results = new Map<string, { reply: Json; report: ShapeReport }>();

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, clients: 30, seed: 7, now: () => new Date(SEED_BASE_DATE) });
    for (const [action, params] of CALLS) {
      const reply = await post(sandbox, action, params);
      const example = unflatten(catalog.actions[action]?.exampleResponse ?? null);
      const report: ShapeReport = { mismatches: [], extras: [] };
      compareShape(action, example, reply, '', '', report);
      results.set(action, { reply, report });
    }
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('has a conformance call for every emulated action, and every call is to a catalog action', () => {
    const called = new Set(CALLS.map(([action]) => action));
    expect(EMULATED_ACTIONS.filter((action) => !called.has(action))).toEqual([]);
    expect([...called].filter((action) => !catalog.actions[action])).toEqual([]);
  });

  it('answers every conformance call with success', () => {
    const failures = [...results].filter(([, { reply }]) => {
      return (
        reply === null || typeof reply !== 'object' || Array.isArray(reply) || reply.result !== 'success'
      );
    });
    expect(failures.map(([action, { reply }]) => `${action}: ${JSON.stringify(reply)}`)).toEqual([]);
  });

  it('matches every key and JSON type of the official example replies', () => {
    const mismatches: string[] = [];
    let conforming = 0;
    for (const [action, { report }] of results) {
      if (report.mismatches.length === 0) conforming++;
      for (const line of report.mismatches) mismatches.push(`${action} ${line}`);
    }
    console.log(
      `sandbox reply-shape conformance: ${conforming} conforming / ${EMULATED_ACTIONS.length} emulated`,
    );
    // SANDBOX_CONFORMANCE_EXTRAS=1 lists the keys the sandbox sends beyond each example.
    if (process.env.SANDBOX_CONFORMANCE_EXTRAS !== undefined) {
      for (const [action, { report }] of results) {
        if (report.extras.length)
          console.log(`${action} sends beyond the example: ${[...new Set(report.extras)].join(', ')}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(conforming).toBe(EMULATED_ACTIONS.length);
  });

  it('catches a changed type, a missing key and a lost wrapper (the checker itself can fail)', () => {
    const example = unflatten({ result: 'success', 'items[item][0][id]': '1', count: 2 });
    const broken: ShapeReport = { mismatches: [], extras: [] };
    compareShape('Example', example, { result: 'success', items: [{ id: 1 }], total: 1 }, '', '', broken);
    expect(broken.mismatches).toEqual(['items: expected object, got array', 'count: missing']);
    expect(broken.extras).toEqual(['total']);
    const typed: ShapeReport = { mismatches: [], extras: [] };
    compareShape(
      'Example',
      example,
      { result: 'success', items: { item: [{ id: 1 }] }, count: '2' },
      '',
      '',
      typed,
    );
    expect(typed.mismatches).toEqual([
      'items.item[0].id: expected string, got number (1)',
      'count: expected number, got string ("2")',
    ]);
  });
});
