// Reads through the MCP server against direct WHMCS calls, both on one sandbox in this process:
// the per-call overhead of get_invoice over stdio, and the fan-out of get_account_360 at 50 ms
// of WHMCS latency. The server is spawned pointed at that sandbox, so both paths hit the same data.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { URLSearchParams } from 'node:url';
import { callTool, serverEnv, startStdioServer } from './stdio-server.mjs';
import {
  check,
  importDist,
  processCpuMs,
  processMemory,
  progress,
  round,
  scratchDir,
  settledRss,
  summarize,
} from './util.mjs';

/** The same rate limit on both paths; WHMCS_RATE_LIMIT accepts at most 1000 calls per second. */
const RATE_LIMIT = 1000;

function actionDelta(before, after) {
  const delta = {};
  for (const [action, count] of Object.entries(after.actions)) {
    const added = count - (before.actions[action] ?? 0);
    if (added > 0) delta[action] = added;
  }
  return delta;
}

const sumCounts = (counts) => Object.values(counts).reduce((sum, count) => sum + count, 0);

/**
 * The WHMCS calls get_invoice makes for one invoice, replayed directly in the tool's order: the
 * invoice, the currency list when the tool needed it, then the owner's details for its currency.
 */
async function replayGetInvoice(whmcs, invoiceId, usesCurrencies) {
  const invoice = await whmcs.call('GetInvoice', { invoiceid: invoiceId });
  if (usesCurrencies) await whmcs.call('GetCurrencies');
  await whmcs.call('GetClientsDetails', { clientid: invoice.userid, stats: false });
}

