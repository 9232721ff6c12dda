import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxHandler } from '../../src/sandbox/context.js';
import {
  FAULT_KINDS,
  FaultInjector,
  FaultSettingsError,
  faultSettingsFromEnv,
  mergeFaultSettings,
  parseFaultSettings,
  type FaultDecision,
  type FaultSettings,
} from '../../src/sandbox/faults.js';
import { EXAMPLE_REPLIES } from '../../src/sandbox/generated/example-replies.js';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import type { ActionDefinition } from '../../src/whmcs/action-types.js';

interface TestState {
  seed: number;
  credit: number;
}

function action(name: string, kind: 'read' | 'write', required: string[] = []): ActionDefinition {
  return {
    name,
    summary: name,
    kind,
    risk: 'low',
    effects: [],
    blocked: false,
    params: required.map((param) => ({ name: param, type: 'string', required: true, description: '' })),
    paged: false,
    errors: [],
  };
}

const actions = new Map(
  [action('GetCredit', 'read'), action('AddCredit', 'write', ['amount']), action('GetInvoice', 'read')].map(
    (entry) => [entry.name.toLowerCase(), entry],
  ),
);

const handlers: Record<string, SandboxHandler<TestState>> = {
  GetCredit: (_params, context) => ({ credit: context.state.credit.toFixed(2), seed: context.state.seed }),
  AddCredit: (params, context) => {
    context.state.credit += Number(params['amount']);
    return { newbalance: context.state.credit.toFixed(2) };
  },
  GetInvoice: () => ({ invoiceid: 1, notes: 'x'.repeat(200) }),
};

const ADMIN_TOKEN = 'fault-admin-token';
const faults = new FaultInjector();
let sandbox: SandboxServer<TestState>;

