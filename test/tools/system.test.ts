import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityLogEntry } from '../../src/sandbox/state.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { parseWhmcsVersion, whmcsRules } from '../../src/tools/system/whmcs-version.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;
type Item = Record<string, unknown>;

const SYSTEM_TOOLS = [
  'get_whmcs_details',
  'get_capability_matrix',
  'get_server_health',
  'get_stats',
  'get_activity_log',
  'get_automation_log',
  'get_todo_items',
  'list_servers',
] as const;

let admin: Harness;
let scoped: Harness;
const answers: string[] = [];

async function ok(name: string, args: Record<string, unknown> = {}, harness = admin): Promise<Structured> {
  const result = await callOk(harness.client, name, args);
  answers.push(JSON.stringify(result));
  return result;
}

function items(result: Structured): Item[] {
  return result.items as Item[];
}

/** Walks every page of a list tool, checking the envelope on each page. */
async function walk(name: string, args: Record<string, unknown>, limit: number, harness = admin) {
  const seen: Item[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = await ok(name, { ...args, limit, offset }, harness);
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
  return seen;
}

function day(dateTime: string): string {
  return dateTime.slice(0, 10);
}

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(SEED_FACTS.demoClient.id) },
  });
});

afterAll(async () => {
  await scoped?.close();
  await admin?.close();
});

describe('WHMCS version rules', () => {
  it('reads version strings and refuses anything else', () => {
    expect(parseWhmcsVersion('8.13.1')).toEqual({ major: 8, minor: 13, patch: 1 });
    expect(parseWhmcsVersion('9.0.0-release.1')).toEqual({ major: 9, minor: 0, patch: 0 });
    expect(parseWhmcsVersion('8.0')).toEqual({ major: 8, minor: 0, patch: 0 });
    expect(parseWhmcsVersion('latest')).toBeNull();
    expect(parseWhmcsVersion(undefined)).toBeNull();
  });

  it('keeps WHMCS 9 invoice immutability in one place and applies it to unknown and newer versions', () => {
    expect(whmcsRules('8.13.1')).toMatchObject({
      line: '8.x',
      supported: true,
      finalized_invoices_immutable: false,
      invoice_corrections: 'edit_invoice',
    });
    expect(whmcsRules('9.0.1')).toMatchObject({
      line: '9.x',
      supported: true,
      finalized_invoices_immutable: true,
      invoice_corrections: 'credit_note',
    });
    expect(whmcsRules('10.1.0')).toMatchObject({
      line: 'newer',
      supported: false,
      finalized_invoices_immutable: true,
    });
    expect(whmcsRules('garbage')).toMatchObject({ line: 'unknown', finalized_invoices_immutable: true });
    expect(whmcsRules('7.10.2')).toMatchObject({ line: 'older', supported: false });
  });
});

describe('get_whmcs_details', () => {
  it('reports the sandbox version with the 8.x rules', async () => {
    const details = await ok('get_whmcs_details');
    expect(details).toMatchObject({
      version: admin.sandbox.state.whmcsVersion,
      canonical_version: `${admin.sandbox.state.whmcsVersion}-release.1`,
      major: 8,
      rules: { line: '8.x', finalized_invoices_immutable: false },
    });
  });

  it('reports WHMCS 9 rules against a WHMCS 9 installation', async () => {
    const nine = await startHarness({ sandboxOptions: { whmcsVersion: '9.0.2', clients: 10 } });
    try {
      const details = await callOk(nine.client, 'get_whmcs_details');
      expect(details).toMatchObject({
        version: '9.0.2',
        major: 9,
        minor: 0,
        rules: { line: '9.x', finalized_invoices_immutable: true, invoice_corrections: 'credit_note' },
      });
    } finally {
      await nine.close();
    }
  });
});