async function measureReadOverhead({ server, sandbox, whmcs, samples, warmup, budgetMs }) {
  const invoiceIds = [...sandbox.state.invoices.keys()].sort((a, b) => a - b).slice(0, 100);
  // Calibration: which WHMCS calls the tool makes per invoice (the direct replay repeats them).
  const callsPerInvoice = new Map();
  for (const invoiceId of invoiceIds) {
    const before = sandbox.stats();
    await callTool(server.client, 'get_invoice', { invoice_id: invoiceId });
    callsPerInvoice.set(invoiceId, actionDelta(before, sandbox.stats()));
  }
  const toolCalls = [...callsPerInvoice.values()].map(sumCounts);
  const meanCalls = toolCalls.reduce((sum, count) => sum + count, 0) / toolCalls.length;
  const mix = {};
  for (const counts of callsPerInvoice.values()) {
    for (const [action, count] of Object.entries(counts)) mix[action] = (mix[action] ?? 0) + count;
  }

  const viaTool = [];
  const directSingle = [];
  const directReplay = [];
  const noUpstreamTool = [];
  const paths = [
    async (invoiceId, record) => {
      const started = performance.now();
      await callTool(server.client, 'get_invoice', { invoice_id: invoiceId });
      if (record) viaTool.push(performance.now() - started);
    },
    async (invoiceId, record) => {
      const started = performance.now();
      await whmcs.call('GetInvoice', { invoiceid: invoiceId });
      if (record) directSingle.push(performance.now() - started);
    },
    async (invoiceId, record) => {
      const usesCurrencies = (callsPerInvoice.get(invoiceId).GetCurrencies ?? 0) > 0;
      const started = performance.now();
      await replayGetInvoice(whmcs, invoiceId, usesCurrencies);
      if (record) directReplay.push(performance.now() - started);
    },
    // The floor under any tool over stdio: a tool answered from the action table, no WHMCS call.
    async (_invoiceId, record) => {
      const started = performance.now();
      await callTool(server.client, 'whmcs_list_actions', { limit: 1 });
      if (record) noUpstreamTool.push(performance.now() - started);
    },
  ];
  const total = warmup + samples;
  let cpuAtStart;
  let deadline = Infinity;
  for (let round_ = 0; round_ < total; round_ += 1) {
    if (round_ === warmup) {
      cpuAtStart = processCpuMs(server.pid);
      deadline = performance.now() + budgetMs;
    }
    // A busy machine makes every round slow; the run stops at its time budget and says so.
    if (performance.now() > deadline) break;
    const invoiceId = invoiceIds[round_ % invoiceIds.length];
    const record = round_ >= warmup;
    // The three paths take turns leading, so no path always runs right after another one.
    for (let step = 0; step < paths.length; step += 1) {
      await paths[(round_ + step) % paths.length](invoiceId, record);
    }
    if ((round_ + 1) % 500 === 0) progress(`read overhead ${round_ + 1}/${total} rounds`);
  }
  const cpuAtEnd = processCpuMs(server.pid);
  const measured = viaTool.length;
  const stoppedEarly = measured < samples;
  const serverCpuPerCall =
    cpuAtStart === null || cpuAtEnd === null ? null : round((cpuAtEnd - cpuAtStart) / measured, 3);
  const tool = summarize(viaTool);
  const single = summarize(directSingle);
  const replay = summarize(directReplay);
  const floor = summarize(noUpstreamTool);
  const overheadSingle = { p50: round(tool.p50 - single.p50, 3), p99: round(tool.p99 - single.p99, 3) };
  const overheadReplay = { p50: round(tool.p50 - replay.p50, 3), p99: round(tool.p99 - replay.p99, 3) };
  return {
    id: 'read_overhead',
    title: 'Read overhead: get_invoice over stdio vs direct WHMCS calls',
    method: [
      `One sandbox (seed 1, 50 clients, no latency) in the benchmark process. \`node dist/cli.js serve\` spawned over stdio and pointed at it (WHMCS_API_URL, WHMCS_ALLOW_HTTP=true, MCP_ENV=test, WHMCS_RATE_LIMIT=${RATE_LIMIT}, other settings default: 8 concurrent WHMCS calls, log level info to a drained pipe). The direct path is a WhmcsClient from dist/ with the same rate limit and defaults, in the benchmark process.`,
      `Invoices 1..${invoiceIds.length} in turn; ${warmup} warm-up rounds, then ${measured} rounds${stoppedEarly ? ` (stopped at the ${budgetMs / 1000} s time budget instead of ${samples})` : ''}, each round timing the four paths once in rotating order, one call at a time: get_invoice through stdio; one GetInvoice direct; the same WHMCS calls get_invoice made for that invoice (counted on the sandbox beforehand), replayed direct in the tool's order; and whmcs_list_actions (limit 1) through stdio, a tool that makes no WHMCS call: the floor of any tool call over stdio here (two processes, pipes, JSON-RPC and the SDK on both sides, the dispatcher).`,
      `get_invoice makes ${round(meanCalls, 2)} WHMCS calls on average (GetInvoice plus the owner's GetClientsDetails for the currency code, and GetCurrencies where a transaction carries its own currency), so against one GetInvoice the difference includes whole extra WHMCS round trips; against the replay it is the MCP server's own cost (stdio framing, JSON-RPC, policy, validation, projection, redaction, output schema) plus the second process.`,
      'The RSS of the spawned server is read before the load (settled) and its VmHWM after the read and fan-out runs; its CPU time (utime + stime from /proc/<pid>/stat) over the measured rounds, divided by the rounds, is its CPU cost per get_invoice.',
      'Context, 300 samples each after the rounds: one GetInvoice sent with undici.request straight to the sandbox (no WhmcsClient), and an empty job through the default limiter of the WhmcsClient set up the same way (8 concurrent, the same rate); together they show what a direct call costs before the client adds anything.',
      "Context, in process: get_invoice through ToolDispatcher.call in the benchmark process (a runtime from dist/ on the same sandbox, in-memory state, log level info to a discarding stream) alternating with GetInvoice + GetClientsDetails made directly, 100 warm-up and 1000 measured rounds, invoices 1..100; the difference is the server's own work per call without stdio, JSON-RPC or the SDK.",
    ],
    samples: {
      warmup_rounds: warmup,
      measured_per_path: measured,
      planned_per_path: samples,
      invoices: invoiceIds.length,
    },
    figures: {
      whmcs_calls_per_get_invoice: { mean: round(meanCalls, 2), by_action_over_calibration: mix },
      get_invoice_via_stdio_ms: tool,
      direct_single_get_invoice_ms: single,
      direct_same_whmcs_calls_ms: replay,
      overhead_vs_single_get_invoice_ms: overheadSingle,
      overhead_vs_same_whmcs_calls_ms: overheadReplay,
      tool_without_whmcs_call_via_stdio_ms: floor,
      // CPU the server process spent per get_invoice (its WHMCS client included), robust to a busy machine.
      server_cpu_ms_per_get_invoice: serverCpuPerCall,
    },
    checks: [
      check('Read overhead p50, get_invoice vs one direct GetInvoice', overheadSingle.p50, 'ms', 0.5),
      check('Read overhead p50, get_invoice vs its own WHMCS calls direct', overheadReplay.p50, 'ms', 0.5),
    ],
  };
}

