/**
 * The production test harness (scripts/production-test.mjs), run as a child process exactly as a
 * release engineer runs it: against the built server with the sandbox in admin and in client scope
 * (both must pass), and against servers that must fail it (a server that leaks a stack trace, a
 * password field and its WHMCS secret; a production server asked for --allow-writes), so exit 0
 * is shown to mean something.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const HARNESS = join(ROOT, 'scripts', 'production-test.mjs');
const RUN_TIMEOUT_MS = 120_000;

interface CheckResult {
  id: string;
  layer: string;
  kind: string;
  expect: string;
  status: 'pass' | 'fail' | 'skip';
  duration_ms: number;
  message: string;
}

interface Report {
  ok: boolean;
  refused?: string;
  target: { transport: string; sandbox: boolean };
  server: { environment: string | null; mode: string | null; scope: string; client_ids: number[] };
  discovered: Record<string, number | string>;
  summary: { total: number; passed: number; failed: number; skipped: number };
  checks: CheckResult[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let workdir: string;

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-harness-test-'));
});

afterAll(() => {
  rmSync(workdir, { recursive: true, force: true });
});

/** Runs the harness in an empty working directory (no developer .env) with only `env` set. */
function runHarness(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARNESS, ...args], {
      cwd: workdir,
      env: { PATH: process.env.PATH ?? '', MCP_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function readReport(name: string): Report {
  return JSON.parse(readFileSync(join(workdir, name), 'utf8')) as Report;
}

function check(report: Report, id: string): CheckResult {
  const found = report.checks.find((entry) => entry.id === id);
  if (!found) throw new Error(`no check ${id} in the report`);
  return found;
}

function expectWellFormed(report: Report): void {
  expect(report.summary.total).toBe(report.checks.length);
  expect(report.summary.passed + report.summary.failed + report.summary.skipped).toBe(report.summary.total);
  for (const entry of report.checks) {
    expect(entry.id.startsWith(`${entry.layer}.`), entry.id).toBe(true);
    expect(['pass', 'fail', 'skip']).toContain(entry.status);
    expect(entry.kind.length, entry.id).toBeGreaterThan(0);
    expect(entry.expect.length, entry.id).toBeGreaterThan(10);
    expect(entry.message.length, entry.id).toBeGreaterThan(0);
    expect(entry.duration_ms).toBeGreaterThanOrEqual(0);
  }
}

/**
 * A stdio MCP server (newline-delimited JSON-RPC, no SDK) that looks like whmcs-mcp but leaks:
 * a missing invoice's error carries a stack frame and the WHMCS secret from its environment, and
 * client rows carry a password field. FAKE_ENVIRONMENT sets the environment its instructions state.
 */
const FAKE_SERVER = String.raw`
const readline = require('node:readline');
const environment = process.env.FAKE_ENVIRONMENT || 'staging';
const instructions = 'This server reaches a WHMCS installation (environment: ' + environment + ') through its External API.\n- Mode is simulate: nothing changes.\nScope: staff (admin) access to every client.';
const page = { type: 'object', properties: { items: { type: 'array' }, total: { type: 'integer' }, count: { type: 'integer' }, has_more: { type: 'boolean' }, next_offset: { type: ['integer', 'null'] } }, required: ['items'] };
const read = (toolset) => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
const meta = (toolset, clientMode) => ({ 'whmcs-mcp/toolset': toolset, 'whmcs-mcp/kind': 'read', 'whmcs-mcp/client-mode': clientMode });
const tools = [
  { name: 'search_clients', title: 'Search clients', description: 'Finds clients by name or status.', inputSchema: { type: 'object', properties: { status: { type: 'string', enum: ['Active', 'Inactive', 'Closed'] }, limit: { type: 'integer', minimum: 1, maximum: 100 }, offset: { type: 'integer', minimum: 0 } }, additionalProperties: false }, outputSchema: page, annotations: read(), _meta: meta('clients', 'admin_only') },
  { name: 'get_invoice', title: 'Get invoices', description: 'Reads invoices by id.', inputSchema: { type: 'object', properties: { invoice_id: { type: 'integer', minimum: 1 } }, additionalProperties: false }, outputSchema: { type: 'object', properties: { invoices: { type: 'array' } } }, annotations: read(), _meta: meta('billing', 'owned') },
];
const clients = [{ id: 1, status: 'Active', firstname: 'Ada', password: 'hunter2-plain' }, { id: 2, status: 'Active', firstname: 'Bo', password: 'hunter3-plain' }];
function text(value) { return [{ type: 'text', text: JSON.stringify(value) }]; }
function error(code, message) { return { isError: true, content: text({ error: { code, message } }) }; }
function call(name, args) {
  if (name === 'search_clients') {
    const offset = args.offset || 0; const limit = args.limit || 25;
    const items = clients.slice(offset, offset + limit);
    const structured = { items, total: clients.length, count: items.length, offset, limit, has_more: offset + items.length < clients.length, next_offset: offset + items.length < clients.length ? offset + items.length : null };
    return { content: text(structured), structuredContent: structured };
  }
  if (name === 'get_invoice') {
    return error('not_found', 'Invoice ' + args.invoice_id + ' was not found.\n    at loadInvoice (/srv/whmcs-mcp/dist/tools/billing/get-invoice.js:42:13)\n    upstream said: secret=' + process.env.WHMCS_SECRET);
  }
  return error('invalid_input', "Unknown tool '" + name + "'.");
}
function answer(message) {
  switch (message.method) {
    case 'initialize': return { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'leaky-fake', version: '0.0.1' }, instructions };
    case 'ping': return {};
    case 'tools/list': return { tools };
    case 'tools/call': return call(message.params.name, message.params.arguments || {});
    default: return undefined;
  }
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.id === undefined) return;
  const result = answer(message);
  const reply = result === undefined ? { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } } : { jsonrpc: '2.0', id: message.id, result };
  process.stdout.write(JSON.stringify(reply) + '\n');
});
`;

describe('production test harness against the sandbox', () => {
  it(
    'passes in admin scope with the simulate write-flow approved through the operator CLI',
    async () => {
      const run = await runHarness(['--sandbox', '--report', 'admin.json'], {
        MCP_ENV: 'test',
        MCP_MODE: 'simulate',
        MCP_STATE_DB: join(workdir, 'admin-state.sqlite'),
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^id\s+layer\s+stat\s+ms\s+message/m);
      expect(run.stderr).toMatch(/PASS: \d+ passed, 0 failed/);
      const report = readReport('admin.json');
      expectWellFormed(report);
      expect(report.ok).toBe(true);
      expect(report.summary.failed).toBe(0);
      expect(report.target).toMatchObject({ transport: 'stdio', sandbox: true });
      expect(report.server).toMatchObject({ environment: 'test', mode: 'simulate', scope: 'admin' });
      expect(report.discovered.client).toBe(1);
      expect(new Set(report.checks.map((entry) => entry.layer))).toEqual(
        new Set([
          'connectivity',
          'auth',
          'discovery',
          'contract',
          'reads',
          'filters',
          'pagination',
          'access',
          'validation',
          'writes',
          'live-writes',
          'hygiene',
        ]),
      );
      expect(check(report, 'contract.read-tools').status).toBe('pass');
      expect(check(report, 'contract.read-tools').message).toMatch(/^\d+ read tools answered/);
      expect(check(report, 'writes.approve').message).toMatch(/operator CLI/);
      expect(check(report, 'writes.execute').message).toMatch(/Simulated/);
      expect(check(report, 'writes.whmcs-state').message).toMatch(/unchanged/);
      expect(check(report, 'writes.audit-chain').status).toBe('pass');
      expect(check(report, 'live-writes.ticket-note')).toMatchObject({
        status: 'skip',
        message: 'needs --allow-writes',
      });
      expect(check(report, 'access.foreign-like-missing').status).toBe('skip');
      expect(check(report, 'hygiene.no-secrets').status).toBe('pass');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'passes in client scope, with foreign ids answered exactly like missing ones',
    async () => {
      const run = await runHarness(['--sandbox', '--report', 'client.json'], {
        MCP_ENV: 'test',
        MCP_MODE: 'simulate',
        MCP_ACCESS_MODE: 'client',
        MCP_ALLOWED_CLIENT_IDS: '1',
        MCP_STATE_DB: join(workdir, 'client-state.sqlite'),
      });
      expect(run.code, run.stderr).toBe(0);
      const report = readReport('client.json');
      expectWellFormed(report);
      expect(report.ok).toBe(true);
      expect(report.server).toMatchObject({ scope: 'client', client_ids: [1] });
      expect(report.discovered.client).toBe(1);
      const foreign = check(report, 'access.foreign-like-missing');
      expect(foreign.status).toBe('pass');
      expect(foreign.message).toMatch(/client, invoice, service, domain, ticket/);
      expect(check(report, 'access.foreign-resources').status).toBe('pass');
      expect(check(report, 'access.unlisted-tools-refused').status).toBe('pass');
      expect(check(report, 'filters.admin-lists').status).toBe('skip');
      expect(check(report, 'writes.draft').message).toMatch(/^reply_ticket/);
      expect(check(report, 'writes.execute').status).toBe('pass');
    },
    RUN_TIMEOUT_MS,
  );
});

describe('production test harness exit codes', () => {
  it(
    'fails a server that leaks stack traces, password fields and its WHMCS secret, without copying the secret',
    async () => {
      const server = join(workdir, 'leaky-server.cjs');
      writeFileSync(server, FAKE_SERVER);
      const secret = 'whmcs-secret-value-that-must-not-leak';
      const run = await runHarness(
        [
          '--command',
          `"${process.execPath}" "${server}"`,
          '--only',
          'contract,hygiene',
          '--report',
          'leaky.json',
        ],
        { WHMCS_SECRET: secret },
      );
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/FAIL: \d+ passed, 2 failed/);
      const report = readReport('leaky.json');
      expectWellFormed(report);
      expect(report.ok).toBe(false);
      const failed = report.checks.filter((entry) => entry.status === 'fail').map((entry) => entry.id);
      expect(failed.sort()).toEqual(['hygiene.no-secrets', 'hygiene.no-stack-traces']);
      expect(check(report, 'hygiene.no-stack-traces').message).toMatch(/tool get_invoice: stack frame/);
      expect(check(report, 'hygiene.no-secrets').message).toMatch(/WHMCS_SECRET/);
      expect(check(report, 'hygiene.no-secrets').message).toMatch(/password-like field/);
      expect(check(report, 'contract.read-tools').status).toBe('pass');
      // The report names the leaked secret, never its value.
      expect(readFileSync(join(workdir, 'leaky.json'), 'utf8')).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'refuses --allow-writes when the server states the production environment (exit 2, nothing run)',
    async () => {
      const server = join(workdir, 'production-server.cjs');
      writeFileSync(server, FAKE_SERVER);
      const run = await runHarness(
        ['--command', `"${process.execPath}" "${server}"`, '--allow-writes', '--report', 'production.json'],
        { FAKE_ENVIRONMENT: 'production' },
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--allow-writes refused: the server says MCP_ENV=production/);
      const report = readReport('production.json');
      expect(report.ok).toBe(false);
      expect(report.refused).toMatch(/production/);
      expect(report.checks).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it('exits 2 on an unknown layer and writes no report', async () => {
    const run = await runHarness(
      ['--sandbox', '--only', 'contract,telepathy', '--report', 'unknown.json'],
      {},
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown layer telepathy/);
    expect(existsSync(join(workdir, 'unknown.json'))).toBe(false);
  });

  it('lists the checks of the selected layers, with the connection and discovery they need, without connecting', async () => {
    const run = await runHarness(['--list', '--only', 'pagination'], {});
    expect(run.code).toBe(0);
    const ids = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0] ?? '');
    expect(ids[0]).toBe('connectivity.initialize');
    expect(ids).toContain('discovery.client');
    expect(ids.filter((id) => id.startsWith('pagination.')).length).toBeGreaterThanOrEqual(3);
    expect(ids.some((id) => id.startsWith('contract.'))).toBe(false);
  });
});

/** The harness's pure building blocks, loaded from the script files the runs above execute. */
interface ScanModule {
  findStackTrace(text: string, untrusted?: string[]): { name: string } | null;
  findUpstreamBody(text: string, untrusted?: string[]): { name: string } | null;
  findSecret(text: string, secrets: { name: string; value: string }[]): { name: string } | null;
  findCardNumber(text: string): { name: string; excerpt: string } | null;
  findSecretFields(value: unknown): string[];
  untrustedTexts(value: unknown): string[];
}
interface AccessModule {
  foreignCandidates(ownIds: number[], count?: number): { id: number; where: string }[];
}
interface PaginationModule {
  pageProblems(page: unknown, asked: { offset: number; limit: number }, label: string): string[];
}
interface OptionsModule {
  splitCommand(line: string): string[];
  parseOptions(argv: string[], env: Record<string, string>): { only: string[] | null; token?: string };
}

async function load<T>(relative: string): Promise<T> {
  const path: string = join(ROOT, 'scripts', 'harness', relative);
  return (await import(path)) as T;
}

describe('harness building blocks', () => {
  it('finds stack frames and source positions, but not in customer-written text', async () => {
    const scan = await load<ScanModule>('scan.mjs');
    expect(scan.findStackTrace('Invoice 9 was not found.')).toBeNull();
    expect(scan.findStackTrace('boom\n    at load (/srv/app/dist/tools/x.js:42:13)')?.name).toBe(
      'stack frame',
    );
    expect(scan.findStackTrace('failed in src/whmcs/client.ts:120')?.name).toBe('source position');
    const structured = {
      subject: { untrusted: true, source: 'customer', text: 'my site says at run (/var/www/app.js:1:2)' },
    };
    const text = JSON.stringify(structured);
    expect(scan.findStackTrace(text)).not.toBeNull();
    expect(scan.findStackTrace(text, scan.untrustedTexts(structured))).toBeNull();
  });

  it('finds HTML pages and raw upstream errors, secrets by name only, card numbers and password fields', async () => {
    const scan = await load<ScanModule>('scan.mjs');
    expect(scan.findUpstreamBody('<!DOCTYPE html><html><body>Maintenance</body></html>')?.name).toBe(
      'HTML page',
    );
    expect(scan.findUpstreamBody('SQLSTATE[42S02]: Base table not found')?.name).toBe('SQL error');
    expect(scan.findUpstreamBody('WHMCS answered with an HTML page instead of an API reply')).toBeNull();
    expect(
      scan.findSecret('x s3cr3t-value-long y', [{ name: 'WHMCS_SECRET', value: 's3cr3t-value-long' }]),
    ).toEqual({
      name: 'WHMCS_SECRET',
    });
    expect(scan.findSecret('token wmcp_abcdefghijklmnopqrstuvwxyz0123', [])?.name).toBe('consumer token');
    expect(scan.findCardNumber('card 4111 1111 1111 1111 on file')?.excerpt).toBe('************1111');
    expect(scan.findCardNumber('card **** **** **** 1111, order 2026112212345678')).toBeNull();
    expect(
      scan.findSecretFields({ items: [{ id: 1, password: 'x1' }, { password: '' }], has_password: true }),
    ).toEqual(['items[0].password']);
  });

  it('derives foreign id candidates from gaps first, then the ids past either end', async () => {
    const access = await load<AccessModule>('layers/access.mjs');
    expect(access.foreignCandidates([3, 4, 7, 20])).toEqual([
      { id: 5, where: 'gap' },
      { id: 6, where: 'gap' },
      { id: 8, where: 'gap' },
    ]);
    expect(access.foreignCandidates([1, 2, 3])).toEqual([
      { id: 4, where: 'edge' },
      { id: 5, where: 'edge' },
    ]);
    expect(access.foreignCandidates([])).toEqual([]);
  });

  it('checks paging fields against what was asked', async () => {
    const pagination = await load<PaginationModule>('layers/pagination.mjs');
    const good = { items: [1, 2], count: 2, total: 5, offset: 2, has_more: true, next_offset: 4 };
    expect(pagination.pageProblems(good, { offset: 2, limit: 2 }, 'p')).toEqual([]);
    const bad = { items: [1, 2], count: 3, total: 4, offset: 2, has_more: true, next_offset: 5 };
    const problems = pagination.pageProblems(bad, { offset: 2, limit: 2 }, 'p');
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).toMatch(/count 3 but 2 items/);
  });

  it('parses options strictly: quoted commands, comma lists of layers, tokens only for HTTP', async () => {
    const options = await load<OptionsModule>('options.mjs');
    expect(options.splitCommand(`"/opt/my node/node" server.js  --flag 'a b'`)).toEqual([
      '/opt/my node/node',
      'server.js',
      '--flag',
      'a b',
    ]);
    expect(options.parseOptions(['--only', 'contract,access', '--only', 'contract'], {}).only).toEqual([
      'contract',
      'access',
    ]);
    expect(() => options.parseOptions(['--token', 'x'], {})).toThrow(/apply to --url/);
    expect(options.parseOptions(['--url', 'https://mcp.example.com/mcp'], { HARNESS_TOKEN: 't' }).token).toBe(
      't',
    );
    expect(() => options.parseOptions(['--url', 'ftp://x'], {})).toThrow(/http/);
  });
});