describe('get_stats', () => {
  it('returns counts from the seed and income as formatted text, said to be text', async () => {
    const stats = await ok('get_stats');
    const state = admin.sandbox.state;
    const pendingOrders = [...state.orders.values()].filter((order) => order.status === 'Pending').length;
    expect((stats.orders as Structured).pending).toBe(pendingOrders);
    const customerReply = [...state.tickets.values()].filter(
      (ticket) => ticket.status === 'Customer-Reply',
    ).length;
    expect((stats.tickets as Structured).customer_reply).toBe(customerReply);
    const income = stats.income as Structured;
    expect(income.is_formatted_text).toBe(true);
    expect(income.note).toMatch(/text/);
    // The sandbox formats like WHMCS: prefix, amount, suffix of the default currency.
    expect(income.this_month).toMatch(/^\$-?[\d,]+\.\d{2} USD$/);
    expect(stats.timeline).toEqual([]);
  });

  it('adds an exact daily timeline, newest first', async () => {
    const stats = await ok('get_stats', { timeline_days: 7 });
    const timeline = stats.timeline as Item[];
    expect(timeline).toHaveLength(7);
    const dates = timeline.map((row) => row.date as string);
    expect([...dates].sort().reverse()).toEqual(dates);
    for (const row of timeline) {
      expect(row.income).toMatch(/^-?\d+\.\d{2}$/);
      expect(typeof row.new_orders).toBe('number');
    }
  });

  it('refuses a timeline outside 1..90', async () => {
    for (const timeline_days of [0, 91, 1.5]) {
      const error = await callError(admin.client, 'get_stats', { timeline_days });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('timeline_days');
    }
  });
});

describe('get_activity_log', () => {
  function expectedLog(filter: (entry: ActivityLogEntry) => boolean = () => true): ActivityLogEntry[] {
    return [...admin.sandbox.state.activityLog.values()].filter(filter).sort((a, b) => b.id - a.id);
  }

  it('pages through the whole log newest first with a coherent envelope', async () => {
    const all = await walk('get_activity_log', {}, 4);
    expect(all.map((entry) => entry.id)).toEqual(expectedLog().map((entry) => entry.id));
    const first = all[0]!;
    expect(first.description).toMatchObject({ untrusted: true });
    expect(['customer', 'staff', 'system']).toContain((first.description as Structured).source);
  });

  it('serves an offset that is not a multiple of the limit', async () => {
    const expected = expectedLog()
      .slice(3, 8)
      .map((entry) => entry.id);
    const page = await ok('get_activity_log', { offset: 3, limit: 5 });
    expect(items(page).map((entry) => entry.id)).toEqual(expected);
  });

  it('filters by client and by text', async () => {
    const clientId = SEED_FACTS.demoClient.id;
    const forClient = await walk('get_activity_log', { client_id: clientId }, 3);
    expect(forClient.length).toBeGreaterThan(0);
    expect(forClient.every((entry) => entry.client_id === clientId)).toBe(true);
    expect(forClient.length).toBe(expectedLog((entry) => entry.clientId === clientId).length);

    const cron = await walk('get_activity_log', { search: 'Cron Job' }, 25);
    expect(cron.length).toBe(expectedLog((entry) => entry.description.includes('Cron Job')).length);
    expect(
      cron.every((entry) => (entry.description as Structured).text!.toString().includes('Cron Job')),
    ).toBe(true);
  });

  it('applies a day range exactly, whatever order the log is in', async () => {
    const cronDays = expectedLog((entry) => entry.description.includes('Cron Job')).map((entry) =>
      day(entry.date),
    );
    const from = [...cronDays].sort()[2]!;
    const to = [...cronDays].sort()[4]!;
    const expected = expectedLog((entry) => day(entry.date) >= from && day(entry.date) <= to);
    const result = await walk('get_activity_log', { date_from: from, date_to: to }, 2);
    expect(result.map((entry) => entry.id).sort()).toEqual(expected.map((entry) => entry.id).sort());
    expect(
      result.every((entry) => day(entry.date as string) >= from && day(entry.date as string) <= to),
    ).toBe(true);
  });

  it('refuses a range that ends before it starts, and bad dates', async () => {
    const reversed = await callError(admin.client, 'get_activity_log', {
      date_from: '2025-06-10',
      date_to: '2025-06-01',
    });
    expect(reversed.code).toBe('invalid_input');
    expect(reversed.message).toContain('date_from');
    const impossible = await callError(admin.client, 'get_activity_log', { date_from: '2025-02-30' });
    expect(impossible.code).toBe('invalid_input');
    expect(impossible.message).toContain('date_from');
  });

  it('finds a range in a long log by bisection, and marks a range past its bound as an estimate', async () => {
    const busy = await startHarness({ sandboxOptions: { clients: 10 } });
    try {
      const state = busy.sandbox.state;
      // A long log appended in time order, as WHMCS writes it: 100 entries a day for 60 days.
      for (let dayIndex = 0; dayIndex < 60; dayIndex++) {
        const date = new Date(Date.UTC(2030, 0, 1 + dayIndex)).toISOString().slice(0, 10);
        for (let entry = 0; entry < 100; entry++) {
          const minute = String(entry % 60).padStart(2, '0');
          const hour = String(Math.floor(entry / 60)).padStart(2, '0');
          state.insertActivity({
            date: `${date} ${hour}:${minute}:00`,
            description: `Synthetic entry ${dayIndex}/${entry}`,
            username: 'admin',
            clientId: 0,
            userId: 0,
            adminId: 1,
            ipAddress: '10.0.0.5',
          });
        }
      }
      const before = busy.sandbox.stats().actions.GetActivityLog ?? 0;
      const result = await callOk(busy.client, 'get_activity_log', {
        date_from: '2030-01-20',
        date_to: '2030-01-22',
        limit: 100,
        offset: 100,
      });
      const calls = (busy.sandbox.stats().actions.GetActivityLog ?? 0) - before;
      expect(result.total).toBe(300);
      expect(result.total_is_estimate).toBeUndefined();
      expect(result.count).toBe(100);
      expect(result.has_more).toBe(true);
      expect((result.items as Item[]).every((entry) => day(entry.date as string) === '2030-01-21')).toBe(
        true,
      );
      // 25 pages of 250: bisection plus the range's own pages, far fewer than reading every page.
      expect(calls).toBeLessThanOrEqual(10);

      const wide = await callOk(busy.client, 'get_activity_log', {
        date_from: '2030-01-01',
        date_to: '2030-03-01',
      });
      expect(wide.total_is_estimate).toBe(true);
      expect(wide.total as number).toBeGreaterThanOrEqual(2500);
      expect(wide.total as number).toBeLessThan(6000);
    } finally {
      await busy.close();
    }
  });
});

