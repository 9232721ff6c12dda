// Shared pieces of `npm run bench`: percentiles, process memory from /proc, machine facts, progress
// lines on stderr, and the shape every measured figure takes in the report.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built server under measurement: dist/, or the snapshot of it once snapshotDist() ran. */
export let DIST = join(ROOT, 'dist');
export let CLI = join(DIST, 'cli.js');

const SNAPSHOT = join(ROOT, 'bench', 'snapshot.tmp');

/**
 * Copies dist/ (and the package.json the CLI reads its version from) under bench/snapshot.tmp/, so
 * a rebuild by someone else during the run cannot swap the code being measured. Modules still
 * resolve their packages from the project's node_modules. Returns the function that removes it.
 */
export function snapshotDist() {
  const source = join(ROOT, 'dist');
  if (!existsSync(join(source, 'cli.js')))
    throw new Error('dist/cli.js is missing; run `npm run build` first.');
  rmSync(SNAPSHOT, { recursive: true, force: true });
  mkdirSync(SNAPSHOT, { recursive: true });
  cpSync(source, join(SNAPSHOT, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(SNAPSHOT, 'package.json'));
  DIST = join(SNAPSHOT, 'dist');
  CLI = join(DIST, 'cli.js');
  return () => rmSync(SNAPSHOT, { recursive: true, force: true });
}

/** Imports a module of the built server (the benchmark measures the build, never src/). */
export function importDist(relativePath) {
  return import(pathToFileURL(join(DIST, relativePath)).href);
}

const started = performance.now();

/** One progress line on stderr, with the seconds since the run began. */
export function progress(message) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function round(value, places = 2) {
  if (!Number.isFinite(value)) return null;
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

/** p50/p90/p99/min/max/mean of a list of milliseconds, rounded for the report. */
export function summarize(samples, places = 3) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50), places),
    p90: round(percentile(sorted, 90), places),
    p99: round(percentile(sorted, 99), places),
    min: round(sorted[0] ?? Number.NaN, places),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, places),
    mean: round(mean, places),
  };
}

/** Memory of a process from /proc/<pid>/status in MB (10^6 bytes): RSS now and its high-water mark. */
export function processMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) : Number.NaN;
    };
    return { rssMB: round((kib('VmRSS') * 1024) / 1e6, 1), peakRssMB: round((kib('VmHWM') * 1024) / 1e6, 1) };
  } catch {
    return { rssMB: null, peakRssMB: null };
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat; null elsewhere. */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until a process's RSS stops moving (within 1% over `quietMs`), then returns it; gives up
 * after `maxMs` and returns the last reading, saying so.
 */
export async function settledRss(pid, { quietMs = 1000, stepMs = 250, maxMs = 5000 } = {}) {
  const deadline = performance.now() + maxMs;
  let steadySince = performance.now();
  let last = processMemory(pid).rssMB;
  while (performance.now() < deadline) {
    await sleep(stepMs);
    const now = processMemory(pid).rssMB;
    if (now === null || last === null) return { rssMB: now, settled: false };
    if (Math.abs(now - last) > last * 0.01) steadySince = performance.now();
    last = now;
    if (performance.now() - steadySince >= quietMs) return { rssMB: now, settled: true };
  }
  return { rssMB: last, settled: false };
}

/** The filesystem a path lives on, from /proc/mounts (the longest mount point that contains it). */
export function filesystemOf(path) {
  try {
    const target = resolve(path);
    let best = { mountPoint: '', type: 'unknown', device: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, mountPoint, type] = line.split(' ');
      if (!mountPoint) continue;
      const contains =
        target === mountPoint || target.startsWith(mountPoint === '/' ? '/' : `${mountPoint}/`);
      if (contains && mountPoint.length > best.mountPoint.length) best = { mountPoint, type, device };
    }
    return { type: best.type, device: best.device };
  } catch {
    return { type: 'unknown', device: 'unknown' };
  }
}

export function machineFacts() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu_model: cpus[0]?.model?.trim() ?? 'unknown',
    cpu_count: cpus.length,
    total_memory_mib: Math.round(os.totalmem() / 1048576),
    load_average_at_start: os.loadavg().map((value) => round(value, 2)),
    // The nice value the run had (children inherit it); 0 unless it was started under `nice`.
    process_priority: os.getPriority(),
    temp_filesystem: filesystemOf(os.tmpdir()),
    date: new Date().toISOString(),
  };
}

/** A scratch directory under the OS temp dir, removed by the returned function. */
export function scratchDir(prefix) {
  const path = mkdtempSync(join(os.tmpdir(), `whmcs-mcp-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * One figure compared with its target. `limit` is in the figure's unit; `better` says whether
 * lower or higher passes. A figure that could not be measured has value null and no verdict.
 */
export function check(name, value, unit, limit, better = 'lower', targetText = undefined) {
  const measured = typeof value === 'number' && Number.isFinite(value) && typeof limit === 'number';
  const pass = measured ? (better === 'lower' ? value <= limit : value >= limit) : null;
  return {
    name,
    value: typeof value === 'number' && Number.isFinite(value) ? value : null,
    unit,
    target: targetText ?? `${better === 'lower' ? '<=' : '>='} ${limit} ${unit}`,
    pass,
  };
}
