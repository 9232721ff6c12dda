/**
 * The operator channel: `intents` and `audit` against the state file a server wrote, run through
 * the real CLI frame. An agent drafts through the engine; a person approves here under a name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { ClientScope } from '../../src/policy/client-scope.js';
import type { Principal } from '../../src/policy/principal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { WhmcsClient } from '../../src/whmcs/client.js';
import { WriteFlow } from '../../src/writes/engine.js';
import { WRITE_RULES } from '../../src/writes/rules/index.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';
import { captureIo, removeCapturedDirectories } from './io.js';

const agent: Principal = {
  id: 'stdio',
  label: 'stdio-agent',
  roles: ['reader', 'operator'],
  transport: 'stdio',
};
const demo = SEED_FACTS.demoClient;

let sandbox: RunningSandbox;
let whmcs: WhmcsClient;
let dir: string;
let statePath: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
  });
});
afterAll(async () => {
  await whmcs.close();
  await sandbox.close();
});
afterEach(() => {
  removeCapturedDirectories();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Drafts and validates an intent the way the server would, in a fresh state file. */
async function validatedIntent(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-operator-'));
  statePath = join(dir, 'state.sqlite');
  const store = new SqliteIntentStore({ path: statePath });
  const flow = new WriteFlow({
    store,
    whmcs,
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
    settings: {
      mode: 'full',
      environment: 'test',
      writesDisabled: false,
      writeAllowlist: [],
      perActionCap: null,
      dailyCap: null,
      approvalTtlMs: 900_000,
      intentTtlMs: 86_400_000,
      autoApproveLowRisk: false,
      dualApprovalThreshold: null,
      largeRefundThreshold: '1000.00',
    },
  });
  const draft = flow.draft(agent, ClientScope.admin(), {
    action: 'ModuleSuspend',
    params: { serviceid: demo.services.active },
    reason: 'overdue',
    tool: 'suspend_service',
  });
  await flow.validate(agent, ClientScope.admin(), draft.id);
  store.close();
  return draft.id;
}

function cli(args: string[]) {
  const io = captureIo({ MCP_STATE_DB: statePath, MCP_MODE: 'full' });
  return runCli(args, io).then((code) => ({ code, stdout: io.stdout.text, stderr: io.stderr.text }));
}

describe('whmcs-mcp intents', () => {
  it('lists pending intents with their impact, and approves as the named person', async () => {
    const id = await validatedIntent();
    const listed = await cli(['intents', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toMatch(/impact: {2}\S/);
    const approved = await cli(['intents', 'approve', id, '--as', 'Ada Admin', '--reason', 'checked']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/APPROVED/);
    expect(approved.stdout).toMatch(/approve by Ada Admin via cli/);
  });

  it('refuses an approval under the drafter name, and without a name', async () => {
    const id = await validatedIntent();
    const self = await cli(['intents', 'approve', id, '--as', 'stdio-agent']);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/forbidden: The drafter/);
    const anonymous = await cli(['intents', 'approve', id]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/--as <name> is required/);
  });

  it('rejects with a reason and shows JSON', async () => {
    const id = await validatedIntent();
    expect((await cli(['intents', 'reject', id, '--as', 'Ada'])).code).toBe(2);
    const rejected = await cli(['intents', 'reject', id, '--as', 'Ada', '--reason', 'not now', '--json']);
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.stdout).state).toBe('rejected');
  });

  it('answers an unknown id as not found', async () => {
    await validatedIntent();
    const shown = await cli(['intents', 'show', 'wi_nope']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/not_found/);
  });
});

describe('whmcs-mcp audit', () => {
  it('verifies the chain, exports it, and names the first bad row after tampering', async () => {
    const id = await validatedIntent();
    await cli(['intents', 'approve', id, '--as', 'Ada']);
    const verified = await cli(['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/Audit chain verified: 3 row/);

    const jsonl = await cli(['audit', 'export']);
    const rows = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string });
    expect(rows.map((row) => row.event)).toEqual(['draft', 'validate', 'approve']);
    const csvPath = join(dir, 'audit.csv');
    expect((await cli(['audit', 'export', '--format', 'csv', '--output', csvPath])).code).toBe(0);
    const csv = readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^seq,at,principal/);
    expect(csv).toHaveLength(4);

    const db = new Database(statePath);
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET outcome = 'forged' WHERE seq = 2");
    db.close();
    const broken = await cli(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/AUDIT CHAIN BROKEN at row 2/);
  });
});