/** get_account_360 against one direct call, alternating, at the sandbox latency given. */
async function sampleFanOut({ server, sandbox, whmcs, samples, latencyMs, clientId }) {
  sandbox.faults.set({ latencyMs });
  try {
    const aggregator = [];
    const single = [];
    const callCounts = [];
    // Two warm-up calls each at this latency (connection pool refill, first-call costs).
    for (let warm = 0; warm < 2; warm += 1) {
      await callTool(server.client, 'get_account_360', { client_id: clientId });
      await whmcs.call('GetClientsDetails', { clientid: clientId, stats: false });
    }
    let mix = {};
    for (let sample = 0; sample < samples; sample += 1) {
      const before = sandbox.stats();
      let started = performance.now();
      await callTool(server.client, 'get_account_360', { client_id: clientId });
      aggregator.push(performance.now() - started);
      const delta = actionDelta(before, sandbox.stats());
      callCounts.push(sumCounts(delta));
      mix = delta;
      started = performance.now();
      await whmcs.call('GetClientsDetails', { clientid: clientId, stats: false });
      single.push(performance.now() - started);
    }
    const fanOut = summarize(aggregator, 1);
    const one = summarize(single, 1);
    return { fanOut, one, ratio: round(fanOut.p50 / one.p50, 2), callCounts: summarize(callCounts, 1), mix };
  } finally {
    sandbox.faults.clear();
  }
}

function fanOutSection({
  measured,
  compared,
  samples,
  comparedSamples,
  latencyMs,
  clientId,
  comparedConcurrency,
}) {
  return {
    id: 'fan_out',
    title: 'Aggregator fan-out: get_account_360 at 50 ms WHMCS latency',
    method: [
      `The same sandbox and spawned server as the read overhead, with faults.set({ latencyMs: ${latencyMs} }) on the sandbox (every WHMCS reply waits ${latencyMs} ms).`,
      `${samples} samples each, alternating: get_account_360 for client ${clientId} through stdio, and one GetClientsDetails direct with a WhmcsClient (the single-call reference). Ratio = p50 of the aggregator / p50 of the single call.`,
      `WHMCS calls per aggregator call are counted on the sandbox (stats() before and after each call). The server runs with the default WHMCS_MAX_CONCURRENCY (8), so all 7 reads can be in flight at once; the target is judged on that default. For comparison only, a second server with WHMCS_MAX_CONCURRENCY=${comparedConcurrency} (the default before this version; 7 reads then go out in two waves) is measured the same way (${comparedSamples} samples).`,
    ],
    samples: { per_path: samples, warmup_per_path: 2, per_path_compared_concurrency: comparedSamples },
    figures: {
      sandbox_latency_ms: latencyMs,
      get_account_360_ms: measured.fanOut,
      single_whmcs_call_ms: measured.one,
      ratio_p50: measured.ratio,
      whmcs_calls_per_get_account_360: measured.callCounts,
      whmcs_calls_by_action: measured.mix,
      [`with_max_concurrency_${comparedConcurrency}`]: compared
        ? {
            get_account_360_ms: compared.fanOut,
            single_whmcs_call_ms: compared.one,
            ratio_p50: compared.ratio,
          }
        : null,
    },
    checks: [check('Fan-out: get_account_360 p50 / one WHMCS call p50', measured.ratio, 'x', 1.5)],
  };
}