describe('get_todo_items', () => {
  it('lists every item with a coherent envelope and overdue computed', async () => {
    const all = await walk('get_todo_items', {}, 2);
    const state = admin.sandbox.state;
    expect(all.length).toBe(state.todoItems.size);
    const inProgress = all.find((item) => item.status === 'In Progress')!;
    expect(inProgress.overdue).toBe(true);
    const completed = all.find((item) => item.status === 'Completed')!;
    expect(completed.overdue).toBe(false);
    expect(all[0]!.description).toMatchObject({ untrusted: true });
  });

  it('filters by status, including Incomplete', async () => {
    const state = admin.sandbox.state;
    const completed = await walk('get_todo_items', { status: 'Completed' }, 25);
    expect(completed.every((item) => item.status === 'Completed')).toBe(true);
    expect(completed.length).toBe(
      [...state.todoItems.values()].filter((item) => item.status === 'Completed').length,
    );
    const incomplete = await walk('get_todo_items', { status: 'Incomplete' }, 25);
    expect(incomplete.every((item) => item.status !== 'Completed')).toBe(true);
    expect(incomplete.length + completed.length).toBe(state.todoItems.size);
  });

  it('refuses an unknown status and out-of-range paging', async () => {
    for (const args of [{ status: 'Done' }, { limit: 0 }, { limit: 101 }, { offset: -1 }]) {
      const error = await callError(admin.client, 'get_todo_items', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(Object.keys(args)[0]!);
    }
  });
});

describe('get_automation_log', () => {
  it('flattens the cron statistics into dated task rows within the range', async () => {
    const state = admin.sandbox.state;
    const days = [...new Set([...state.automationLog.values()].map((entry) => day(entry.date)))].sort();
    const from = days[0]!;
    const to = days.at(-1)!;
    const rows = await walk('get_automation_log', { date_from: from, date_to: to, include_zero: true }, 10);
    // Each log entry gives a success and a failed count per day and task.
    expect(rows.length).toBe(state.automationLog.size * 2);
    expect(rows.every((row) => (row.date as string) >= from && (row.date as string) <= to)).toBe(true);
    const invoicesGenerated = [...state.automationLog.values()]
      .filter((entry) => entry.namespace === 'Invoices')
      .reduce((sum, entry) => sum + entry.successCount, 0);
    const fromTool = rows
      .filter((row) => row.task === 'Invoices' && row.metric === 'success')
      .reduce((sum, row) => sum + (row.count as number), 0);
    expect(fromTool).toBe(invoicesGenerated);

    const nonZero = await walk('get_automation_log', { date_from: from, date_to: to }, 25);
    expect(nonZero.every((row) => row.count !== 0)).toBe(true);
    expect(nonZero.length).toBeLessThan(rows.length);
  });

  it('reports the last daily cron and whether it is overdue', async () => {
    const result = await ok('get_automation_log', { task: 'Invoices' });
    expect(result.last_daily_cron).toBe(admin.sandbox.state.lastDailyCron);
    expect(result.daily_cron_overdue).toBe(false);
    expect(items(result).every((row) => row.task === 'Invoices')).toBe(true);
  });

  it('refuses a reversed or over-long range', async () => {
    const reversed = await callError(admin.client, 'get_automation_log', {
      date_from: '2025-06-10',
      date_to: '2025-06-01',
    });
    expect(reversed.code).toBe('invalid_input');
    expect(reversed.message).toContain('date_to');
    const long = await callError(admin.client, 'get_automation_log', {
      date_from: '2025-01-01',
      date_to: '2025-06-01',
    });
    expect(long.code).toBe('invalid_input');
  });
});

describe('get_server_health', () => {
  it('says unknown when WHMCS sends no checks', async () => {
    const health = await ok('get_server_health');
    expect(health).toEqual({ status: 'unknown', counts: { danger: 0, warning: 0, success: 0 }, checks: [] });
  });
});

describe('list_servers', () => {
  it('lists the enabled servers with load, and probes them only when asked', async () => {
    const state = admin.sandbox.state;
    const servers = await walk('list_servers', {}, 2);
    expect(servers.map((server) => server.id).sort()).toEqual([...state.servers.keys()].sort());
    for (const server of servers) {
      expect(server.status).toEqual({ http: null, load: null, uptime: null });
      expect(typeof server.active_services).toBe('number');
      expect(Object.keys(server).some((key) => /pass|hash|token|secret/i.test(key))).toBe(false);
    }
    const probed = await ok('list_servers', { fetch_status: true });
    expect((items(probed)[0]!.status as Structured).http).toBe(true);
  });

  it('filters by module', async () => {
    const cpanel = await walk('list_servers', { module: 'cpanel' }, 25);
    expect(cpanel.length).toBeGreaterThan(0);
    expect(cpanel.every((server) => server.module === 'cpanel')).toBe(true);
    const none = await ok('list_servers', { module: 'no-such-module' });
    expect(none).toMatchObject({ total: 0, count: 0, has_more: false, next_offset: null });
  });
});

describe('get_capability_matrix', () => {
  it('shows the reads the probe found allowed, with probe time and sources', async () => {
    const matrix = await ok('get_capability_matrix', { limit: 100 });
    expect(typeof matrix.probed_at).toBe('string');
    expect(matrix.ttl_seconds).toBeGreaterThan(0);
    const entries = await walk('get_capability_matrix', {}, 50);
    const byAction = new Map(entries.map((entry) => [entry.action as string, entry]));
    for (const action of ['GetActivityLog', 'GetStats', 'WhmcsDetails', 'GetServers']) {
      expect(byAction.get(action)).toMatchObject({ kind: 'read', status: 'allowed' });
      expect(['probe', 'live']).toContain(byAction.get(action)!.source);
    }
    // The generic call's wildcard is not an action; blocked actions are never probed or listed.
    expect(byAction.has('*read')).toBe(false);
    expect(byAction.has('DecryptPassword')).toBe(false);
    const counts = matrix.counts as Record<string, number>;
    expect(counts.allowed! + counts.forbidden! + counts.unknown! + counts.error!).toBe(entries.length);

    const reads = await walk('get_capability_matrix', { kind: 'read', status: 'allowed' }, 100);
    expect(reads.every((entry) => entry.kind === 'read' && entry.status === 'allowed')).toBe(true);
  });
});

describe('client mode', () => {
  it('never lists the system tools and refuses them by name', async () => {
    const names = (await scoped.client.listTools()).tools.map((tool) => tool.name);
    for (const name of SYSTEM_TOOLS) {
      expect(names).not.toContain(name);
      const error = await callError(scoped.client, name, {});
      expect(error.code).toBe('forbidden');
    }
  });
});

describe('secrets', () => {
  it('no answer carries a service password, gateway token or card number', () => {
    const state = admin.sandbox.state;
    const secrets = [
      ...[...state.services.values()].map((service) => service.password).filter((value) => value !== ''),
      ...[...state.payMethods.values()]
        .map((payMethod) => payMethod.remoteToken)
        .filter((value) => value !== ''),
      admin.sandbox.secret,
    ];
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      for (const secret of secrets) expect(answer).not.toContain(secret);
      expect(answer).not.toMatch(/4111[ -]?1111[ -]?1111[ -]?1111/);
    }
  });
});
