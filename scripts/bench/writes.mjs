// The governed write path in-process: WriteFlow over a file-backed SqliteIntentStore (WAL,
// synchronous=FULL) and a WhmcsClient against the sandbox. Measures the flow's own time (the WHMCS
// calls' durations taken out), the durable audit append rate, and what one fsync costs here.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { check, filesystemOf, importDist, progress, round, scratchDir, summarize } from './util.mjs';

const agent = { id: 'bench-agent', label: 'bench agent', roles: ['reader', 'operator'], transport: 'stdio' };
const approver = { id: 'operator:bench', label: 'bench operator', roles: ['approver'], transport: 'cli' };

const SETTINGS = {
  mode: 'full',
  environment: 'test',
  writesDisabled: false,
  writeAllowlist: [],
  perActionCap: null,
  dailyCap: null,
  approvalTtlMs: 15 * 60_000,
  intentTtlMs: 24 * 3_600_000,
  autoApproveLowRisk: false,
  dualApprovalThreshold: null,
  largeRefundThreshold: '1000.00',
};

/** Appends and syncs a small block `runs` times: the cost the durable audit pays per commit. */
function fdatasyncCost(directory, runs) {
  const path = join(directory, 'fsync-probe.bin');
  const fd = openSync(path, 'a');
  const block = Buffer.alloc(512, 1);
  const samples = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      writeSync(fd, block);
      const started = performance.now();
      fdatasyncSync(fd);
      samples.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
  }
  return summarize(samples, 3);
}

/**
 * The same probe with the process idle for `idleMs` before each sync, as a commit that follows a
 * WHMCS call finds the disk: on a virtual disk the first sync after a pause costs more.
 */
async function fdatasyncAfterIdle(directory, runs, idleMs) {
  const path = join(directory, 'fsync-idle-probe.bin');
  const fd = openSync(path, 'a');
  const block = Buffer.alloc(512, 1);
  const samples = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      writeSync(fd, block);
      const started = performance.now();
      fdatasyncSync(fd);
      samples.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
  }
  return summarize(samples, 3);
}

async function governedWrites({ runs, warmup, scratch, budgetMs }) {
  const { startSandbox } = await importDist('sandbox/index.js');
  const { WhmcsClient } = await importDist('whmcs/client.js');
  const { WriteFlow } = await importDist('writes/engine.js');
  const { WRITE_RULES } = await importDist('writes/rules/index.js');
  const { SqliteIntentStore } = await importDist('writes/sqlite-store.js');
  const { ClientScope } = await importDist('policy/client-scope.js');
  const { SEED_FACTS } = await importDist('sandbox/seed.js');

  const sandbox = await startSandbox({ port: 0, seed: 1, clients: 50 });
  let whmcsMs = 0;
  let whmcsCalls = 0;
  const whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: 1000,
    onCall: (event) => {
      whmcsMs += event.durationMs;
      whmcsCalls += 1;
    },
  });
  const store = new SqliteIntentStore({ path: join(scratch, 'writes.sqlite') });
  const flow = new WriteFlow({
    store,
    whmcs,
    settings: SETTINGS,
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
  });
  const scope = ClientScope.admin();
  const serviceId = SEED_FACTS.demoClient.services.active;

  const own = [];
  const total = [];
  const upstream = [];
  const phases = { draft: [], validate: [], approve: [], execute: [] };
  let callsPerRun = 0;
  /** Times one phase and returns its own time (wall time minus the WHMCS calls inside it). */
  const timed = async (phase, record, work) => {
    const upstreamBefore = whmcsMs;
    const started = performance.now();
    const result = await work();
    const ownMs = performance.now() - started - (whmcsMs - upstreamBefore);
    if (record) phases[phase].push(ownMs);
    return result;
  };
  try {
    let deadline = Infinity;
    let completed = 0;
    for (let run = 0; run < warmup + runs; run += 1) {
      const record = run >= warmup;
      if (run === warmup) deadline = performance.now() + budgetMs;
      // A busy machine makes every run slow; the measurement stops at its time budget and says so.
      if (performance.now() > deadline) break;
      // Suspend and unsuspend take turns, so every run finds the service in the state it needs.
      const request =
        run % 2 === 0
          ? {
              action: 'ModuleSuspend',
              params: { serviceid: serviceId, suspendreason: 'Benchmark' },
              reason: 'benchmark: suspend',
              tool: 'suspend_service',
            }
          : {
              action: 'ModuleUnsuspend',
              params: { serviceid: serviceId },
              reason: 'benchmark: unsuspend',
              tool: 'unsuspend_service',
            };
      const upstreamBefore = whmcsMs;
      const callsBefore = whmcsCalls;
      const started = performance.now();
      const draft = await timed('draft', record, () => flow.draft(agent, scope, request));
      const validated = await timed('validate', record, () => flow.validate(agent, scope, draft.id));
      if (validated.state !== 'validated') throw new Error(`validation failed: ${JSON.stringify(validated)}`);
      await timed('approve', record, () =>
        flow.approve(approver, scope, draft.id, { reason: 'benchmark', channel: 'cli' }),
      );
      const executed = await timed('execute', record, () => flow.execute(agent, scope, draft.id));
      if (executed.state !== 'executed') throw new Error(`execution ended ${executed.state}`);
      const wall = performance.now() - started;
      const spentUpstream = whmcsMs - upstreamBefore;
      if (record) {
        total.push(wall);
        upstream.push(spentUpstream);
        own.push(wall - spentUpstream);
        callsPerRun = whmcsCalls - callsBefore;
      }
      completed += 1;
      if ((run + 1) % 100 === 0) progress(`governed writes ${run + 1}/${warmup + runs}`);
    }
    const verification = store.verifyAudit();
    if (!verification.ok) throw new Error(`the audit chain does not verify: ${verification.problem}`);
    return {
      own: summarize(own),
      total: summarize(total),
      upstream: summarize(upstream),
      phases: Object.fromEntries(Object.entries(phases).map(([phase, values]) => [phase, summarize(values)])),
      callsPerRun,
      measured: own.length,
      auditRowsPerRun: round(verification.rows / completed, 2),
      audit: { rows: verification.rows, chain_ok: verification.ok },
    };
  } finally {
    store.close();
    await whmcs.close();
    await sandbox.close();
  }
}

