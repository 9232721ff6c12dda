/**
 * Prometheus metrics for one runtime, on a registry of its own (never prom-client's global one, so
 * two runtimes in a process, as in tests, never mix their numbers).
 *
 * Every label value comes from a closed list: tool names from the registry, WHMCS actions from
 * the action table, outcomes from the stable error codes, routes from the transport's own route
 * names. Anything else is counted under `unknown` or `other`, so no caller can mint new series.
 * Tool and WHMCS calls are observed through the runtime, whatever the transport; the queue,
 * retries, intents and audit figures are read when Prometheus scrapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODES } from '../errors.js';
import { getAction } from '../whmcs/actions.js';
import type { WhmcsCallEvent } from '../whmcs/client.js';
import { INTENT_STATES } from '../writes/states.js';
import { tokenMatches, type ToolCallEvent } from './dispatch.js';
import type { Runtime } from './runtime.js';

export interface HttpObservation {
  /** The transport's name for the route (`/mcp`, `/metrics`), never the raw request path. */
  route: string;
  status: number;
  durationMs: number;
}

export interface Metrics {
  registry: Registry;
  /** Serves the exposition text; needs `Authorization: Bearer <MCP_METRICS_TOKEN>`. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  observeHttp(event: HttpObservation): void;
  /** Already wired to the runtime: call it only for tool calls that bypass the runtime's dispatcher. */
  observeToolCall(event: ToolCallEvent): void;
  /** Already wired to the runtime's WHMCS client. */
  observeWhmcsCall(event: WhmcsCallEvent): void;
  /** Stops observing the runtime. */
  close(): void;
}

export interface MetricsOptions {
  logger?: Logger | undefined;
  /** Overrides MCP_METRICS_TOKEN from the runtime's configuration. */
  token?: string | undefined;
}

const PREFIX = 'whmcs_mcp_';
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Routes beyond this many distinct names are counted as `other`: a guard, not an expected limit. */
const MAX_ROUTES = 32;
const ROUTE_NAME = /^[A-Za-z0-9_./{}:-]{1,64}$/;
const OUTCOMES: ReadonlySet<string> = new Set(['success', ...ERROR_CODES]);

function outcomeLabel(outcome: string): string {
  return OUTCOMES.has(outcome) ? outcome : 'other';
}

function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

