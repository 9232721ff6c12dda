import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo, removeCapturedDirectories } from './io.js';

interface WhmcsAnswer {
  status?: number;
  contentType?: string;
  body: string;
}

const IDENTIFIER = 'Doctor-Ident-5521';
const SECRET = 'Doctor-Secret-8830';
const PERMISSIONS = [
  'Main Homepage',
  'List Clients',
  'List Services',
  'List Domains',
  'List Invoices',
  'List Transactions',
  'View Orders',
  'List Support Tickets',
  'Manage Credits',
  'Decrypt Full Credit Card Number',
].join(',');

const servers: Server[] = [];

afterEach(async () => {
  removeCapturedDirectories();
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

const json = (value: unknown, status = 200): WhmcsAnswer => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(value),
});

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return new URLSearchParams(body);
}

/** A stand-in WHMCS at /includes/api.php answering through `answer`; records every form it got. */
async function startWhmcs(answer: (form: URLSearchParams) => WhmcsAnswer) {
  const forms: URLSearchParams[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void readForm(request).then((form) => {
      forms.push(form);
      const reply =
        request.method === 'POST' && request.url === '/includes/api.php'
          ? answer(form)
          : { status: 404, contentType: 'text/plain', body: 'not here' };
      response.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
      response.end(reply.body);
    });
  });
  servers.push(server);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forms };
}

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

function healthyWhmcs(form: URLSearchParams): WhmcsAnswer {
  if (form.get('identifier') !== IDENTIFIER || form.get('secret') !== SECRET) {
    return json({ result: 'error', message: 'Authentication Failed' }, 403);
  }
  switch (form.get('action')) {
    case 'WhmcsDetails':
      return json({ result: 'success', whmcs: { version: '8.13.1', canonicalversion: '8.13.1-release.1' } });
    case 'GetAdminDetails':
      return json({
        result: 'success',
        adminid: '1',
        name: 'API Robot',
        allowedpermissions: PERMISSIONS,
        departments: ',1,',
        whmcs: { version: '8.13.1', canonicalversion: '8.13.1-release.1' },
      });
    default:
      return json({ result: 'error', message: 'Command Not Found' });
  }
}

function envFor(url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    WHMCS_API_URL: url,
    WHMCS_ALLOW_HTTP: 'true',
    WHMCS_IDENTIFIER: IDENTIFIER,
    WHMCS_SECRET: SECRET,
    ...extra,
  };
}

