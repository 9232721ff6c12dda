/**
 * A process killed with SIGKILL while an intent is `executing` leaves it `unknown` after restart,
 * never executed twice. A child process (fixtures/execute-child.ts, run by node with the tsx
 * loader) drives a suspension through a file-backed store against the sandbox this test runs and
 * is killed once the WHMCS call is under way; this process then opens the same file, recovers,
 * executes again (which must not call WHMCS), reconciles by reading WHMCS and verifies the audit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientScope } from '../../src/policy/client-scope.js';
import type { Principal } from '../../src/policy/principal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { WhmcsClient } from '../../src/whmcs/client.js';
import { WriteFlow } from '../../src/writes/engine.js';
import { RECONCILE_SETTLE_MS } from '../../src/writes/rules/billing-common.js';
import { WRITE_RULES } from '../../src/writes/rules/index.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = 'test/writes/fixtures/execute-child.ts';
const LATENCY_MS = 2_000;
const agent: Principal = { id: 'agent', label: 'agent', roles: ['reader', 'operator'], transport: 'stdio' };
const admin = ClientScope.admin();
const serviceId = SEED_FACTS.demoClient.services.active;

let sandbox: RunningSandbox;
let whmcs: WhmcsClient;
let dir: string;
let child: ChildProcess | undefined;
let store: SqliteIntentStore | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: 1000,
  });
});
afterAll(async () => {
  await whmcs.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.reset();
  dir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-crash-'));
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface ChildReport {
  event: string;
  intent_id: string;
  state: string | null;
}

/** Starts the child and resolves with its first report, or rejects with its stderr if it ends first. */
function startChild(file: string, stage: 'sent' | 'answered'): Promise<ChildReport> {
  const started = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      file,
      sandbox.url,
      sandbox.identifier,
      sandbox.secret,
      String(serviceId),
      stage,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = started;
  let stderr = '';
  started.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: started.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as ChildReport));
    started.once('exit', (code, signal) =>
      reject(new Error(`child ended (${code ?? signal}) before reporting: ${stderr}`)),
    );
  });
}

function killChild(): Promise<NodeJS.Signals | null> {
  const running = child!;
  return new Promise((resolve) => {
    running.once('exit', (_code, signal) => resolve(signal));
    running.kill('SIGKILL');
  });
}

function suspendCalls(): number {
  return sandbox.stats().actions.ModuleSuspend ?? 0;
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The server restarting on the same state file, with a clock the test can move forward. */
function restart(file: string) {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  store = new SqliteIntentStore({ path: file, now });
  const flow = new WriteFlow({
    store,
    whmcs,
    settings: {
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
    },
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
    now,
  });
  return {
    store,
    flow,
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

function events(restarted: ReturnType<typeof restart>, id: string): string[] {
  return restarted.store
    .listAudit({ intent_id: id, limit: 50, offset: 0 })
    .items.map((row) => `${row.event}:${row.outcome}`);
}

/** Recovery, a repeated execute and the audit, the same after either kind of crash. */
async function recoverAfterCrash(restarted: ReturnType<typeof restart>, id: string) {
  expect(restarted.flow.recoverInterrupted()).toEqual([id]);
  const recovered = restarted.flow.get(agent, admin, id);
  expect(recovered.state).toBe('unknown');
  expect(recovered.error?.code).toBe('unknown');
  // A second recovery finds nothing left executing.
  expect(restarted.flow.recoverInterrupted()).toEqual([]);

  const calls = suspendCalls();
  const again = await restarted.flow.execute(agent, admin, id);
  expect(again.state).toBe('unknown');
  expect(again.version).toBe(recovered.version);
  expect(suspendCalls()).toBe(calls);
  return recovered;
}

describe('a SIGKILL while an intent is executing', () => {
  it('leaves the intent unknown when the call was in flight, and reconciles it by reading WHMCS', async () => {
    const file = join(dir, 'state.sqlite');
    sandbox.faults.set({ latencyByAction: { ModuleSuspend: LATENCY_MS } });
    const report = await startChild(file, 'sent');
    expect(report).toMatchObject({ event: 'executing', state: 'executing' });
    // Kill only once the suspension has reached WHMCS, so the crash falls inside the slow call.
    await waitUntil(() => suspendCalls() === 1, 'the suspension to reach the sandbox');
    const arrived = Date.now();
    expect(await killChild()).toBe('SIGKILL');
    // Let the sandbox reach the end of the slow call before WHMCS is read.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, arrived + LATENCY_MS + 300 - Date.now())));
    sandbox.faults.clear();

    const restarted = restart(file);
    await recoverAfterCrash(restarted, report.intent_id);
    const finished = sandbox.state.services.get(serviceId)!.status === 'Suspended';
    expect(suspendCalls()).toBe(1);

    const first = await restarted.flow.reconcile(agent, admin, report.intent_id);
    if (finished) {
      expect(first.state).toBe('executed');
      expect(first.result?.summary).toBe(`Reconciled as executed: Service ${serviceId} is Suspended.`);
    } else {
      // Not suspended yet: the call might still be running in WHMCS, so it stays unknown for a while.
      expect(first.state).toBe('unknown');
      restarted.advance(RECONCILE_SETTLE_MS + 1_000);
      const settled = await restarted.flow.reconcile(agent, admin, report.intent_id);
      expect(settled.state).toBe('failed');
      expect(settled.error?.message).toBe(`Service ${serviceId} is still Active.`);
      expect(sandbox.state.services.get(serviceId)!.status).toBe('Active');
    }
    expect(suspendCalls()).toBe(1);
    expect(events(restarted, report.intent_id)).toEqual([
      'draft:success',
      'validate:success',
      'approve:success',
      'execute:started',
      'recover:unknown',
      ...(finished ? [] : ['reconcile:unknown']),
      `reconcile:${finished ? 'executed' : 'failed'}`,
    ]);
    expect(restarted.store.verifyAudit()).toMatchObject({ ok: true, problem: null });
  }, 30_000);

  it('leaves the intent unknown when WHMCS answered but the answer was never stored, and reconciles it as executed', async () => {
    const file = join(dir, 'state.sqlite');
    const report = await startChild(file, 'answered');
    expect(report).toMatchObject({ event: 'executing', state: 'executing' });
    expect(sandbox.state.services.get(serviceId)!.status).toBe('Suspended');
    expect(await killChild()).toBe('SIGKILL');

    const restarted = restart(file);
    await recoverAfterCrash(restarted, report.intent_id);
    expect(suspendCalls()).toBe(1);
    const settled = await restarted.flow.reconcile(agent, admin, report.intent_id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toBe(`Reconciled as executed: Service ${serviceId} is Suspended.`);
    // Settled intents are final: executing once more returns them without calling WHMCS.
    expect((await restarted.flow.execute(agent, admin, report.intent_id)).state).toBe('executed');
    expect(suspendCalls()).toBe(1);
    expect(events(restarted, report.intent_id)).toEqual([
      'draft:success',
      'validate:success',
      'approve:success',
      'execute:started',
      'recover:unknown',
      'reconcile:executed',
    ]);
    expect(restarted.store.verifyAudit()).toMatchObject({ ok: true, problem: null });
  }, 30_000);
});