export function createMetrics(runtime: Runtime, options: MetricsOptions = {}): Metrics {
  const logger = options.logger;
  const token = options.token ?? runtime.config.metricsToken;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const toolCalls = new Counter({
    name: `${PREFIX}tool_calls_total`,
    help: 'Tool calls by tool and outcome (success or the stable error code).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [registry],
  });
  const toolLatency = new Histogram({
    name: `${PREFIX}tool_call_duration_seconds`,
    help: 'Tool call latency, from dispatch to result, by tool.',
    labelNames: ['tool'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: `${PREFIX}tool_refusals_total`,
    help: 'Tool calls that did not succeed, by error code (policy refusals, bad input, upstream faults).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const whmcsCalls = new Counter({
    name: `${PREFIX}whmcs_calls_total`,
    help: 'WHMCS API calls by action, kind (read or write) and outcome; retries of one call count once.',
    labelNames: ['action', 'kind', 'outcome'] as const,
    registers: [registry],
  });
  const whmcsLatency = new Histogram({
    name: `${PREFIX}whmcs_call_duration_seconds`,
    help: 'WHMCS API call latency, queueing and retries included, by action.',
    labelNames: ['action'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests by route and status.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const httpLatency = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  // The WHMCS client keeps running totals; counters follow them by the difference at each scrape.
  let seenRequests = 0;
  let seenRetries = 0;
  new Counter({
    name: `${PREFIX}whmcs_http_requests_total`,
    help: 'HTTP requests sent to WHMCS, retries and XML fallbacks included.',
    registers: [registry],
    collect() {
      const { requests } = runtime.whmcs.stats();
      if (requests > seenRequests) this.inc(requests - seenRequests);
      seenRequests = requests;
    },
  });
  new Counter({
    name: `${PREFIX}whmcs_retries_total`,
    help: 'Read calls to WHMCS repeated after a transient fault.',
    registers: [registry],
    collect() {
      const { retries } = runtime.whmcs.stats();
      if (retries > seenRetries) this.inc(retries - seenRetries);
      seenRetries = retries;
    },
  });
  new Gauge({
    name: `${PREFIX}whmcs_queue_depth`,
    help: 'WHMCS calls waiting for the rate limiter.',
    registers: [registry],
    collect() {
      this.set(runtime.whmcs.stats().queued);
    },
  });
  new Gauge({
    name: `${PREFIX}whmcs_running`,
    help: 'WHMCS calls in flight.',
    registers: [registry],
    collect() {
      this.set(runtime.whmcs.stats().running);
    },
  });
  new Gauge({
    name: `${PREFIX}intents`,
    help: 'Write intents by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      try {
        for (const state of INTENT_STATES) {
          this.set({ state }, runtime.store.listIntents({ states: [state], limit: 0, offset: 0 }).total);
        }
      } catch (error) {
        logger?.warn({ err: error }, 'metrics: could not count intents');
      }
    },
  });
  new Gauge({
    name: `${PREFIX}audit_rows`,
    help: 'Rows in the audit chain.',
    registers: [registry],
    collect() {
      try {
        this.set(runtime.store.listAudit({ limit: 0, offset: 0 }).total);
      } catch (error) {
        logger?.warn({ err: error }, 'metrics: could not count audit rows');
      }
    },
  });

  const routes = new Set<string>();
  const routeLabel = (route: string): string => {
    if (!ROUTE_NAME.test(route)) return 'other';
    if (routes.has(route)) return route;
    if (routes.size >= MAX_ROUTES) return 'other';
    routes.add(route);
    return route;
  };

  const observeToolCall = (event: ToolCallEvent): void => {
    // A name the registry does not know came from the caller: never a label of its own.
    const tool = runtime.dispatcher.getTool(event.tool) ? event.tool : 'unknown';
    const outcome = outcomeLabel(event.outcome);
    toolCalls.inc({ tool, outcome });
    toolLatency.observe({ tool }, event.durationMs / 1000);
    if (outcome !== 'success') refusals.inc({ code: outcome });
  };

  const observeWhmcsCall = (event: WhmcsCallEvent): void => {
    const action = getAction(event.action)?.name ?? 'unknown';
    const kind = event.kind === 'read' ? 'read' : 'write';
    whmcsCalls.inc({ action, kind, outcome: outcomeLabel(event.outcome) });
    whmcsLatency.observe({ action }, event.durationMs / 1000);
  };

  const observeHttp = (event: HttpObservation): void => {
    const route = routeLabel(event.route);
    httpRequests.inc({ route, status: statusLabel(event.status) });
    httpLatency.observe({ route }, Math.max(0, event.durationMs) / 1000);
  };

  const stopObserving = runtime.observe({ onToolCall: observeToolCall, onWhmcsCall: observeWhmcsCall });

  const answer = (
    response: ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    });
    response.end(text);
  };

  return {
    registry,
    async handle(request, response) {
      // Without a token the endpoint does not exist, rather than being open to anyone.
      if (token === undefined) return answer(response, 404, 'Not found\n');
      const header = request.headers.authorization ?? '';
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      if (!match || !tokenMatches(match[1], token)) {
        return answer(response, 401, 'Unauthorized\n', { 'www-authenticate': 'Bearer realm="metrics"' });
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return answer(response, 405, 'Method not allowed\n', { allow: 'GET, HEAD' });
      }
      let exposition: string;
      try {
        exposition = await registry.metrics();
      } catch (error) {
        logger?.error({ err: error }, 'metrics: collection failed');
        return answer(response, 500, 'Metrics collection failed\n');
      }
      response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : exposition);
    },
    observeHttp,
    observeToolCall,
    observeWhmcsCall,
    close() {
      stopObserving();
    },
  };
}