async function doctor(env: NodeJS.ProcessEnv, flags: string[] = [], prepare?: (cwd: string) => void) {
  const io = captureIo(env);
  prepare?.(io.cwd);
  const code = await runCli(['doctor', ...flags], io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

function expectNoSecrets(...outputs: string[]): void {
  for (const output of outputs) {
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(IDENTIFIER);
  }
}

describe('whmcs-mcp doctor against WHMCS', () => {
  it('tells unreachable, wrong credentials and success apart, with their exit codes', async () => {
    const port = await closedPort();
    const unreachable = await doctor(envFor(`http://127.0.0.1:${port}`));

    const rejecting = await startWhmcs(() =>
      json({ result: 'error', message: 'Authentication Failed' }, 403),
    );
    const wrongCredentials = await doctor(envFor(rejecting.url));

    const healthy = await startWhmcs(healthyWhmcs);
    const success = await doctor(envFor(healthy.url));

    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain(
      `[FAIL] WHMCS connection: WHMCS at 127.0.0.1:${port} is unreachable.`,
    );
    expect(unreachable.stdout).toContain('nothing accepts connections');
    expect(unreachable.stdout).toContain('[skip] API permissions');

    expect(wrongCredentials.code).toBe(1);
    expect(wrongCredentials.stdout).toContain(
      `[FAIL] WHMCS connection: WHMCS at ${new URL(rejecting.url).host} rejected the API credentials (Authentication Failed).`,
    );
    expect(wrongCredentials.stdout).toContain('Check WHMCS_IDENTIFIER and WHMCS_SECRET');

    expect(success.code).toBe(0);
    expect(success.stdout).toContain('[ok]   Configuration: valid: development, read_only, admin mode');
    expect(success.stdout).toContain(
      `[ok]   WHMCS connection: connected to WHMCS 8.13.1 at ${new URL(healthy.url).host}`,
    );
    expect(success.stdout).toContain(`API endpoint ${healthy.url}/includes/api.php`);
    expect(success.stdout).toContain(
      '[ok]   API permissions: admin "API Robot" behind this credential has 10 permissions',
    );
    expect(success.stdout).toContain(
      'can read: clients, services, domains, invoices, transactions, orders, support',
    );
    expect(success.stdout).toContain('cannot read: reports');
    expect(success.stdout).toContain('can move money: Manage Credits');
    expect(success.stdout).toContain('broader than this server needs: Decrypt Full Credit Card Number');
    expect(success.stdout).toContain('All checks passed.');

    const connectionLines = [unreachable, wrongCredentials, success].map(
      (result) => result.stdout.split('\n').find((line) => line.includes('WHMCS connection:')) ?? '',
    );
    expect(new Set(connectionLines).size).toBe(3);

    expect(healthy.forms.map((form) => form.get('action'))).toEqual(['WhmcsDetails', 'GetAdminDetails']);
    for (const form of healthy.forms) expect(form.get('responsetype')).toBe('json');
    for (const result of [unreachable, wrongCredentials, success]) {
      expect(result.stderr).toBe('');
      expectNoSecrets(result.stdout);
    }
  });

  it('names the refused IP and the two ways to fix it', async () => {
    const whmcs = await startWhmcs(() => json({ result: 'error', message: 'Invalid IP 203.0.113.9' }, 403));
    const result = await doctor(envFor(whmcs.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("does not accept API calls from this machine's IP address 203.0.113.9.");
    expect(result.stdout).toContain('Add 203.0.113.9 to the API IP allowlist');
    expect(result.stdout).toContain('WHMCS_ACCESS_KEY');
  });

  it('recognizes an HTML page where the JSON reply should be', async () => {
    const whmcs = await startWhmcs(() => ({
      contentType: 'text/html',
      body: '<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>',
    }));
    const result = await doctor(envFor(whmcs.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('answered with a web page instead of a JSON API reply');
    expect(result.stdout).toContain('maintenance page');
    expect(result.stdout).not.toContain('Down for maintenance');
  });

  it('says the role lacks GetAdminDetails instead of failing', async () => {
    const whmcs = await startWhmcs((form) =>
      form.get('action') === 'GetAdminDetails'
        ? json({
            result: 'error',
            message: 'Invalid Permissions: API action "getadmindetails" is not allowed',
          })
        : healthyWhmcs(form),
    );
    const result = await doctor(envFor(whmcs.url));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "[warn] API permissions: the credential's API role lacks GetAdminDetails",
    );
    expect(result.stdout).toContain('All checks passed.');
  });

  it('takes the version from GetAdminDetails when WHMCS predates WhmcsDetails', async () => {
    const whmcs = await startWhmcs((form) =>
      form.get('action') === 'WhmcsDetails'
        ? json({ result: 'error', message: 'Command Not Found' })
        : healthyWhmcs(form),
    );
    const result = await doctor(envFor(whmcs.url));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[warn] WHMCS connection: connected to WHMCS 8.13.1');
    expect(result.stdout).toContain('(from GetAdminDetails)');
  });
});

describe('whmcs-mcp doctor configuration', () => {
  it('reports every configuration problem and still probes WHMCS', async () => {
    const whmcs = await startWhmcs(healthyWhmcs);
    const result = await doctor(
      envFor(whmcs.url, {
        MCP_MODE: 'everything',
        MCP_AUTH_TOKEN: 'Doctor-Token-1',
        MCP_ACCESS_MODE: 'client',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[FAIL] Configuration: 3 problems');
    expect(result.stdout).toContain("MCP_MODE: must be one of read_only, simulate, full; got 'everything'");
    expect(result.stdout).toContain('MCP_ALLOWED_CLIENT_IDS: is required when MCP_ACCESS_MODE=client');
    expect(result.stdout).toContain('MCP_AUTH_TOKEN: must be at least 16 characters long');
    expect(result.stdout).toContain('[ok]   WHMCS connection: connected to WHMCS 8.13.1');
    expect(result.stdout).not.toContain('Doctor-Token-1');
    expectNoSecrets(result.stdout);
  });

  it('checks list entries against the toolsets, tools and WHMCS actions the server knows', async () => {
    const whmcs = await startWhmcs(healthyWhmcs);
    const result = await doctor(
      envFor(whmcs.url, {
        MCP_TOOLSETS: 'billing,bilings',
        MCP_TOOL_DENYLIST: 'no_such_tool_zz',
        MCP_WRITE_ALLOWLIST: 'AddCredits,GetClients,ModuleChangePw,AddCredit',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[FAIL] Server settings: 5 entries need a look');
    expect(result.stdout).toContain(
      "MCP_TOOLSETS: unknown 'bilings' (did you mean billing?); the server refuses to start",
    );
    expect(result.stdout).toContain("warning: MCP_TOOL_DENYLIST: no tool is named 'no_such_tool_zz'");
    expect(result.stdout).toContain("WHMCS has no action 'AddCredits' (did you mean AddCredit?)");
    expect(result.stdout).toContain('GetClients is a read action');
    expect(result.stdout).toContain('ModuleChangePw is blocked by this server');
    expect(result.stdout).not.toMatch(/AddCredit is/);
    expect(result.stdout).toContain('[ok]   WHMCS connection');
  });

  it('does not probe over http unless allowed, and says why', async () => {
    const whmcs = await startWhmcs(healthyWhmcs);
    const result = await doctor(envFor(whmcs.url, { WHMCS_ALLOW_HTTP: 'false' }));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('WHMCS_API_URL: uses http://');
    expect(result.stdout).toContain('[skip] WHMCS connection: not checked');
    expect(whmcs.forms).toHaveLength(0);
  });

  it('reads .env files from the working directory', async () => {
    const whmcs = await startWhmcs(healthyWhmcs);
    const result = await doctor({ MCP_ENV: 'local' }, [], (cwd) => {
      writeFileSync(join(cwd, '.env'), `WHMCS_IDENTIFIER=${IDENTIFIER}\nWHMCS_SECRET=${SECRET}\n`);
      writeFileSync(join(cwd, '.env.local'), `WHMCS_API_URL=${whmcs.url}\nWHMCS_ALLOW_HTTP=true\n`);
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(MCP_ENV=local; read .env, .env.local, the process environment)');
  });
});

describe('whmcs-mcp doctor --json', () => {
  it('prints a machine-readable report with stable outcomes', async () => {
    const whmcs = await startWhmcs(healthyWhmcs);
    const success = await doctor(envFor(whmcs.url), ['--json']);
    const report = JSON.parse(success.stdout) as {
      ok: boolean;
      checks: { id: string; status: string; data: Record<string, unknown> }[];
    };
    expect(success.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['configuration', 'pass'],
      ['server_settings', 'pass'],
      ['whmcs_connection', 'pass'],
      ['api_permissions', 'pass'],
    ]);
    const byId = (checks: typeof report.checks, id: string) => checks.find((check) => check.id === id);
    expect(byId(report.checks, 'whmcs_connection')?.data).toMatchObject({
      outcome: 'connected',
      version: '8.13.1',
    });
    expect(byId(report.checks, 'api_permissions')?.data.readableAreas).toContain('clients');

    const rejecting = await startWhmcs(() =>
      json({ result: 'error', message: 'Authentication Failed' }, 403),
    );
    const failure = await doctor(envFor(rejecting.url), ['--json']);
    const failed = JSON.parse(failure.stdout) as typeof report;
    expect(failure.code).toBe(1);
    expect(failed.ok).toBe(false);
    expect(byId(failed.checks, 'whmcs_connection')).toMatchObject({
      status: 'fail',
      data: { outcome: 'wrong_credentials', code: 'auth_failed' },
    });
    expectNoSecrets(success.stdout, failure.stdout);
  });

  it('keeps secrets out of the verbose call log as well', async () => {
    const whmcs = await startWhmcs(() => json({ result: 'error', message: 'Authentication Failed' }, 403));
    const result = await doctor(envFor(whmcs.url, { WHMCS_ACCESS_KEY: 'Doctor-Key-4410' }), ['--verbose']);
    expect(result.stderr).toContain('WhmcsDetails');
    expectNoSecrets(result.stdout, result.stderr);
    expect(`${result.stdout}${result.stderr}`).not.toContain('Doctor-Key-4410');
  });
});
