/**
 * The helpers every read tool shares (src/tools/shared/), against scripted WHMCS replies that
 * misbehave the ways real installations do: filters ignored, limitstart or limitnum ignored,
 * rows shifting between pages, counts missing.
 */
import { describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import type { ToolContext, WhmcsReply } from '../../src/tools/define.js';
import type { ListPage } from '../../src/tools/schemas.js';
import {
  actionPages,
  listPage,
  pageNumberPages,
  scanList,
  type ListQuery,
  type PageReader,
  type Row,
} from '../../src/tools/shared/list-scan.js';
import {
  newestFirst,
  projectActivityEntry,
  projectSystemActivityEntry,
  readActivityRow,
} from '../../src/tools/shared/activity.js';
import { Currencies, readCurrencies } from '../../src/tools/shared/currencies.js';
import { addDays, dayOf, daysBetween, isCalendarDay, todayUtc } from '../../src/tools/shared/dates.js';
import { listAction, scriptedContext, type Call } from './scripted-whmcs.js';

type Gateway = Pick<ToolContext, 'whmcs'>;

// ---------------------------------------------------------------------------------------------
// listPage over a GetInvoices stand-in.

/** A GetInvoices stand-in with switchable misbehaviour, recording the parameters of each call. */
function fakeInvoices(
  count: number,
  quirks: { ignoreStatus?: boolean; ignoreStart?: boolean; ignoreLimit?: boolean },
) {
  const rows: Row[] = Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    userid: 1,
    status: index % 3 === 0 ? 'Paid' : 'Unpaid',
    duedate: '2025-01-01',
  }));
  const calls: Array<Record<string, unknown>> = [];
  const context: Gateway = {
    whmcs: {
      async call(_action: string, params: Record<string, unknown> = {}): Promise<WhmcsReply> {
        calls.push(params);
        const status = quirks.ignoreStatus ? undefined : (params.status as string | undefined);
        const matching = rows.filter((row) => status === undefined || row.status === status);
        const start = quirks.ignoreStart ? 0 : Number(params.limitstart ?? 0);
        const size = quirks.ignoreLimit ? matching.length : Number(params.limitnum ?? 25);
        const page = matching.slice(start, start + size);
        return { totalresults: matching.length, numreturned: page.length, invoices: page };
      },
    },
  };
  return { context, calls, rows };
}

function unpaidQuery(
  context: Gateway,
  offset: number,
  limit: number,
  extra: Partial<ListQuery> = {},
): ListQuery {
  return {
    read: actionPages(context, 'GetInvoices', { status: 'Unpaid' }, 'invoices'),
    keep: (row) => row.status === 'Unpaid',
    serverAppliesAllFilters: true,
    offset,
    limit,
    noun: 'invoices',
    narrowHint: 'narrow it',
    ...extra,
  };
}

