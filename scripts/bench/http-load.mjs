// HTTP load: many MCP sessions at once over Streamable HTTP against `whmcs-mcp serve --http`
// (src/server/http/, startHttpServer), with the sandbox answering after 20 ms. The same load shape
// is driven straight at a WhmcsClient with the same limiter settings, so the queueing the WHMCS
// rate limit imposes is measured rather than assumed.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { serverEnv } from './stdio-server.mjs';
import { CLI, check, importDist, processMemory, progress, round, scratchDir, summarize } from './util.mjs';

const SANDBOX_LATENCY_MS = 20;
const RATE_LIMIT = 1000;
const MAX_CONCURRENCY = 64;

/** Why the HTTP transport cannot be measured, or undefined when `serve --http` exists. */
export function httpTransportMissing() {
  const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
  if (help.status !== 0) return `HTTP transport not checked: \`serve --help\` exited with ${help.status}`;
  return /--http\b/.test(help.stdout) ? undefined : 'HTTP transport not present (`serve` has no --http)';
}

/**
 * `node dist/cli.js serve --http --port 0`, configured through its environment as a deployment
 * is; resolves with the MCP URL it announces on stderr once it listens.
 */
function startHttpServerProcess(env, cwd) {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '--host', '127.0.0.1', '--port', '0'], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderrTail = '';
  let partialLine = '';
  const errorLines = [];
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      const text = chunk.toString('utf8');
      stderrTail = (stderrTail + text).slice(-4000);
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) {
        const announced = /MCP over Streamable HTTP at (\S+)/.exec(line);
        if (announced) resolve({ child, mcpUrl: announced[1], errorLines });
        // The first error-level log lines (pino levels 50 and 60) explain failed calls.
        if (errorLines.length < 10 && /"level":(50|60)\b/.test(line)) errorLines.push(line.slice(0, 1500));
      }
    });
    child.once('exit', (status) =>
      reject(new Error(`the HTTP server process exited with ${status}: ${stderrTail.slice(-1500)}`)),
    );
  });
}

/** `sessions` MCP sessions at once, each making `callsPerSession` get_invoice calls in turn. */
async function driveSessions({ mcpUrl, sessions, callsPerSession, invoiceIds }) {
  const latencies = [];
  const failures = [];
  const session = async (index) => {
    const client = new Client({ name: `whmcs-mcp-bench-${index}`, version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl));
    try {
      await client.connect(transport);
      for (let call = 0; call < callsPerSession; call += 1) {
        const invoiceId = invoiceIds[(index * callsPerSession + call) % invoiceIds.length];
        const started = performance.now();
        try {
          const result = await client.callTool({ name: 'get_invoice', arguments: { invoice_id: invoiceId } });
          latencies.push(performance.now() - started);
          if (result.isError) failures.push(`tool error: ${result.content?.[0]?.text?.slice(0, 200)}`);
        } catch (error) {
          failures.push(`call failed: ${error.message}`);
        }
      }
      await transport.terminateSession().catch(() => undefined);
    } catch (error) {
      failures.push(`session failed: ${error.message}`);
    } finally {
      await client.close().catch(() => undefined);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: sessions }, (_, index) => session(index)));
  return { latencies, failures, seconds: (performance.now() - started) / 1000 };
}

/** The WHMCS calls get_invoice makes, the same load shape, straight at a WhmcsClient. */
async function driveDirect({ sandbox, sessions, callsPerSession, invoiceIds }) {
  const { WhmcsClient } = await importDist('whmcs/client.js');
  const whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: RATE_LIMIT,
    maxConcurrency: MAX_CONCURRENCY,
  });
  const latencies = [];
  const worker = async (index) => {
    for (let call = 0; call < callsPerSession; call += 1) {
      const invoiceId = invoiceIds[(index * callsPerSession + call) % invoiceIds.length];
      const started = performance.now();
      const invoice = await whmcs.call('GetInvoice', { invoiceid: invoiceId });
      await whmcs.call('GetClientsDetails', { clientid: invoice.userid, stats: false });
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: sessions }, (_, index) => worker(index)));
  } finally {
    await whmcs.close();
  }
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function notMeasured(reason, sessions, callsPerSession) {
  return {
    id: 'http_load',
    title: `HTTP load: ${sessions} sessions x ${callsPerSession} tool calls`,
    method: [`not measured: ${reason}`],
    samples: {},
    figures: {},
    checks: [
      check('HTTP load errors', null, 'errors', 0),
      check('HTTP load p99 latency', null, 'ms', null, 'lower', '<= 2x sandbox latency + limiter queueing'),
      check('HTTP server peak RSS', null, 'MB', 250),
    ],
    notes: [`not measured: ${reason}`],
  };
}