beforeAll(async () => {
  sandbox = await startSandboxServer<TestState>({
    host: '127.0.0.1',
    port: 0,
    identifier: 'id',
    secret: 'secret',
    adminUsername: 'admin',
    adminPassword: 'pw',
    ipAllowlist: [],
    accessKey: undefined,
    trustClientIpHeader: true,
    adminToken: ADMIN_TOKEN,
    maxBodyBytes: 64 * 1024,
    inputLimits: {},
    whmcsVersion: '8.13.1',
    faults,
    handlers,
    lookupAction: (name) => actions.get(name.toLowerCase()),
    exampleReplies: EXAMPLE_REPLIES,
    createState: (reset) => ({ seed: reset.seed ?? 7, credit: 0 }),
    now: () => new Date('2025-01-15T10:00:00Z'),
    logger: undefined,
  });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(() => {
  faults.clear();
});

interface Reply {
  status: number;
  contentType: string | null;
  text: string;
}

async function call(params: Record<string, string>, signal?: AbortSignal): Promise<Reply> {
  const response = await fetch(sandbox.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ identifier: 'id', secret: 'secret', ...params }).toString(),
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

async function admin(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Reply> {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

function decisions(settings: FaultSettings, count: number, actionName = 'GetCredit'): FaultDecision[] {
  const injector = new FaultInjector(settings);
  return Array.from({ length: count }, () => injector.decide(actionName));
}

describe('FaultInjector', () => {
  it('is off by default and decides nothing', () => {
    const injector = new FaultInjector();
    expect(injector.active).toBe(false);
    expect(injector.decide('GetInvoice')).toEqual({ latencyMs: 0, fault: undefined, status: 200 });
  });

  it('repeats the same faults, statuses and jitter for the same seed', () => {
    const settings: FaultSettings = {
      seed: 42,
      jitterMs: 50,
      rates: { serverError: 0.3, hang: 0.1, emptyBody: 0.1 },
    };
    const first = decisions(settings, 200);
    expect(decisions(settings, 200)).toEqual(first);
    expect(decisions({ ...settings, seed: 43 }, 200)).not.toEqual(first);
    const serverErrors = first.filter((decision) => decision.fault === 'serverError');
    // 200 draws at 30% land far from 0 and 200 for any seed.
    expect(serverErrors.length).toBeGreaterThan(30);
    expect(serverErrors.length).toBeLessThan(90);
    expect(new Set(serverErrors.map((decision) => decision.status))).toEqual(new Set([500, 502, 503]));
    expect(first.every((decision) => decision.latencyMs >= 0 && decision.latencyMs <= 50)).toBe(true);
  });

  it('fails the next N calls in order, optionally for one action only, before any rate', () => {
    const injector = new FaultInjector({
      next: [
        { fault: 'maintenance', count: 2 },
        { fault: 'truncated', action: 'addcredit' },
      ],
    });
    expect(injector.decide('GetCredit').fault).toBe('maintenance');
    expect(injector.pending()).toEqual([
      { fault: 'maintenance', remaining: 1 },
      { fault: 'truncated', remaining: 1, action: 'addcredit' },
    ]);
    expect(injector.decide('AddCredit').fault).toBe('maintenance');
    expect(injector.decide('GetCredit').fault).toBeUndefined();
    expect(injector.decide('AddCredit').fault).toBe('truncated');
    expect(injector.decide('AddCredit').fault).toBeUndefined();
    expect(injector.active).toBe(false);
  });

  it('applies per-action latency and limits rates to the listed actions', () => {
    const injector = new FaultInjector({
      seed: 1,
      latencyMs: 5,
      latencyByAction: { GetInvoice: 40 },
      rates: { invalidIp: 1 },
      actions: ['getinvoice'],
    });
    expect(injector.decide('GETINVOICE')).toEqual({ latencyMs: 40, fault: 'invalidIp', status: 200 });
    expect(injector.decide('GetCredit')).toEqual({ latencyMs: 5, fault: undefined, status: 200 });
  });

  it('uses the configured server error statuses', () => {
    expect(
      decisions({ rates: { serverError: 1 }, serverErrorStatuses: [502] }, 5).map(
        (decision) => decision.status,
      ),
    ).toEqual([502, 502, 502, 502, 502]);
  });

  it('refuses settings that cannot work, naming the field', () => {
    expect(() => parseFaultSettings({ rates: { serverError: 0.7, hang: 0.5 } })).toThrow(
      /add up to more than 1/,
    );
    expect(() => parseFaultSettings({ rates: { serverError: 2 } })).toThrow(/rates\.serverError/);
    expect(() => parseFaultSettings({ latencyMs: -1 })).toThrow(FaultSettingsError);
    expect(() => parseFaultSettings({ next: [{ fault: 'explode' }] })).toThrow(/next\.0\.fault/);
    expect(() => parseFaultSettings({ lag: 5 })).toThrow(FaultSettingsError);
    expect(() => parseFaultSettings({ serverErrorStatuses: [404] })).toThrow(/serverErrorStatuses/);
  });

  it('merges settings field by field and rates kind by kind', () => {
    expect(
      mergeFaultSettings(
        { latencyMs: 5, rates: { hang: 0.1 } },
        { jitterMs: 2, rates: { serverError: 0.2 } },
      ),
    ).toEqual({ latencyMs: 5, jitterMs: 2, rates: { hang: 0.1, serverError: 0.2 } });
  });
});

describe('fault settings from the environment', () => {
  it('is undefined when nothing is set', () => {
    expect(faultSettingsFromEnv({ PATH: '/bin' })).toBeUndefined();
  });

  it('reads SANDBOX_FAULTS and lets the single variables override it', () => {
    expect(
      faultSettingsFromEnv({
        SANDBOX_FAULTS: JSON.stringify({
          latencyMs: 100,
          rates: { hang: 0.05 },
          next: [{ fault: 'emptyBody' }],
        }),
        SANDBOX_LATENCY_MS: '20',
        SANDBOX_JITTER_MS: '5',
        SANDBOX_FAULT_SEED: '9',
        SANDBOX_ERROR_RATE: '0.25',
        SANDBOX_MALFORMED_UTF8_RATE: '0.1',
        SANDBOX_FAULT_ACTIONS: 'GetInvoice, GetClients',
      }),
    ).toEqual({
      latencyMs: 20,
      jitterMs: 5,
      seed: 9,
      rates: { hang: 0.05, serverError: 0.25, malformedUtf8: 0.1 },
      next: [{ fault: 'emptyBody' }],
      actions: ['GetInvoice', 'GetClients'],
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => faultSettingsFromEnv({ SANDBOX_ERROR_RATE: 'often' })).toThrow(/SANDBOX_ERROR_RATE/);
    expect(() => faultSettingsFromEnv({ SANDBOX_FAULTS: '{not json' })).toThrow(/SANDBOX_FAULTS/);
    expect(() => faultSettingsFromEnv({ SANDBOX_HANG_RATE: '1.5' })).toThrow(/rates\.hang/);
  });

  it('has one rate variable per fault kind', () => {
    expect(FAULT_KINDS).toHaveLength(7);
  });
});

describe('faults over HTTP', () => {
  it('answers HTTP 5xx with an HTML or plain body before the action runs', async () => {
    const before = sandbox.state.credit;
    faults.set({ seed: 3, next: [{ fault: 'serverError', count: 3 }], serverErrorStatuses: [500, 502, 503] });
    const seen = new Map<number, Reply>();
    for (let i = 0; i < 3; i += 1) {
      const reply = await call({ action: 'AddCredit', amount: '5' });
      seen.set(reply.status, reply);
    }
    for (const [status, reply] of seen) {
      expect([500, 502, 503]).toContain(status);
      if (status === 503) {
        expect(reply.contentType).toContain('text/plain');
        expect(reply.text).toBe('503 Service Unavailable\n');
      } else {
        expect(reply.contentType).toContain('text/html');
        expect(reply.text).toMatch(/<html>/i);
      }
    }
    expect(sandbox.state.credit).toBe(before);
  });

  it('gives each status its own body', async () => {
    faults.set({ rates: { serverError: 1 }, serverErrorStatuses: [502] });
    const gateway = await call({ action: 'GetCredit' });
    expect(gateway.status).toBe(502);
    expect(gateway.text).toContain('<title>502 Bad Gateway</title>');
    faults.set({ rates: { serverError: 1 }, serverErrorStatuses: [500] });
    const internal = await call({ action: 'GetCredit' });
    expect(internal.status).toBe(500);
    expect(internal.text).toContain('<title>500 Internal Server Error</title>');
  });

  it('never answers a hung call, so the client times out', async () => {
    faults.set({ next: [{ fault: 'hang' }] });
    await expect(call({ action: 'GetCredit' }, AbortSignal.timeout(300))).rejects.toThrow(/timeout|aborted/i);
    expect((await call({ action: 'GetCredit' })).status).toBe(200);
  });

  it('sends an HTML maintenance page with HTTP 200', async () => {
    faults.set({ next: [{ fault: 'maintenance' }] });
    const reply = await call({ action: 'GetCredit' });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toContain('text/html');
    expect(reply.text).toContain('<title>Down for Maintenance</title>');
  });

  it('answers 403 Invalid IP with the address WHMCS would see, in the requested encoding', async () => {
    faults.set({ next: [{ fault: 'invalidIp', count: 2 }] });
    const json = await call({ action: 'GetCredit' });
    expect(json.status).toBe(403);
    expect(json.text).toBe('{"result":"error","message":"Invalid IP 127.0.0.1"}');
    const xml = await call({ action: 'GetCredit', responsetype: 'xml' });
    expect(xml.status).toBe(403);
    expect(xml.text).toContain('<message>Invalid IP 127.0.0.1</message>');
  });

  it('fails JSON encoding with the malformed UTF-8 error after the action ran, while XML works', async () => {
    faults.set({ rates: { malformedUtf8: 1 } });
    const before = sandbox.state.credit;
    const json = await call({ action: 'AddCredit', amount: '2' });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toEqual({
      result: 'error',
      message:
        'Error generating JSON encoded response: Malformed UTF-8 characters, possibly incorrectly encoded',
    });
    const xml = await call({ action: 'GetCredit', responsetype: 'xml' });
    expect(xml.text).toContain('<result>success</result>');
    expect(sandbox.state.credit).toBe(before + 2);
  });

  it('cuts the reply in half', async () => {
    const whole = await call({ action: 'GetInvoice' });
    faults.set({ next: [{ fault: 'truncated' }] });
    const cut = await call({ action: 'GetInvoice' });
    expect(cut.status).toBe(200);
    expect(cut.text).toBe(whole.text.slice(0, Math.floor(whole.text.length / 2)));
    expect(() => JSON.parse(cut.text) as unknown).toThrow();
  });

  it('sends HTTP 200 with an empty body after the action ran', async () => {
    const before = sandbox.state.credit;
    faults.set({ next: [{ fault: 'emptyBody' }] });
    const reply = await call({ action: 'AddCredit', amount: '3' });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    expect(sandbox.state.credit).toBe(before + 3);
  });

  it('adds latency before answering', async () => {
    faults.set({ latencyByAction: { GetCredit: 150 } });
    const started = performance.now();
    await call({ action: 'GetCredit' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('produces the same sequence of outcomes for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      faults.set({ seed: 11, rates: { serverError: 0.5 }, serverErrorStatuses: [503] });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await call({ action: 'GetCredit' })).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });
});

describe('admin endpoint', () => {
  it('is not reachable without its token', async () => {
    for (const [method, path] of [
      ['GET', 'faults'],
      ['POST', 'faults'],
      ['DELETE', 'faults'],
      ['POST', 'reset'],
      ['GET', 'stats'],
    ] as const) {
      const wrong = await admin(method, path, method === 'GET' ? undefined : { latencyMs: 1 }, 'wrong-token');
      expect(wrong.status).toBe(404);
      const none = await fetch(`${sandbox.url}/__sandbox/${path}`, { method });
      expect(none.status).toBe(404);
    }
    expect(faults.active).toBe(false);
  });

  it('sets, shows and clears faults', async () => {
    const set = await admin('POST', 'faults', { seed: 5, next: [{ fault: 'emptyBody', count: 2 }] });
    expect(set.status).toBe(200);
    expect(JSON.parse(set.text)).toEqual({
      faults: { seed: 5, next: [{ fault: 'emptyBody', count: 2 }] },
      active: true,
      pending: [{ fault: 'emptyBody', remaining: 2 }],
    });
    expect((await call({ action: 'GetCredit' })).text).toBe('');
    const shown = await fetch(`${sandbox.url}/__sandbox/faults`, {
      headers: { 'x-sandbox-admin-token': ADMIN_TOKEN },
    });
    expect(await shown.json()).toMatchObject({ pending: [{ fault: 'emptyBody', remaining: 1 }] });
    const cleared = await admin('DELETE', 'faults');
    expect(JSON.parse(cleared.text)).toEqual({ faults: {}, active: false, pending: [] });
    expect((await call({ action: 'GetCredit' })).status).toBe(200);
  });

  it('refuses invalid settings with HTTP 400 and keeps the old ones', async () => {
    faults.set({ latencyMs: 1 });
    const bad = await admin('POST', 'faults', { rates: { hang: 3 } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ error: expect.stringMatching(/rates\.hang/) as unknown });
    expect(faults.settings).toEqual({ latencyMs: 1 });
    const notJson = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
  });

  it('reseeds the state and clears the call counts on reset', async () => {
    await call({ action: 'AddCredit', amount: '10' });
    const stats = JSON.parse((await admin('GET', 'stats')).text) as {
      requests: number;
      actions: Record<string, number>;
    };
    expect(stats.actions['AddCredit']).toBeGreaterThan(0);
    const reset = await admin('POST', 'reset', { seed: 99 });
    expect(JSON.parse(reset.text)).toEqual({ reset: true, seed: 99 });
    expect(sandbox.state).toEqual({ seed: 99, credit: 0 });
    expect(JSON.parse((await admin('GET', 'stats')).text)).toEqual({ requests: 0, actions: {} });
    expect((await admin('POST', 'reset', { clients: -1 })).status).toBe(400);
    expect((await admin('POST', 'reset')).status).toBe(200);
    expect(sandbox.state.seed).toBe(7);
  });
});
