#!/usr/bin/env node
// Measures how much memory the sandbox's seeded state takes: it generates the state in a fresh
// child process (from dist/ when built, else from src/ through tsx), collects garbage, and reports
// heap and RSS with the record counts. Fails when the state does not fit the budget (1 GiB).
// It also times GetInvoice called in-process on that state (the handler alone, without HTTP; see
// scripts/sandbox-throughput.mjs for the figure over HTTP).
//   node scripts/sandbox-memory.mjs [--clients 20000] [--seed 1] [--budget-mib 1024] [--source]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    'budget-mib': { type: 'string', default: '1024' },
    source: { type: 'boolean', default: false },
  },
});

const clients = Number(values.clients);
const seed = Number(values.seed);
const budgetMib = Number(values['budget-mib']);
if (!Number.isInteger(clients) || !Number.isInteger(seed) || !(budgetMib > 0)) {
  console.error(
    'usage: node scripts/sandbox-memory.mjs [--clients N] [--seed N] [--budget-mib N] [--source]',
  );
  process.exit(2);
}

const fromDist = !values.source && existsSync(new URL('../dist/sandbox/state.js', import.meta.url));
const modulePath = fromDist ? './dist/sandbox/state.js' : './src/sandbox/state.ts';
const handlersPath = fromDist ? './dist/sandbox/actions/index.js' : './src/sandbox/actions/index.ts';

// The child measures itself: a baseline after loading the code, then the state after a full GC.
const code = `
const { createSandboxState } = await import(${JSON.stringify(modulePath)});
const { sandboxHandlers } = await import(${JSON.stringify(handlersPath)});
const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
globalThis.gc(); globalThis.gc();
const before = process.memoryUsage();
const started = performance.now();
const state = createSandboxState({ clients: ${clients}, seed: ${seed} });
const seedMs = Math.round(performance.now() - started);
globalThis.gc(); globalThis.gc();
const after = process.memoryUsage();
let items = 0;
for (const invoice of state.invoices.values()) items += invoice.items.length;
// GetInvoice on pseudo-random ids for one second, in-process.
const context = { state, now: () => new Date(), clientIp: '127.0.0.1', action: 'GetInvoice', adminUsername: 'admin', whmcsVersion: '8.13.1' };
let calls = 0;
let id = 1;
const until = performance.now() + 1000;
while (performance.now() < until) {
  for (let i = 0; i < 100; i++) {
    id = (id * 48271) % 2147483647;
    sandboxHandlers.GetInvoice({ invoiceid: String((id % state.invoices.size) + 1) }, context);
    calls++;
  }
}
process.stdout.write(JSON.stringify({
  clients: state.clients.size,
  invoices: state.invoices.size,
  invoiceItems: items,
  transactions: state.transactions.size,
  services: state.services.size,
  domains: state.domains.size,
  tickets: state.tickets.size,
  orders: state.orders.size,
  seedMs,
  getInvoicePerSecond: calls,
  stateHeapMiB: mib(after.heapUsed - before.heapUsed),
  heapUsedMiB: mib(after.heapUsed),
  heapTotalMiB: mib(after.heapTotal),
  rssMiB: mib(after.rss),
  baselineRssMiB: mib(before.rss),
  keepAlive: state.clients.size > 0,
}) + '\\n');
`;

const args = [
  '--expose-gc',
  // Room to build the largest states; the budget check below is what the limit is about.
  '--max-old-space-size=4096',
  ...(fromDist ? [] : ['--import', 'tsx']),
  '--input-type=module',
  '-e',
  code,
];
const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
});
child.on('close', (status) => {
  if (status !== 0) {
    console.error(`sandbox-memory: the measuring process exited with ${status}`);
    process.exit(1);
  }
  const report = JSON.parse(output.trim());
  delete report.keepAlive;
  console.log(
    `sandbox state memory (${fromDist ? 'dist' : 'src via tsx'}, node ${process.version}, seed ${seed})`,
  );
  for (const [key, value] of Object.entries(report)) console.log(`  ${key.padEnd(20)} ${value}`);
  const overBudget = report.rssMiB > budgetMib || report.heapUsedMiB > budgetMib;
  console.log(`  budget               ${budgetMib} MiB: ${overBudget ? 'EXCEEDED' : 'ok'}`);
  process.exit(overBudget ? 1 : 0);
});
