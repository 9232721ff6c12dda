/**
 * Metrics through the real stack: tool calls from an SDK client over InMemoryTransport against
 * the sandbox, scraped over a real node:http server, with the exposition text parsed and checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { createMetrics, type Metrics } from '../../src/server/metrics.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { getAction } from '../../src/whmcs/actions.js';
import type { WhmcsCallEvent } from '../../src/whmcs/client.js';
import { INTENT_STATES } from '../../src/writes/states.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

const TOKEN = 'metrics-token-for-tests-0123';
/** A tool name a caller made up, full of characters that would break or flood the exposition. */
const EVIL_TOOL = 'no_such_tool"} 1\nwhmcs_mcp_fake{x="y';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.find(
    (sample) =>
      sample.name === name &&
      Object.keys(sample.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return found?.value;
}

function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function listen(metrics: Metrics): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void metrics.handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('metrics', () => {
  let harness: Harness;
  let metrics: Metrics;
  let server: Server;
  let url: string;
  const whmcsEvents: WhmcsCallEvent[] = [];

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    return { text, samples: parseExposition(text) };
  };

  beforeAll(async () => {
    harness = await startHarness({ env: { MCP_MODE: 'simulate', MCP_METRICS_TOKEN: TOKEN } });
    // An independent observer through the same runtime hook: what metrics must agree with.
    harness.runtime.observe({ onWhmcsCall: (event) => whmcsEvents.push(event) });
    metrics = createMetrics(harness.runtime);
    ({ server, url } = await listen(metrics));
  });

  afterAll(async () => {
    metrics.close();
    await closeServer(server);
    await harness.close();
  });

  it('requires the metrics token, compared whole', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      'Bearer ',
    ]) {
      const response = await fetch(url, { headers: authorization === undefined ? {} : { authorization } });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain('whmcs_mcp_');
    }
    const post = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(405);
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: `bearer ${TOKEN}` } });
    expect(head.status).toBe(200);
  });

  it('answers 404 when no metrics token is configured', async () => {
    const plain = await startHarness({ sandbox: harness.sandbox });
    const off = createMetrics(plain.runtime);
    const listening = await listen(off);
    try {
      const response = await fetch(listening.url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
    } finally {
      off.close();
      await closeServer(listening.server);
      await plain.close();
    }
  });

  it('counts tool calls by tool and outcome, refusals by code, and latency by tool', async () => {
    await callOk(harness.client, 'get_currencies');
    await callOk(harness.client, 'get_currencies');
    expect((await callError(harness.client, 'get_invoice', { invoice_id: 'x' })).code).toBe('invalid_input');
    expect((await callError(harness.client, 'get_invoice', { invoice_id: 99_999_999 })).code).toBe(
      'not_found',
    );
    const unknownCode = (await callError(harness.client, EVIL_TOOL)).code;

    const { text, samples } = await scrape();
    expect(
      valueOf(samples, 'whmcs_mcp_tool_calls_total', { tool: 'get_currencies', outcome: 'success' }),
    ).toBe(2);
    expect(
      valueOf(samples, 'whmcs_mcp_tool_calls_total', { tool: 'get_invoice', outcome: 'invalid_input' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'whmcs_mcp_tool_calls_total', { tool: 'get_invoice', outcome: 'not_found' }),
    ).toBe(1);
    expect(valueOf(samples, 'whmcs_mcp_tool_calls_total', { tool: 'unknown', outcome: unknownCode })).toBe(1);
    expect(valueOf(samples, 'whmcs_mcp_tool_refusals_total', { code: 'not_found' })).toBe(
      unknownCode === 'not_found' ? 2 : 1,
    );
    expect(sumOf(samples, 'whmcs_mcp_tool_refusals_total')).toBe(3);
    expect(valueOf(samples, 'whmcs_mcp_tool_call_duration_seconds_count', { tool: 'get_currencies' })).toBe(
      2,
    );
    expect(
      valueOf(samples, 'whmcs_mcp_tool_call_duration_seconds_bucket', { tool: 'get_currencies', le: '+Inf' }),
    ).toBe(2);
    expect(text).not.toContain('no_such_tool');
    expect(text).not.toContain('whmcs_mcp_fake');
  });

  it('counts WHMCS calls by action, kind and outcome, agreeing with the runtime hook', async () => {
    const { samples } = await scrape();
    const getCurrencies = whmcsEvents.filter((event) => event.action === 'GetCurrencies').length;
    expect(getCurrencies).toBeGreaterThanOrEqual(2);
    expect(
      valueOf(samples, 'whmcs_mcp_whmcs_calls_total', {
        action: 'GetCurrencies',
        kind: 'read',
        outcome: 'success',
      }),
    ).toBe(getCurrencies);
    expect(sumOf(samples, 'whmcs_mcp_whmcs_calls_total')).toBe(whmcsEvents.length);
    expect(sumOf(samples, 'whmcs_mcp_whmcs_call_duration_seconds_count')).toBe(whmcsEvents.length);
  });

  it('reports retries and requests from the WHMCS client, and the limiter gauges', async () => {
    const before = await scrape();
    const retriesBefore = valueOf(before.samples, 'whmcs_mcp_whmcs_retries_total') ?? 0;
    harness.sandbox.faults.set({ next: [{ fault: 'serverError', count: 1, action: 'GetCurrencies' }] });
    await callOk(harness.client, 'get_currencies');
    harness.sandbox.faults.clear();
    const { samples } = await scrape();
    expect(valueOf(samples, 'whmcs_mcp_whmcs_retries_total')).toBe(retriesBefore + 1);
    expect(valueOf(samples, 'whmcs_mcp_whmcs_http_requests_total')).toBe(
      harness.runtime.whmcs.stats().requests,
    );
    expect(valueOf(samples, 'whmcs_mcp_whmcs_queue_depth')).toBe(0);
    expect(valueOf(samples, 'whmcs_mcp_whmcs_running')).toBe(0);
  });

  it('reports intents by state and audit rows from the store at scrape time', async () => {
    const before = await scrape();
    for (const state of INTENT_STATES)
      expect(valueOf(before.samples, 'whmcs_mcp_intents', { state })).toBe(0);
    await callOk(harness.client, 'draft_write_intent', {
      action: 'AddCredit',
      params: { clientid: 1, amount: '5.00', description: 'Goodwill' },
      reason: 'Metrics test',
    });
    const { samples } = await scrape();
    expect(valueOf(samples, 'whmcs_mcp_intents', { state: 'draft' })).toBe(1);
    const auditRows = harness.runtime.store.listAudit({ limit: 0, offset: 0 }).total;
    expect(auditRows).toBeGreaterThan(0);
    expect(valueOf(samples, 'whmcs_mcp_audit_rows')).toBe(auditRows);
  });

  it('counts HTTP requests by route and status, folding unknown routes and statuses', async () => {
    metrics.observeHttp({ route: '/mcp', status: 200, durationMs: 12 });
    metrics.observeHttp({ route: '/mcp', status: 200, durationMs: 30 });
    metrics.observeHttp({ route: '/mcp', status: 429, durationMs: 1 });
    metrics.observeHttp({ route: '/mcp?client="1"\n', status: 1000, durationMs: 1 });
    for (let index = 0; index < 40; index += 1) {
      metrics.observeHttp({ route: `/route-${index}`, status: 404, durationMs: 1 });
    }
    const { text, samples } = await scrape();
    expect(valueOf(samples, 'whmcs_mcp_http_requests_total', { route: '/mcp', status: '200' })).toBe(2);
    expect(valueOf(samples, 'whmcs_mcp_http_requests_total', { route: '/mcp', status: '429' })).toBe(1);
    expect(valueOf(samples, 'whmcs_mcp_http_requests_total', { route: 'other', status: 'other' })).toBe(1);
    expect(valueOf(samples, 'whmcs_mcp_http_request_duration_seconds_count', { route: '/mcp' })).toBe(3);
    const routes = new Set(
      samples
        .filter((sample) => sample.name === 'whmcs_mcp_http_requests_total')
        .map((sample) => sample.labels.route),
    );
    expect(routes.size).toBeLessThanOrEqual(33);
    expect(routes.has('other')).toBe(true);
    expect(text).not.toContain('client=');
  });

  it('labels only with values from closed lists', async () => {
    const { samples } = await scrape();
    const allowed: Record<string, ReadonlySet<string>> = {
      tool: new Set([...ALL_TOOLS.map((tool) => tool.name), 'unknown']),
      outcome: new Set(['success', ...ERROR_CODES, 'other']),
      code: new Set([...ERROR_CODES, 'other']),
      kind: new Set(['read', 'write']),
      state: new Set(INTENT_STATES),
    };
    // The default process metrics carry prom-client's own labels (gc kind, heap space); ours are checked.
    const ours = /^whmcs_mcp_(tool_|whmcs_|http_|intents|audit_)/;
    for (const sample of samples.filter((candidate) => ours.test(candidate.name))) {
      for (const [label, value] of Object.entries(sample.labels)) {
        if (label === 'action')
          expect(value === 'unknown' || getAction(value)?.name === value, value).toBe(true);
        else if (allowed[label]) expect(allowed[label].has(value), `${label}=${value}`).toBe(true);
      }
    }
  });

  it('includes the default process metrics on its own registry', async () => {
    const { samples } = await scrape();
    expect(valueOf(samples, 'whmcs_mcp_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name.startsWith('whmcs_mcp_nodejs_heap_size_total_bytes'))).toBe(
      true,
    );
    expect(samples.every((sample) => sample.name.startsWith('whmcs_mcp_'))).toBe(true);
  });

  it('stops counting after close', async () => {
    const other = createMetrics(harness.runtime);
    await callOk(harness.client, 'get_currencies');
    const counted = async () =>
      parseExposition(await other.registry.metrics()).find(
        (sample) => sample.name === 'whmcs_mcp_tool_calls_total' && sample.labels.tool === 'get_currencies',
      )?.value;
    expect(await counted()).toBe(1);
    other.close();
    await callOk(harness.client, 'get_currencies');
    expect(await counted()).toBe(1);
  });
});
