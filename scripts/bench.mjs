#!/usr/bin/env node
// `npm run bench`: builds, then measures the built server against the sandbox on loopback (cold
// start, read overhead, aggregator fan-out, governed write overhead, durable audit rate, HTTP load)
// and writes bench/report.json and bench/report.md. Progress goes to stderr, the summary table to
// stdout. Every figure is compared with its target; a miss is reported as a miss.
//   node scripts/bench.mjs [--quick]   (--quick: small samples, prints only, writes no report)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { measureColdStart } from './bench/cold-start.mjs';
import { measureHttpLoad } from './bench/http-load.mjs';
import { measureReads } from './bench/reads.mjs';
import { summaryRows, summaryTable, writeReport } from './bench/report.mjs';
import { ROOT, machineFacts, progress, round, snapshotDist } from './bench/util.mjs';
import { measureWrites } from './bench/writes.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;

const SIZES = quick
  ? {
      coldStart: { runs: 3, rssRuns: 1 },
      reads: { samples: 200, warmup: 20, fanOutSamples: 5 },
      writes: { runs: 30, warmup: 5, appends: 500 },
      http: { sessions: 20, callsPerSession: 5 },
    }
  : {
      coldStart: { runs: 10, rssRuns: 3 },
      reads: { samples: 2000, warmup: 200, fanOutSamples: 20 },
      writes: { runs: 300, warmup: 20, appends: 5000 },
      http: { sessions: 200, callsPerSession: 20 },
    };

function git(args) {
  const run = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** A section that threw is reported as not measured, with the reason, and fails the run. */
function failedSection(id, title, error) {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    id,
    title,
    method: [`not measured: the run failed: ${reason.split('\n')[0]}`],
    samples: {},
    figures: { error: reason.slice(0, 2000) },
    checks: [{ name: `${title}: run`, value: null, unit: '', target: 'completes', pass: null }],
    notes: [`not measured: ${reason.split('\n')[0]}`],
  };
}

async function main() {
  const machine = machineFacts();
  const startedAt = performance.now();
  progress(
    `${machine.cpu_model} x${machine.cpu_count}, ${machine.total_memory_mib} MiB, node ${machine.node}; load average ${machine.load_average_at_start.join(' ')}${quick ? ' (quick run: no report is written)' : ''}`,
  );
  const sections = [];
  let failures = 0;
  const run = async (id, title, measure) => {
    progress(`${title}...`);
    try {
      const measured = await measure();
      sections.push(...(Array.isArray(measured) ? measured : [measured]));
    } catch (error) {
      failures += 1;
      progress(`${title} failed: ${error instanceof Error ? error.stack : String(error)}`);
      sections.push(failedSection(id, title, error));
    }
  };

  // Cold start first, before anything else has warmed the machine's caches.
  await run('cold_start', 'Cold start over stdio', () => measureColdStart(SIZES.coldStart));
  await run('reads', 'Read overhead and fan-out', async () => {
    const { readOverhead, fanOut } = await measureReads(SIZES.reads);
    return [readOverhead, fanOut];
  });
  await run('writes', 'Governed writes and audit appends', () => measureWrites(SIZES.writes));
  await run('http_load', 'HTTP load', () => measureHttpLoad(SIZES.http));

  const summary = summaryRows(sections);
  const report = {
    benchmark: 'whmcs-mcp npm run bench',
    version: JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version,
    // A copy of dist/ taken right after the build, so a concurrent rebuild cannot change it mid-run.
    server_entry: 'dist/cli.js (run from a snapshot copy under bench/snapshot.tmp/)',
    quick,
    git: {
      commit: git(['rev-parse', '--short', 'HEAD']) ?? null,
      working_tree_dirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
    },
    machine: { ...machine, load_average_at_end: os.loadavg().map((value) => round(value, 2)) },
    duration_s: round((performance.now() - startedAt) / 1000, 1),
    summary,
    sections,
  };
  if (!quick) {
    const written = writeReport(report);
    progress(`wrote ${written.json} and ${written.markdown}`);
  }
  process.stdout.write(`${summaryTable(summary)}\n`);
  if (failures > 0) process.exitCode = 1;
}

if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  console.error('bench: dist/cli.js is missing; run `npm run bench` (it builds first) or `npm run build`.');
  process.exit(2);
}
const removeSnapshot = snapshotDist();
try {
  await main();
} finally {
  removeSnapshot();
}