describe('listPage over a list action', () => {
  it("uses WHMCS's page and count when WHMCS applied every filter", async () => {
    const fake = fakeInvoices(300, {});
    const page = await listPage(unpaidQuery(fake.context, 10, 20));
    expect(fake.calls).toEqual([{ status: 'Unpaid', limitstart: 10, limitnum: 20 }]);
    expect(page).toMatchObject({ total: 200, count: 20, has_more: true, next_offset: 30 });
    expect(page.items.every((row) => row.status === 'Unpaid')).toBe(true);
  });

  it('filters and counts itself when WHMCS ignores the status filter', async () => {
    const fake = fakeInvoices(300, { ignoreStatus: true });
    const page = await listPage(unpaidQuery(fake.context, 190, 25));
    expect(page.items.every((row) => row.status === 'Unpaid')).toBe(true);
    expect(page).toMatchObject({ total: 200, count: 10, has_more: false, next_offset: null });
    expect(page.total_is_estimate).toBeUndefined();
  });

  it('stops when WHMCS ignores limitstart or limitnum, without repeating rows', async () => {
    for (const quirks of [
      { ignoreStatus: true, ignoreStart: true },
      { ignoreStatus: true, ignoreLimit: true },
    ]) {
      const fake = fakeInvoices(150, quirks);
      const page = await listPage(unpaidQuery(fake.context, 0, 100));
      const ids = page.items.map((row) => row.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(fake.calls.length).toBeLessThanOrEqual(3);
      expect(page.items.every((row) => row.status === 'Unpaid')).toBe(true);
    }
  });

  it('says its total is a lower bound when WHMCS ignores limitstart and counts rows it never sends', async () => {
    const fake = fakeInvoices(150, { ignoreStatus: true, ignoreStart: true });
    const page = await listPage(unpaidQuery(fake.context, 0, 10));
    expect(page.total_is_estimate).toBe(true);
    expect(page.total).toBe(fake.rows.slice(0, 100).filter((row) => row.status === 'Unpaid').length);
    expect(page).toMatchObject({ count: 10, has_more: true, next_offset: 10 });
  });

  it('does not pass rows off as a later page when they would run past the count (limitstart ignored)', async () => {
    const fake = fakeInvoices(30, { ignoreStart: true });
    const page = await listPage(unpaidQuery(fake.context, 15, 10));
    const unpaid = fake.rows.filter((row) => row.status === 'Unpaid').map((row) => row.id);
    expect(page.items.map((row) => row.id)).toEqual(unpaid.slice(15, 25));
    expect(page).toMatchObject({ total: 20, has_more: false, next_offset: null });
  });

  it('gives the exact total for an offset past the end, not the offset', async () => {
    const fake = fakeInvoices(30, {});
    const page = await listPage(unpaidQuery(fake.context, 50, 10));
    expect(page).toMatchObject({ items: [], total: 20, count: 0, has_more: false, next_offset: null });
    expect(page.total_is_estimate).toBeUndefined();
    // The last rows WHMCS counts prove the count: one more call, not a scan.
    expect(fake.calls.map((call) => call.limitstart)).toEqual([50, 10]);

    const ignoring = fakeInvoices(30, { ignoreStatus: true });
    const counted = await listPage(unpaidQuery(ignoring.context, 50, 10));
    expect(counted).toMatchObject({ items: [], total: 20, has_more: false, next_offset: null });
    expect(counted.total_is_estimate).toBeUndefined();
  });

  it('reports a lower bound once the exact-count budget is spent', async () => {
    const fake = fakeInvoices(1000, { ignoreStatus: true });
    const page = await listPage(unpaidQuery(fake.context, 0, 10, { exactBudget: 200, batch: 50 }));
    expect(fake.calls.length).toBe(1 + 4);
    expect(page).toMatchObject({ count: 10, has_more: true, next_offset: 10, total_is_estimate: true });
    expect(page.total).toBeGreaterThan(10);
    expect(page.total).toBeLessThan(1000);
  });

  it('refuses, with a hint, a page it cannot reach within the scan limit', async () => {
    const fake = fakeInvoices(1000, { ignoreStatus: true });
    await expect(
      listPage(unpaidQuery(fake.context, 900, 10, { exactBudget: 100, hardLimit: 300, batch: 100 })),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('narrow it') });
  });

  it('returns the matches it has at the scan limit, marked as an estimate with more to come', async () => {
    const fake = fakeInvoices(1000, { ignoreStatus: true });
    const page = await listPage(
      unpaidQuery(fake.context, 195, 10, { exactBudget: 100, hardLimit: 300, batch: 100 }),
    );
    expect(page).toMatchObject({ count: 5, total: 200, has_more: true, next_offset: 200 });
    expect(page.total_is_estimate).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// listPage over a reader, for a filter WHMCS ignores.

describe('listPage scanning for a filter WHMCS ignores', () => {
  const rows = Array.from({ length: 250 }, (_, index) => ({ id: index + 1, even: index % 2 === 1 }));
  type Numbered = (typeof rows)[number];
  const calls: Array<[number, number]> = [];
  const read: PageReader<Numbered> = async (limitstart, limitnum) => {
    calls.push([limitstart, limitnum]);
    return { rows: rows.slice(limitstart, limitstart + limitnum), total: rows.length };
  };
  const base = {
    read,
    keep: (row: Numbered) => row.even,
    serverAppliesAllFilters: false,
    noun: 'rows',
    narrowHint: 'narrow it',
  };

  it('gives an exact total when it reaches the end', async () => {
    const page = await listPage({ ...base, offset: 10, limit: 5, batch: 40 });
    expect(page.items.map((row) => row.id)).toEqual([22, 24, 26, 28, 30]);
    expect(page).toMatchObject({ total: 125, count: 5, has_more: true, next_offset: 15 });
    expect(page.total_is_estimate).toBeUndefined();
  });

  it('stops after its budget once the page is full, with an estimated lower bound', async () => {
    calls.length = 0;
    const page = await listPage({ ...base, offset: 0, limit: 5, batch: 20, exactBudget: 40 });
    expect(calls).toEqual([
      [0, 20],
      [20, 20],
    ]);
    expect(page.total_is_estimate).toBe(true);
    expect(page.total).toBe(20);
    expect(page).toMatchObject({ count: 5, has_more: true, next_offset: 5 });
  });

  it('keeps scanning past the budget until the page is filled', async () => {
    const page = await listPage({ ...base, offset: 30, limit: 5, batch: 20, exactBudget: 20 });
    expect(page.items.map((row) => row.id)).toEqual([62, 64, 66, 68, 70]);
    expect(page.total_is_estimate).toBe(true);
    expect(page.has_more).toBe(true);
  });

  it('refuses, with advice, when the hard limit is reached before the offset', async () => {
    await expect(
      listPage({ ...base, offset: 100, limit: 5, batch: 20, hardLimit: 60 }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('narrow it') });
  });

  it('trusts a WHMCS-side filter only when every row it sent matches', async () => {
    const honest = await listPage({
      ...base,
      keep: () => true,
      serverAppliesAllFilters: true,
      offset: 0,
      limit: 10,
    });
    expect(honest).toMatchObject({ total: 250, count: 10 });
    const ignored = await listPage({ ...base, serverAppliesAllFilters: true, offset: 0, limit: 10 });
    expect(ignored.total).toBe(125);
    expect(ignored.items.every((row) => row.even)).toBe(true);
  });

  it('ends a scan without a WHMCS count at the first short page', async () => {
    const uncounted: PageReader<Numbered> = async (limitstart, limitnum) => ({
      rows: rows.slice(limitstart, limitstart + limitnum),
      total: undefined,
    });
    const page = await listPage({ ...base, read: uncounted, offset: 0, limit: 5, batch: 100 });
    expect(page).toMatchObject({ total: 125, count: 5, has_more: true, next_offset: 5 });
    expect(page.total_is_estimate).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// listPage using WHMCS paging only where the page proves it.

describe('listPage with a filter WHMCS may have ignored', () => {
  const rows: Row[] = Array.from({ length: 250 }, (_, index) => ({
    id: index + 1,
    status: index % 3 === 0 ? 'Closed' : 'Active',
  }));
  const closed = rows.filter((row) => row.status === 'Closed').map((row) => row.id);
  const isClosed = (row: Row) => row.status === 'Closed';
  const ids = (items: Row[]) => items.map((row) => row.id);

  /** A WHMCS that ignores the status filter but pages correctly. */
  function ignoringFilter(calls: Array<[number, number]>): PageReader {
    return async (start, count) => {
      calls.push([start, count]);
      return { rows: rows.slice(start, start + count), total: rows.length };
    };
  }

  const base = { serverAppliesAllFilters: true, noun: 'tickets', narrowHint: 'narrow it' };

  it('uses WHMCS paging when the page obeys the filter', async () => {
    const calls: Array<[number, number]> = [];
    const page = await listPage({
      ...base,
      offset: 10,
      limit: 5,
      read: async (start, count) => {
        calls.push([start, count]);
        const matching = rows.filter(isClosed);
        return { rows: matching.slice(start, start + count), total: matching.length };
      },
      keep: isClosed,
    });
    expect(calls).toEqual([[10, 5]]);
    expect(ids(page.items)).toEqual(closed.slice(10, 15));
    expect(page).toMatchObject({ total: closed.length, has_more: true, next_offset: 15 });
  });

  it('scans and filters itself when WHMCS ignores the filter, with an exact total', async () => {
    const calls: Array<[number, number]> = [];
    const page = await listPage({
      ...base,
      offset: 80,
      limit: 10,
      read: ignoringFilter(calls),
      keep: isClosed,
    });
    expect(ids(page.items)).toEqual(closed.slice(80, 90));
    expect(page.total).toBe(closed.length);
    expect(page.total_is_estimate).toBeUndefined();
    expect(page).toMatchObject({ has_more: false, next_offset: null, count: 4 });
    expect(calls.slice(1)).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);
  });

  it('reports an estimate when the scan stops before the end', async () => {
    const page = await listPage({
      ...base,
      offset: 0,
      limit: 10,
      exactBudget: 100,
      read: ignoringFilter([]),
      keep: isClosed,
    });
    expect(ids(page.items)).toEqual(closed.slice(0, 10));
    expect(page.total_is_estimate).toBe(true);
    expect(page.total).toBe(closed.filter((id) => (id as number) <= 100).length);
    expect(page).toMatchObject({ has_more: true, next_offset: 10 });
  });

  it('reads a reply that ignored limitnum as the whole list', async () => {
    const calls: Array<[number, number]> = [];
    const page = await listPage({
      ...base,
      offset: 5,
      limit: 5,
      read: async (start, count) => {
        calls.push([start, count]);
        return { rows, total: rows.length };
      },
      keep: () => true,
    });
    expect(calls).toHaveLength(1);
    expect(ids(page.items)).toEqual([6, 7, 8, 9, 10]);
    expect(page).toMatchObject({ total: 250, has_more: true, next_offset: 10 });
  });

  it('scans when WHMCS sends no count, rather than guessing one', async () => {
    const page = await listPage({
      ...base,
      offset: 0,
      limit: 10,
      read: async (start, count) => ({
        rows: rows.filter(isClosed).slice(start, start + count),
        total: undefined,
      }),
      keep: isClosed,
    });
    expect(ids(page.items)).toEqual(closed.slice(0, 10));
    expect(page).toMatchObject({ total: closed.length, has_more: true, next_offset: 10 });
    expect(page.total_is_estimate).toBeUndefined();
  });
});

describe('pageNumberPages', () => {
  const log = Array.from({ length: 23 }, (_, index) => ({ id: 100 - index }));
  /** GetActivityLog's paging: limitstart picks page floor(limitstart / limitnum). */
  const byPageNumber: PageReader<{ id: number }> = async (limitstart, limitnum) => {
    const page = Math.floor(limitstart / limitnum);
    return { rows: log.slice(page * limitnum, page * limitnum + limitnum), total: log.length };
  };

  it('serves an offset that is not a multiple of the count from the pages around it', async () => {
    const read = pageNumberPages(byPageNumber);
    expect((await read(7, 5)).rows.map((row) => row.id)).toEqual([93, 92, 91, 90, 89]);
    expect((await read(20, 5)).rows.map((row) => row.id)).toEqual([80, 79, 78]);
    expect((await read(10, 5)).rows.map((row) => row.id)).toEqual([90, 89, 88, 87, 86]);
  });

  it('lets listPage walk such a list with offsets of any size', async () => {
    const read = pageNumberPages(byPageNumber);
    const walked: number[] = [];
    for (let offset: number | null = 0; offset !== null;) {
      const page: ListPage<{ id: number }> = await listPage({
        read,
        keep: () => true,
        serverAppliesAllFilters: true,
        offset,
        limit: 7,
        noun: 'entries',
        narrowHint: 'narrow it',
      });
      expect(page.total).toBe(log.length);
      walked.push(...page.items.map((row) => row.id));
      offset = page.next_offset;
    }
    expect(walked).toEqual(log.map((row) => row.id));
  });
});

// ---------------------------------------------------------------------------------------------
// scanList, the reports' capped read of a whole list.

describe('scanList', () => {
  it('reads every page when under the cap', async () => {
    const calls: Call[] = [];
    const ctx = scriptedContext(
      listAction('invoices', 1234, (index) => ({ id: index + 1 })),
      calls,
    );
    const scan = await scanList(ctx, 'GetInvoices', { status: 'Unpaid' }, 'invoices', 10_000);
    expect(scan).toMatchObject({ total: 1234, capped: false });
    expect(scan.rows.map((row) => row.id)).toEqual(Array.from({ length: 1234 }, (_, index) => index + 1));
    expect(calls.every((call) => call.params.status === 'Unpaid')).toBe(true);
    expect(calls.map((call) => call.params.limitstart)).toEqual([0, 250, 500, 750, 1000]);
  });

  it('stops at the cap and says so', async () => {
    const ctx = scriptedContext(listAction('domains', 1000, (index) => ({ id: index + 1 })));
    const scan = await scanList(ctx, 'GetClientsDomains', {}, 'domains', 600);
    expect(scan).toMatchObject({ total: 1000, capped: true });
    expect(scan.rows).toHaveLength(600);
  });

  it('follows the page size WHMCS really uses when it ignores limitnum', async () => {
    const ctx = scriptedContext(
      listAction('tickets', 110, (index) => ({ id: index + 1 }), { honoursLimit: false }),
    );
    const scan = await scanList(ctx, 'GetTickets', {}, 'tickets', 10_000);
    expect(new Set(scan.rows.map((row) => row.id)).size).toBe(110);
    expect(scan.capped).toBe(false);
  });

  it('keeps one copy of a row that shifted into the next page', async () => {
    const ctx = scriptedContext(
      listAction('invoices', 300, (index) => ({ id: index === 250 ? 250 : index + 1 })),
    );
    const scan = await scanList(ctx, 'GetInvoices', {}, 'invoices', 10_000);
    expect(scan.rows.filter((row) => row.id === 250)).toHaveLength(1);
  });

  it('says it is incomplete when WHMCS ignores limitstart and repeats the first page', async () => {
    const ctx = scriptedContext(
      listAction('domains', 600, (index) => ({ id: index + 1 }), { honoursStart: false }),
    );
    const scan = await scanList(ctx, 'GetClientsDomains', {}, 'domains', 10_000);
    expect(scan.rows).toHaveLength(250);
    expect(scan).toMatchObject({ total: 600, capped: true });
  });
});

// ---------------------------------------------------------------------------------------------
// Currencies: one resolver per tool call.

const CONFIGURED = [
  { id: 1, code: 'USD', prefix: '$', suffix: ' USD', format: 1, rate: '1.00000' },
  { id: 2, code: 'EUR', prefix: '€', suffix: ' EUR', format: 3, rate: '0.92000' },
  { id: 3, code: 'GBP', prefix: '£', suffix: ' GBP', format: 2, rate: '0.79000' },
];

/** GetCurrencies with `currencies`, and GetClientsDetails from `clients` (a missing id is not found). */
function currencyWhmcs(currencies: Array<Record<string, unknown>>, clients: Record<number, WhmcsReply>) {
  return async (action: string, params: Record<string, unknown>): Promise<WhmcsReply> => {
    if (action === 'GetCurrencies') return { totalresults: currencies.length, currencies };
    const client = clients[Number(params.clientid)];
    if (client === undefined) throw new WhmcsMcpError('not_found', 'Client Not Found');
    return client;
  };
}

const count = (calls: Call[], action: string) => calls.filter((call) => call.action === action).length;

describe('Currencies', () => {
  it('reads GetCurrencies once per call and each client once, whatever it resolves', async () => {
    const calls: Call[] = [];
    const ctx = scriptedContext(
      currencyWhmcs(CONFIGURED, {
        // An older WHMCS: the currency id only.
        4: { client: { id: 4, currency: 2 } },
        5: { client: { id: 5, currency: 1, currency_code: ' GBP ' } },
      }),
      calls,
    );
    const currencies = new Currencies(ctx);
    const codes = await Promise.all([
      currencies.codeForId(1),
      currencies.codeForId(3),
      currencies.codeForId(0),
      currencies.forClient(4),
      currencies.forClient(4),
      currencies.forClient(5),
      currencies.forClient(6),
      currencies.forClient(null),
      currencies.codeForDisplay('€', ' EUR'),
      // The legacy flat GetClientsDetails form.
      currencies.codeFromClientReply({ id: 9, currency: 3 }),
    ]);
    expect(codes).toEqual(['USD', 'GBP', null, 'EUR', 'EUR', 'GBP', null, null, 'EUR', 'GBP']);
    expect(count(calls, 'GetCurrencies')).toBe(1);
    expect(
      calls.filter((call) => call.action === 'GetClientsDetails').map((call) => call.params.clientid),
    ).toEqual([4, 5, 6]);
  });

  it('reuses a client reply the tool already holds', async () => {
    const calls: Call[] = [];
    const currencies = new Currencies(scriptedContext(currencyWhmcs(CONFIGURED, {}), calls));
    currencies.rememberClient(7, { client: { id: 7, currency: 2 } });
    expect(await currencies.forClient(7)).toBe('EUR');
    expect(count(calls, 'GetClientsDetails')).toBe(0);
  });

  it('resolves many clients with one GetCurrencies when a single currency is configured', async () => {
    const single = CONFIGURED.slice(0, 1);
    const calls: Call[] = [];
    const currencies = new Currencies(scriptedContext(currencyWhmcs(single, {}), calls));
    const codes = await currencies.forClients([11, 12, 12, undefined, 13]);
    expect([...codes]).toEqual([
      [11, 'USD'],
      [12, 'USD'],
      [13, 'USD'],
    ]);
    expect(calls.map((call) => call.action)).toEqual(['GetCurrencies']);

    const several: Call[] = [];
    const clients = { 11: { client: { currency_code: 'EUR' } }, 12: { client: { currency_code: 'GBP' } } };
    const resolved = await new Currencies(
      scriptedContext(currencyWhmcs(CONFIGURED, clients), several),
    ).forClients([11, 12]);
    expect([...resolved]).toEqual([
      [11, 'EUR'],
      [12, 'GBP'],
    ]);
    expect(count(several, 'GetClientsDetails')).toBe(2);
  });

  it('names a display currency only when exactly one configured currency shows that way', async () => {
    const twins = [
      ...CONFIGURED,
      { id: 4, code: 'AUD', prefix: '$', suffix: ' USD', format: 1, rate: '1.5' },
    ];
    const currencies = new Currencies(scriptedContext(currencyWhmcs(twins, {})));
    expect(await currencies.codeForDisplay('£', ' GBP ')).toBe('GBP');
    expect(await currencies.codeForDisplay('$', ' USD')).toBeNull();
    expect(await currencies.codeForDisplay('', '')).toBeNull();
  });

  it('reads GetCurrencies rows with trimmed codes and exact rates, skipping rows without id or code', () => {
    const records = readCurrencies({
      currencies: [
        { id: 1, code: ' USD ', prefix: '$', suffix: ' USD', format: '1', rate: '1.00000' },
        { id: 2, code: '', prefix: '€' },
        { code: 'GBP' },
        'not a row',
      ],
    });
    expect(records).toEqual([
      { id: 1, code: 'USD', prefix: '$', suffix: ' USD', format: 1, rate: '1.00000' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Activity log rows, read once for every view.

describe('activity log rows', () => {
  const row = (fields: Record<string, unknown>) => ({
    id: 7,
    date: '2025-06-14 07:05:00',
    description: 'Client Login - User ID: 1',
    ipaddress: ' 198.51.100.20 ',
    ...fields,
  });

  it('names who acted: an admin, a client user, the system, or a logged e-mail or admin name', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ adminId: 1, username: 'admin' }, 'staff', 'staff'],
      [{ userId: 3, clientId: 1, username: 'zoe@example.com' }, 'client', 'customer'],
      [{ clientId: 1, username: 'zoe@example.com' }, 'client', 'customer'],
      // WHMCS logs its own work about a client under "System": the text is WHMCS's, not the client's.
      [{ clientId: 6, username: 'System' }, 'system', 'system'],
      [{ username: '' }, 'system', 'system'],
      [{ clientId: 2, username: 'jane.admin' }, 'staff', 'staff'],
    ];
    for (const [fields, actor, source] of cases) {
      const entry = readActivityRow(row(fields));
      expect(entry.actor, JSON.stringify(fields)).toBe(actor);
      expect(entry.description.source, JSON.stringify(fields)).toBe(source);
    }
  });

  it('reads ids, the WHMCS 7 client alias, and blank or padded text the same for every view', () => {
    const full = readActivityRow(row({ userid: '4', userId: '0', adminId: '', username: '  ' }));
    expect(full).toMatchObject({
      id: 7,
      client_id: 4,
      user_id: null,
      admin_id: null,
      username: null,
      ip_address: '198.51.100.20',
    });
    const source = row({ clientId: 4, adminId: 1, username: 'admin' });
    expect(projectActivityEntry(source)).toEqual({
      id: 7,
      date: '2025-06-14 07:05:00',
      actor: 'staff',
      username: 'admin',
      client_id: 4,
      description: { untrusted: true, source: 'staff', text: 'Client Login - User ID: 1' },
    });
    expect(projectSystemActivityEntry(source)).toEqual({
      ...projectActivityEntry(source),
      ip_address: '198.51.100.20',
    });
  });

  it('orders entries newest first, then by id', () => {
    const entries = [
      { id: 1, date: '2025-01-01 10:00:00' },
      { id: 3, date: '2025-01-02 09:00:00' },
      { id: 2, date: '2025-01-02 09:00:00' },
      { id: 4, date: null },
    ];
    expect(newestFirst(entries).map((entry) => entry.id)).toEqual([3, 2, 1, 4]);
  });
});

// ---------------------------------------------------------------------------------------------
// Calendar days.

describe('calendar days', () => {
  it('accepts only days that exist, written YYYY-MM-DD', () => {
    for (const day of ['2024-02-29', '2025-12-31', '1999-01-01']) expect(isCalendarDay(day), day).toBe(true);
    for (const day of [
      '2025-02-29',
      '2025-02-30',
      '2025-13-01',
      '0050-01-01',
      '2025-1-01',
      '2025-01-01 10:00:00',
      '',
    ])
      expect(isCalendarDay(day), day).toBe(false);
  });

  it('counts whole days in UTC, across month ends and leap days', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-03-01 23:59:59', '2025-02-28')).toBe(-1);
    expect(daysBetween(null, '2025-01-01')).toBeUndefined();
    expect(daysBetween('2025-02-30', '2025-03-01')).toBeUndefined();
    expect(addDays('2024-12-31', 60)).toBe('2025-03-01');
    expect(todayUtc(new Date('2025-06-15T23:30:00-05:00'))).toBe('2025-06-16');
  });

  it('reads the day of a WHMCS date or date-time', () => {
    expect(dayOf('2025-06-14 07:05:00')).toBe('2025-06-14');
    expect(dayOf('14/06/2025')).toBeNull();
    expect(dayOf(null)).toBeNull();
  });
});