async function auditAppends({ appends, scratch, budgetMs }) {
  const { SqliteIntentStore } = await importDist('writes/sqlite-store.js');
  const store = new SqliteIntentStore({ path: join(scratch, 'audit.sqlite') });
  const samples = [];
  try {
    const started = performance.now();
    const deadline = started + budgetMs;
    for (let index = 0; index < appends; index += 1) {
      if (performance.now() > deadline) break;
      const before = performance.now();
      store.appendAudit({
        principal: 'bench-agent',
        tool: 'add_client_note',
        action: 'AddClientNote',
        entity: 'client:1',
        intent_id: null,
        event: 'refuse',
        outcome: 'refused:forbidden',
        params_digest: null,
        detail: { index },
      });
      samples.push(performance.now() - before);
    }
    const seconds = (performance.now() - started) / 1000;
    const verification = store.verifyAudit();
    if (!verification.ok) throw new Error(`the audit chain does not verify: ${verification.problem}`);
    return {
      appended: samples.length,
      rowsPerSecond: round(samples.length / seconds, 0),
      seconds: round(seconds, 2),
      perAppend: summarize(samples),
      audit: { rows: verification.rows, chain_ok: verification.ok },
    };
  } finally {
    store.close();
  }
}

export async function measureWrites({ runs = 300, warmup = 20, appends = 5000, budgetMs = 30_000 } = {}) {
  const scratch = scratchDir('writes');
  try {
    const filesystem = filesystemOf(scratch.path);
    const fsync = fdatasyncCost(scratch.path, 200);
    const fsyncIdle = await fdatasyncAfterIdle(scratch.path, 60, 5);
    progress(
      `fdatasync on ${filesystem.type}: p50 ${fsync.p50} ms back to back, ${fsyncIdle.p50} ms after 5 ms idle`,
    );
    const writes = await governedWrites({ runs, warmup, scratch: scratch.path, budgetMs });
    progress(`governed writes: own time p50 ${writes.own.p50} ms`);
    const audit = await auditAppends({ appends, scratch: scratch.path, budgetMs });
    progress(`audit appends: ${audit.rowsPerSecond} rows/s`);
    // A durable commit costs at least one sync; when the syncs alone cap the rate, say so.
    const syncBound = fsync.p50 > 0 ? round(1000 / fsync.p50, 0) : null;
    const fsyncNote =
      fsync.p50 >= 1
        ? `The filesystem is slow to sync: one fdatasync takes ${fsync.p50} ms at the median, so a durable commit cannot go faster than about ${syncBound} per second here.`
        : `One fdatasync takes ${fsync.p50} ms at the median on this ${filesystem.type} filesystem (${filesystem.device}); a virtual disk may acknowledge a sync before the data reaches stable storage, which this benchmark cannot see.`;
    return [
      {
        id: 'governed_write',
        title: 'Governed write overhead (draft + validate + approve + execute)',
        method: [
          'In the benchmark process: WriteFlow from dist/ with a file-backed SqliteIntentStore (WAL, synchronous=FULL) in a temp dir, WRITE_RULES, MCP_MODE full, and a WhmcsClient (rate limit 1000/s) against a sandbox (seed 1, no latency) in the same process.',
          `Each run drafts, validates (live precondition reads), approves (a second principal, channel cli) and executes one intent on the demo client's active service, ModuleSuspend and ModuleUnsuspend taking turns. ${warmup} warm-up runs, then ${writes.measured} measured${writes.measured < runs ? ` (stopped at the ${budgetMs / 1000} s time budget instead of ${runs})` : ''}.`,
          "Own time = wall time of the four steps minus the durations of the WHMCS calls inside them, as the client's onCall observer reports them (limiter wait, HTTP round trip and reply parsing; the sandbox shares this process, so its work sits inside those durations).",
        ],
        samples: { warmup_runs: warmup, measured_runs: writes.measured, planned_runs: runs },
        figures: {
          own_time_ms: writes.own,
          wall_time_ms: writes.total,
          whmcs_time_ms: writes.upstream,
          own_time_by_step_ms: writes.phases,
          whmcs_calls_per_run: writes.callsPerRun,
          // Every transition commits with its audit row in one durable transaction (one sync), which
          // puts a floor under the own time.
          durable_commits_per_run: writes.auditRowsPerRun,
          sync_floor_ms: round(writes.auditRowsPerRun * fsync.p50, 2),
          audit_after_runs: writes.audit,
          fdatasync_ms: fsync,
          fdatasync_after_idle_ms: fsyncIdle,
        },
        checks: [check('Governed write own time p50 (durable audit)', writes.own.p50, 'ms', 5)],
        notes: [
          fsyncNote,
          `Three of the ${writes.auditRowsPerRun} commits follow a WHMCS call (validate, approved -> executing, executed), when the disk has been idle: a sync after 5 ms idle takes ${fsyncIdle.p50} ms at the median here, against ${fsync.p50} ms back to back.`,
        ],
      },
      {
        id: 'audit_append',
        title: 'Durable audit append rate',
        method: [
          `SqliteIntentStore.appendAudit from dist/ on a fresh file in a temp dir (WAL, synchronous=FULL: every append is one IMMEDIATE transaction, committed and synced before it returns), ${audit.appended} appends${audit.appended < appends ? ` (stopped at the ${budgetMs / 1000} s time budget instead of ${appends})` : ''} one after another, each hash-chained to the previous row; verifyAudit() over the chain afterwards.`,
          `The temp dir is on ${filesystem.type} (${filesystem.device}). fdatasync cost: 200 appends of 512 bytes to a file in the same dir, each followed by fdatasync.`,
        ],
        samples: { appends: audit.appended, planned_appends: appends, fdatasync_probes: 200 },
        figures: {
          rows_per_second: audit.rowsPerSecond,
          elapsed_s: audit.seconds,
          per_append_ms: audit.perAppend,
          audit_after_appends: audit.audit,
          fdatasync_ms: fsync,
          sync_bound_commits_per_second: syncBound,
          filesystem,
        },
        checks: [check('Durable audit appends', audit.rowsPerSecond, 'rows/s', 2000, 'higher')],
        notes: [fsyncNote],
      },
    ];
  } finally {
    scratch.remove();
  }
}