export async function measureHttpLoad({ sessions = 200, callsPerSession = 20 } = {}) {
  const missing = httpTransportMissing();
  if (missing !== undefined) return notMeasured(missing, sessions, callsPerSession);

  const { startSandbox } = await importDist('sandbox/index.js');
  const scratch = scratchDir('http');
  const sandbox = await startSandbox({ port: 0, seed: 1, clients: 50 });
  let server;
  try {
    server = await startHttpServerProcess(
      serverEnv({
        MCP_ENV: 'test',
        MCP_STATE_DB: join(scratch.path, 'state.sqlite'),
        // One local principal opens every session, so its session and request limits are lifted.
        MCP_HTTP_MAX_SESSIONS: String(sessions * 2),
        MCP_HTTP_RATE_LIMIT: '1000000',
        WHMCS_API_URL: sandbox.url,
        WHMCS_IDENTIFIER: sandbox.identifier,
        WHMCS_SECRET: sandbox.secret,
        WHMCS_ALLOW_HTTP: 'true',
        WHMCS_RATE_LIMIT: String(RATE_LIMIT),
        WHMCS_MAX_CONCURRENCY: String(MAX_CONCURRENCY),
      }),
      scratch.path,
    );
    const invoiceIds = [...sandbox.state.invoices.keys()].sort((a, b) => a - b).slice(0, 100);
    // Warm-up without latency: two sessions, a few calls each (first-call costs out of the figures).
    const warm = await driveSessions({ mcpUrl: server.mcpUrl, sessions: 2, callsPerSession: 5, invoiceIds });
    sandbox.faults.set({ latencyMs: SANDBOX_LATENCY_MS });
    const before = sandbox.stats().requests;
    const rssBefore = processMemory(server.child.pid);
    progress(`HTTP load: ${sessions} sessions x ${callsPerSession} calls against ${server.mcpUrl}`);
    const load = await driveSessions({ mcpUrl: server.mcpUrl, sessions, callsPerSession, invoiceIds });
    const whmcsCalls = sandbox.stats().requests - before;
    const memory = processMemory(server.child.pid);
    progress(
      `HTTP load: ${load.latencies.length} calls in ${load.seconds.toFixed(1)} s, ${load.failures.length} errors`,
    );
    const direct = await driveDirect({ sandbox, sessions, callsPerSession, invoiceIds });
    progress(`HTTP load: direct reference in ${direct.seconds.toFixed(1)} s`);

    const toolCalls = sessions * callsPerSession;
    const callsPerTool = whmcsCalls / toolCalls;
    const latency = summarize(load.latencies, 1);
    const reference = summarize(direct.latencies, 1);
    // p99 budget: twice the sandbox latency along the tool's path, plus the queueing the limiter
    // imposes on this load (the direct reference's p99 minus that path's latency).
    const pathLatency = callsPerTool * SANDBOX_LATENCY_MS;
    const queueing = Math.max(0, reference.p99 - pathLatency);
    const budget = round(2 * pathLatency + queueing, 1);
    const errors = load.failures.length;
    return {
      id: 'http_load',
      title: `HTTP load: ${sessions} sessions x ${callsPerSession} tool calls`,
      method: [
        `\`node dist/cli.js serve --http --host 127.0.0.1 --port 0\` (the deployment entry point over startHttpServer), pointed at a sandbox in the benchmark process that answers after ${SANDBOX_LATENCY_MS} ms; WHMCS_RATE_LIMIT=${RATE_LIMIT}, WHMCS_MAX_CONCURRENCY=${MAX_CONCURRENCY}, no authentication (loopback), MCP_HTTP_MAX_SESSIONS and MCP_HTTP_RATE_LIMIT lifted because every session is the one local principal.`,
        `${sessions} SDK clients (StreamableHTTPClientTransport) connect at once; each makes ${callsPerSession} get_invoice calls one after another, then ends its session. Latency per tool call from the client; throughput = tool calls / wall time of the whole load; RSS = VmHWM of the server process.`,
        `Limiter reference: the same ${sessions} x ${callsPerSession} shape driven straight at a WhmcsClient with the same limits (GetInvoice then GetClientsDetails per call). p99 budget = 2 x (WHMCS calls per tool call x ${SANDBOX_LATENCY_MS} ms) + (reference p99 - that path latency).`,
      ],
      samples: { sessions, calls_per_session: callsPerSession, tool_calls: toolCalls },
      figures: {
        errors,
        warmup_errors: warm.failures.length,
        first_errors: load.failures.slice(0, 5),
        // The server's own account of failures; its log is otherwise not kept.
        server_error_log_lines: server.errorLines,
        latency_ms: latency,
        throughput_calls_per_s: round(toolCalls / load.seconds, 0),
        wall_time_s: round(load.seconds, 2),
        whmcs_calls_per_tool_call: round(callsPerTool, 2),
        direct_reference_latency_ms: reference,
        p99_budget_ms: budget,
        server_rss_before_load_mb: rssBefore.rssMB,
        server_peak_rss_mb: memory.peakRssMB,
      },
      checks: [
        check('HTTP load errors', errors, 'errors', 0),
        check(
          'HTTP load p99 latency (budget: 2x path latency + limiter queueing)',
          latency.p99,
          'ms',
          budget,
        ),
        check('HTTP server peak RSS', memory.peakRssMB, 'MB', 250),
      ],
    };
  } finally {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((done) => server.child.once('exit', done));
      server.child.kill('SIGTERM');
      await exited;
    }
    await sandbox.close();
    scratch.remove();
  }
}