/**
 * What one WHMCS round trip costs on this machine without the client (undici.request straight to
 * the sandbox), and what the client's limiter adds by itself (an empty job through the limiter the
 * client uses, set up the same way): the floor under every direct figure.
 */
async function roundTripContext(sandbox, samples) {
  const { Agent, request } = await import('undici');
  const { createLimiter } = await importDist('whmcs/limiter.js');
  const agent = new Agent({ connections: 4, keepAliveTimeout: 30_000 });
  const raw = [];
  const limiterOnly = [];
  const limiter = createLimiter('local', { maxConcurrent: 4, ratePerSecond: RATE_LIMIT });
  try {
    for (let index = 0; index < samples; index += 1) {
      const body = new URLSearchParams({
        action: 'GetInvoice',
        identifier: sandbox.identifier,
        secret: sandbox.secret,
        invoiceid: String((index % 50) + 1),
        responsetype: 'json',
      }).toString();
      let started = performance.now();
      const response = await request(sandbox.apiUrl, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      await response.body.text();
      raw.push(performance.now() - started);
      started = performance.now();
      await limiter.schedule(async () => undefined);
      limiterOnly.push(performance.now() - started);
    }
  } finally {
    await limiter.stop();
    await agent.close();
  }
  return { raw: summarize(raw), limiter: summarize(limiterOnly) };
}

/**
 * The dispatcher's own cost without any transport: get_invoice through ToolDispatcher.call in this
 * process (policy, validation, handler, projection, redaction, rendering, the access log line)
 * against the same WHMCS calls made directly, alternating, on one sandbox and one WhmcsClient each.
 */
async function dispatcherOverhead(sandbox, whmcs, { rounds, warmup }) {
  const { parseConfig } = await importDist('config/schema.js');
  const { createRuntime } = await importDist('server/runtime.js');
  const { createLogger } = await importDist('logging/logger.js');
  const parsed = parseConfig({
    MCP_ENV: 'test',
    MCP_STATE_DB: ':memory:',
    WHMCS_API_URL: sandbox.url,
    WHMCS_IDENTIFIER: sandbox.identifier,
    WHMCS_SECRET: sandbox.secret,
    WHMCS_ALLOW_HTTP: 'true',
    WHMCS_RATE_LIMIT: String(RATE_LIMIT),
  });
  if (!parsed.config) throw new Error(`bench configuration refused: ${JSON.stringify(parsed.problems)}`);
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger({ level: 'info', format: 'json', destination: discard });
  const runtime = createRuntime({ config: parsed.config, logger, version: 'bench' });
  const principal = { id: 'bench', label: 'bench', roles: ['admin'], transport: 'stdio' };
  const invoiceIds = [...sandbox.state.invoices.keys()].sort((a, b) => a - b).slice(0, 100);
  const viaDispatcher = [];
  const direct = [];
  try {
    for (let round_ = 0; round_ < warmup + rounds; round_ += 1) {
      const invoiceId = invoiceIds[round_ % invoiceIds.length];
      let started = performance.now();
      const outcome = await runtime.dispatcher.call({
        name: 'get_invoice',
        arguments: { invoice_id: invoiceId },
        principal,
        signal: new AbortController().signal,
      });
      if (!outcome.ok) throw new Error(`get_invoice failed in process: ${outcome.error.message}`);
      const dispatched = performance.now() - started;
      started = performance.now();
      const invoice = await whmcs.call('GetInvoice', { invoiceid: invoiceId });
      await whmcs.call('GetClientsDetails', { clientid: invoice.userid, stats: false });
      if (round_ >= warmup) {
        viaDispatcher.push(dispatched);
        direct.push(performance.now() - started);
      }
    }
  } finally {
    await runtime.close();
  }
  const tool = summarize(viaDispatcher);
  const replay = summarize(direct);
  return {
    tool,
    replay,
    overhead: { p50: round(tool.p50 - replay.p50, 3), p99: round(tool.p99 - replay.p99, 3) },
  };
}

export async function measureReads({
  samples = 2000,
  warmup = 200,
  fanOutSamples = 20,
  budgetMs = 45_000,
} = {}) {
  const { startSandbox } = await importDist('sandbox/index.js');
  const { WhmcsClient } = await importDist('whmcs/client.js');
  const scratch = scratchDir('reads');
  const sandbox = await startSandbox({ port: 0, seed: 1, clients: 50 });
  const whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: RATE_LIMIT,
  });
  const serverVariables = {
    MCP_ENV: 'test',
    MCP_STATE_DB: join(scratch.path, 'state.sqlite'),
    WHMCS_API_URL: sandbox.url,
    WHMCS_IDENTIFIER: sandbox.identifier,
    WHMCS_SECRET: sandbox.secret,
    WHMCS_ALLOW_HTTP: 'true',
    WHMCS_RATE_LIMIT: String(RATE_LIMIT),
  };
  let server;
  let comparedServer;
  try {
    server = await startStdioServer({ args: ['serve'], env: serverEnv(serverVariables), cwd: scratch.path });
    const idle = await settledRss(server.pid);
    progress(`read overhead: server pid ${server.pid} up, idle RSS ${idle.rssMB} MB`);
    const readOverhead = await measureReadOverhead({ server, sandbox, whmcs, samples, warmup, budgetMs });
    progress(
      `read overhead: get_invoice p50 ${readOverhead.figures.get_invoice_via_stdio_ms.p50} ms, direct GetInvoice p50 ${readOverhead.figures.direct_single_get_invoice_ms.p50} ms`,
    );
    const context = await roundTripContext(sandbox, 300);
    readOverhead.figures.context_raw_http_round_trip_ms = context.raw;
    readOverhead.figures.context_limiter_empty_job_ms = context.limiter;
    const inProcess = await dispatcherOverhead(sandbox, whmcs, { rounds: 1000, warmup: 100 });
    readOverhead.figures.context_in_process_get_invoice_ms = inProcess.tool;
    readOverhead.figures.context_in_process_same_whmcs_calls_ms = inProcess.replay;
    readOverhead.figures.context_in_process_dispatcher_overhead_ms = inProcess.overhead;
    progress(`read overhead: dispatcher in process adds p50 ${inProcess.overhead.p50} ms`);
    const fanOutSettings = { latencyMs: 50, clientId: 1 };
    const measured = await sampleFanOut({
      server,
      sandbox,
      whmcs,
      samples: fanOutSamples,
      ...fanOutSettings,
    });
    progress(`fan-out: ratio ${measured.ratio}x`);
    const memory = processMemory(server.pid);
    readOverhead.figures.server_idle_rss_mb = idle.rssMB;
    readOverhead.figures.server_peak_rss_mb_after_read_and_fan_out = memory.peakRssMB;
    await server.close();
    server = undefined;

    // The same fan-out at the previous default of 4 calls in flight, for comparison.
    const comparedConcurrency = 4;
    const comparedSamples = Math.max(5, Math.round(fanOutSamples / 2));
    comparedServer = await startStdioServer({
      args: ['serve'],
      env: serverEnv({ ...serverVariables, WHMCS_MAX_CONCURRENCY: String(comparedConcurrency) }),
      cwd: scratch.path,
    });
    const compared = await sampleFanOut({
      server: comparedServer,
      sandbox,
      whmcs,
      samples: comparedSamples,
      ...fanOutSettings,
    });
    progress(`fan-out with WHMCS_MAX_CONCURRENCY=${comparedConcurrency}: ratio ${compared.ratio}x`);
    const fanOut = fanOutSection({
      measured,
      compared,
      samples: fanOutSamples,
      comparedSamples,
      comparedConcurrency,
      ...fanOutSettings,
    });
    return { readOverhead, fanOut, stdioPeakRssMB: memory.peakRssMB };
  } finally {
    await server?.close().catch(() => undefined);
    await comparedServer?.close().catch(() => undefined);
    await whmcs.close();
    await sandbox.close();
    scratch.remove();
  }
}
