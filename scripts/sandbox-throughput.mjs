#!/usr/bin/env node
// Measures how many GetInvoice calls per second the WHMCS sandbox answers over keep-alive, with
// p50/p99 latency, from this one client process. The sandbox runs in a child process (from dist/
// when built, else from src/ through tsx) so client and server each get their own core.
//   node scripts/sandbox-throughput.mjs [--duration 10] [--warmup 2] [--concurrency 16] [--clients 200]
//                                       [--source] [--url http://host:port --identifier id --secret s]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { URLSearchParams, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '16' },
    clients: { type: 'string', default: '200' },
    source: { type: 'boolean', default: false },
    url: { type: 'string' },
    identifier: { type: 'string', default: 'sandbox' },
    secret: { type: 'string', default: 'sandbox-secret' },
  },
});

const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const concurrency = Number(values.concurrency);

/** Starts the sandbox in a child process and resolves with its URL once it listens. */
function startChild() {
  const fromDist = !values.source && existsSync(new URL('../dist/sandbox/index.js', import.meta.url));
  const modulePath = fromDist ? './dist/sandbox/index.js' : './src/sandbox/index.ts';
  const code = [
    `const { startSandbox } = await import(${JSON.stringify(modulePath)});`,
    `const sandbox = await startSandbox({ port: 0, clients: ${Number(values.clients)} });`,
    'process.stdout.write(JSON.stringify({ url: sandbox.url }) + "\\n");',
    'process.on("SIGTERM", () => sandbox.close().then(() => process.exit(0)));',
  ].join('\n');
  const args = [...(fromDist ? [] : ['--import', 'tsx']), '--input-type=module', '-e', code];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline !== -1) resolve({ child, url: JSON.parse(buffered.slice(0, newline)).url, fromDist });
    });
    child.once('exit', (code) => reject(new Error(`sandbox child exited with code ${code}`)));
  });
}

/** CPU seconds a process has used so far (Linux /proc); undefined elsewhere. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function drive(apiUrl, untilMs, latencies) {
  const agent = new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  let completed = 0;
  let failed = 0;
  let next = 0;
  const bodies = Array.from({ length: 100 }, (_, index) =>
    new URLSearchParams({
      action: 'GetInvoice',
      identifier: values.identifier,
      secret: values.secret,
      invoiceid: String(index + 1),
      responsetype: 'json',
    }).toString(),
  );
  async function worker() {
    while (performance.now() < untilMs) {
      const body = bodies[next++ % bodies.length];
      const started = performance.now();
      try {
        const response = await request(apiUrl, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        const text = await response.body.text();
        if (response.statusCode === 200 && text.startsWith('{"result":"success"')) completed += 1;
        else failed += 1;
      } catch {
        failed += 1;
      }
      latencies?.push(performance.now() - started);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  await agent.close();
  return { completed, failed };
}

let child;
let apiUrl;
let source = 'external';
if (values.url) {
  apiUrl = `${values.url.replace(/\/+$/, '')}/includes/api.php`;
} else {
  const started = await startChild();
  child = started.child;
  apiUrl = `${started.url}/includes/api.php`;
  source = started.fromDist ? 'dist/' : 'src/ via tsx';
}

try {
  await drive(apiUrl, performance.now() + warmupMs);
  const latencies = [];
  const cpuBefore = child ? cpuSeconds(child.pid) : undefined;
  const started = performance.now();
  const { completed, failed } = await drive(apiUrl, started + durationMs, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = child ? cpuSeconds(child.pid) : undefined;
  latencies.sort((a, b) => a - b);
  const cpuUsed = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  // CPU per call shows the sandbox's own cost, whatever else the machine is doing.
  const serverCpu =
    cpuUsed === undefined || completed === 0
      ? 'n/a'
      : `${((cpuUsed / elapsed) * 100).toFixed(0)}% of one core, ${((cpuUsed / completed) * 1e6).toFixed(0)} µs per call ` +
        `(one core would serve about ${(completed / cpuUsed).toFixed(0)} calls/s)`;
  console.log(
    `sandbox: ${source}, ${values.clients} clients; ${concurrency} concurrent keep-alive connections`,
  );
  console.log(
    `GetInvoice: ${(completed / elapsed).toFixed(0)} calls/s over ${elapsed.toFixed(1)} s (${completed} ok, ${failed} failed)`,
  );
  console.log(
    `latency: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
  console.log(`sandbox process CPU: ${serverCpu}`);
  if (failed > 0) process.exitCode = 1;
} finally {
  child?.kill('SIGTERM');
}
