/**
 * The write-flow engine against the sandbox over HTTP: every state transition allowed and refused,
 * and the attacks that do not depend on an action's own rules (self-approval, parameter tampering,
 * expiry, replays, concurrency, simulate, kill switch, production seal).
 */
import type { Database } from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import { ClientScope } from '../../src/policy/client-scope.js';
import type { Principal } from '../../src/policy/principal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { WhmcsClient } from '../../src/whmcs/client.js';
import { WriteFlow, type WriteSettings } from '../../src/writes/engine.js';
import { WRITE_RULES } from '../../src/writes/rules/index.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';
import {
  INTENT_STATES,
  allowedTransitions,
  canTransition,
  type IntentState,
} from '../../src/writes/states.js';

const agent: Principal = { id: 'agent', label: 'agent', roles: ['reader', 'operator'], transport: 'stdio' };
const alice: Principal = { id: 'operator:alice', label: 'alice', roles: ['approver'], transport: 'cli' };
const bob: Principal = { id: 'operator:bob', label: 'bob', roles: ['approver'], transport: 'cli' };
const reader: Principal = { id: 'consumer:viewer', label: 'viewer', roles: ['reader'], transport: 'http' };
const admin = ClientScope.admin();
const demo = SEED_FACTS.demoClient;

let sandbox: RunningSandbox;
let whmcs: WhmcsClient;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: 1000,
    maxConcurrency: 8,
  });
});
afterAll(async () => {
  await whmcs.close();
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const baseSettings: WriteSettings = {
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

function makeFlow(settings: Partial<WriteSettings> = {}, now?: () => Date) {
  const store = new SqliteIntentStore({ path: ':memory:', now });
  const flow = new WriteFlow({
    store,
    whmcs,
    settings: { ...baseSettings, ...settings },
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
    now,
  });
  return { store, flow };
}

const suspend = {
  action: 'ModuleSuspend',
  params: { serviceid: demo.services.active, suspendreason: 'Overdue invoice' },
  reason: 'Client is 30 days overdue',
  tool: 'suspend_service',
};

function serviceStatus(id: number): string {
  const service = sandbox.state.services.get(id);
  if (!service) throw new Error(`no service ${id}`);
  return service.status;
}

async function approvedSuspension(flow: WriteFlow) {
  const draft = flow.draft(agent, admin, suspend);
  const validated = await flow.validate(agent, admin, draft.id);
  expect(validated.state).toBe('validated');
  return flow.approve(alice, admin, draft.id, { reason: 'agreed', channel: 'cli' });
}

async function codeOf(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    if (error instanceof WhmcsMcpError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the state machine', () => {
  const expected: Record<IntentState, IntentState[]> = {
    draft: ['validated', 'invalid', 'cancelled', 'expired'],
    validated: ['validated', 'invalid', 'approved', 'rejected', 'cancelled', 'expired'],
    approved: ['executing', 'rejected', 'cancelled', 'expired', 'validated', 'invalid'],
    executing: ['executed', 'failed', 'unknown'],
    unknown: ['executed', 'failed'],
    executed: [],
    failed: [],
    invalid: [],
    rejected: [],
    cancelled: [],
    expired: [],
  };

  it('allows exactly the documented transitions and refuses every other pair', () => {
    for (const from of INTENT_STATES) {
      for (const to of INTENT_STATES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected[from].includes(to));
      }
      expect([...allowedTransitions(from)].sort()).toEqual([...expected[from]].sort());
    }
  });

  it('walks draft -> validated -> approved -> executing -> executed, changing WHMCS once', async () => {
    const { flow, store } = makeFlow();
    const approved = await approvedSuspension(flow);
    expect(approved.state).toBe('approved');
    const before = sandbox.stats().actions.ModuleSuspend ?? 0;
    const executed = await flow.execute(agent, admin, approved.id);
    expect(executed.state).toBe('executed');
    expect(executed.result?.simulated).toBe(false);
    expect(serviceStatus(demo.services.active)).toBe('Suspended');
    expect((sandbox.stats().actions.ModuleSuspend ?? 0) - before).toBe(1);
    const events = store
      .listAudit({ intent_id: approved.id, limit: 50, offset: 0 })
      .items.map((row) => `${row.event}:${row.outcome}`);
    expect(events).toEqual([
      'draft:success',
      'validate:success',
      'approve:success',
      'execute:started',
      'execute:success',
    ]);
    expect(store.verifyAudit().ok).toBe(true);
  });

  it('refuses operations from the wrong state with conflict or approval_required', async () => {
    const { flow } = makeFlow();
    const draft = flow.draft(agent, admin, suspend);
    expect(await codeOf(() => flow.approve(alice, admin, draft.id, { reason: 'x', channel: 'cli' }))).toBe(
      'conflict',
    );
    expect(await codeOf(() => flow.execute(agent, admin, draft.id))).toBe('approval_required');
    flow.cancel(agent, admin, draft.id, 'changed my mind');
    expect(await codeOf(() => flow.validate(agent, admin, draft.id))).toBe('conflict');
    expect(await codeOf(() => flow.cancel(agent, admin, draft.id, 'again'))).toBe('conflict');
    expect(await codeOf(() => flow.reconcile(agent, admin, draft.id))).toBe('conflict');
  });

  it('marks an intent invalid when its preconditions fail', async () => {
    const { flow } = makeFlow();
    const draft = flow.draft(agent, admin, { ...suspend, params: { serviceid: 999_999 } });
    const validated = await flow.validate(agent, admin, draft.id);
    expect(validated.state).toBe('invalid');
    expect(validated.validation?.problems.length).toBeGreaterThan(0);
    expect(await codeOf(() => flow.approve(alice, admin, draft.id, { reason: 'x', channel: 'cli' }))).toBe(
      'conflict',
    );
  });
});

describe('approval the agent cannot grant itself', () => {
  it('refuses the drafter, a principal with the drafter name, and a principal without the approver role', async () => {
    const { flow, store } = makeFlow();
    const draft = flow.draft(agent, admin, suspend);
    await flow.validate(agent, admin, draft.id);
    const sameName: Principal = {
      id: 'operator:agent',
      label: 'agent',
      roles: ['approver'],
      transport: 'cli',
    };
    const selfApprover: Principal = { ...agent, roles: ['reader', 'operator', 'approver'] };
    for (const principal of [selfApprover, sameName]) {
      expect(
        await codeOf(() => flow.approve(principal, admin, draft.id, { reason: 'me', channel: 'cli' })),
      ).toBe('forbidden');
    }
    // Without the role the answer is forbidden whether or not the intent exists, and it is audited.
    expect(await codeOf(() => flow.approve(reader, admin, draft.id, { reason: 'x', channel: 'http' }))).toBe(
      'forbidden',
    );
    expect(
      await codeOf(() => flow.approve(reader, admin, 'wi_missing', { reason: 'x', channel: 'http' })),
    ).toBe('forbidden');
    expect(flow.get(agent, admin, draft.id).state).toBe('validated');
    const refusals = store
      .listAudit({ intent_id: draft.id, limit: 50, offset: 0 })
      .items.filter((row) => row.event === 'approve');
    expect(refusals.map((row) => row.outcome)).toEqual([
      'refused:forbidden',
      'refused:forbidden',
      'refused:forbidden',
    ]);
  });

  it('binds the approval to the parameters: edited parameters are refused at execution', async () => {
    const { flow, store } = makeFlow();
    const approved = await approvedSuspension(flow);
    // An attacker with access to the state file swaps the service behind the approval.
    const db = (store as unknown as { db: Database }).db;
    const intent = store.getIntent(approved.id)!;
    const tampered = { ...intent, params: { ...intent.params, serviceid: demo.services.pending } };
    db.prepare('UPDATE intents SET body = ? WHERE id = ?').run(JSON.stringify(tampered), intent.id);
    expect(await codeOf(() => flow.execute(agent, admin, approved.id))).toBe('conflict');
    expect(serviceStatus(demo.services.pending)).toBe('Pending');
    expect(serviceStatus(demo.services.active)).toBe('Active');
  });

  it('needs two different approvers above the dual-approval threshold for destructive writes', async () => {
    const { flow } = makeFlow({ dualApprovalThreshold: '100.00' });
    const draft = flow.draft(agent, admin, {
      ...suspend,
      action: 'ModuleTerminate',
      params: { serviceid: demo.services.suspended },
      tool: 'terminate_service',
    });
    const validated = await flow.validate(agent, admin, draft.id);
    expect(validated.approvals_required).toBe(2);
    const first = flow.approve(alice, admin, draft.id, { reason: 'ok', channel: 'cli' });
    expect(first.state).toBe('validated');
    expect(first.approvals_still_needed).toBe(1);
    // The same approver again does not count twice.
    expect(flow.approve(alice, admin, draft.id, { reason: 'ok again', channel: 'cli' }).state).toBe(
      'validated',
    );
    expect(flow.approve(bob, admin, draft.id, { reason: 'ok', channel: 'cli' }).state).toBe('approved');
  });
});

describe('execution', () => {
  it('returns the stored result on a second execute without calling WHMCS again', async () => {
    const { flow } = makeFlow();
    const approved = await approvedSuspension(flow);
    const first = await flow.execute(agent, admin, approved.id);
    const calls = sandbox.stats().actions.ModuleSuspend ?? 0;
    const second = await flow.execute(agent, admin, approved.id);
    expect(second.state).toBe('executed');
    expect(second.result).toEqual(first.result);
    expect(sandbox.stats().actions.ModuleSuspend ?? 0).toBe(calls);
  });

  it('makes exactly one WHMCS call when two callers execute the same intent at once', async () => {
    const { flow } = makeFlow();
    const approved = await approvedSuspension(flow);
    sandbox.faults.set({ latencyByAction: { ModuleSuspend: 150 } });
    const before = sandbox.stats().actions.ModuleSuspend ?? 0;
    const outcomes = await Promise.allSettled([
      flow.execute(agent, admin, approved.id),
      flow.execute(alice, admin, approved.id),
    ]);
    sandbox.faults.clear();
    expect((sandbox.stats().actions.ModuleSuspend ?? 0) - before).toBe(1);
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect((outcome.reason as WhmcsMcpError).code).toBe('conflict');
    }
    expect(flow.get(agent, admin, approved.id).state).toBe('executed');
  });

  it('refuses after the approval expired and marks the intent expired', async () => {
    let clock = new Date('2026-11-22T10:00:00Z').getTime();
    const { flow } = makeFlow({ approvalTtlMs: 60_000 }, () => new Date(clock));
    const approved = await approvedSuspension(flow);
    clock += 61_000;
    expect(await codeOf(() => flow.execute(agent, admin, approved.id))).toBe('approval_required');
    expect(flow.get(agent, admin, approved.id).state).toBe('expired');
    expect(serviceStatus(demo.services.active)).toBe('Active');
  });

  it('refuses when WHMCS changed between approval and execution', async () => {
    const { flow } = makeFlow();
    const approved = await approvedSuspension(flow);
    // Someone closes the client in WHMCS after the approval.
    await whmcs.call('CloseClient', { clientid: demo.id });
    expect(await codeOf(() => flow.execute(agent, admin, approved.id))).toBe('conflict');
    expect(flow.get(agent, admin, approved.id).state).toBe('approved');
  });

  it('runs the whole pipeline in simulate mode without changing WHMCS', async () => {
    const { flow, store } = makeFlow({ mode: 'simulate' });
    const approved = await approvedSuspension(flow);
    const before = sandbox.stats().actions.ModuleSuspend ?? 0;
    const executed = await flow.execute(agent, admin, approved.id);
    expect(executed.state).toBe('executed');
    expect(executed.result?.simulated).toBe(true);
    expect(serviceStatus(demo.services.active)).toBe('Active');
    expect(sandbox.stats().actions.ModuleSuspend ?? 0).toBe(before);
    const last = store.listAudit({ intent_id: approved.id, limit: 50, offset: 0 }).items.at(-1)!;
    expect(last.outcome).toBe('simulated');
  });

  it('lets the kill switch block approved intents', async () => {
    const { flow, store } = makeFlow({ writesDisabled: true });
    const approved = await approvedSuspension(flow);
    expect(await codeOf(() => flow.execute(agent, admin, approved.id))).toBe('forbidden');
    expect(serviceStatus(demo.services.active)).toBe('Active');
    const { flow: second } = makeFlow();
    const other = await approvedSuspension(second);
    (second as unknown as { store: SqliteIntentStore }).store.setSetting('kill_switch', 'on', {
      principal: 'admin',
      tool: null,
      action: null,
      entity: null,
      intent_id: null,
      event: 'kill_switch',
      outcome: 'engaged',
      params_digest: null,
      detail: null,
    });
    expect(await codeOf(() => second.execute(agent, admin, other.id))).toBe('forbidden');
    expect(store.verifyAudit().ok).toBe(true);
  });

  it('seals production: only MCP_WRITE_ALLOWLIST actions run, compared without case', async () => {
    const sealed = makeFlow({ environment: 'production', writeAllowlist: ['AddCredit'] });
    const refused = await approvedSuspension(sealed.flow);
    expect(await codeOf(() => sealed.flow.execute(agent, admin, refused.id))).toBe('forbidden');
    const open = makeFlow({ environment: 'production', writeAllowlist: ['modulesuspend'] });
    const allowed = await approvedSuspension(open.flow);
    expect((await open.flow.execute(agent, admin, allowed.id)).state).toBe('executed');
  });

  it('refuses money-moving writes in production until both caps are set', async () => {
    const credit = {
      action: 'AddCredit',
      params: { clientid: demo.id, amount: '5.00', description: 'goodwill' },
      reason: 'goodwill',
      tool: 'add_credit',
    };
    const run = async (settings: Partial<WriteSettings>) => {
      const { flow } = makeFlow({ environment: 'production', writeAllowlist: ['AddCredit'], ...settings });
      const draft = flow.draft(agent, admin, credit);
      await flow.validate(agent, admin, draft.id);
      flow.approve(alice, admin, draft.id, { reason: 'ok', channel: 'cli' });
      return flow.execute(agent, admin, draft.id);
    };
    expect(await codeOf(() => run({}))).toBe('forbidden');
    expect(await codeOf(() => run({ perActionCap: '100.00' }))).toBe('forbidden');
    expect((await run({ perActionCap: '100.00', dailyCap: '500.00' })).state).toBe('executed');
  });

  it('drops approvals given before a re-validation', async () => {
    const { flow } = makeFlow({ dualApprovalThreshold: '100.00' });
    const terminate = {
      ...suspend,
      action: 'ModuleTerminate',
      params: { serviceid: demo.services.suspended },
      tool: 'terminate_service',
    };
    const draft = flow.draft(agent, admin, terminate);
    await flow.validate(agent, admin, draft.id);
    flow.approve(alice, admin, draft.id, { reason: 'ok', channel: 'cli' });
    const revalidated = await flow.validate(agent, admin, draft.id);
    expect(revalidated.approvals_still_needed).toBe(2);
    expect(flow.approve(bob, admin, draft.id, { reason: 'ok', channel: 'cli' }).state).toBe('validated');
  });

  it('keeps intents to their drafter, approvers and client scope', async () => {
    const { flow } = makeFlow();
    const draft = flow.draft(agent, admin, suspend);
    const other: Principal = {
      id: 'consumer:bot',
      label: 'bot',
      roles: ['reader', 'operator'],
      transport: 'http',
    };
    expect(await codeOf(() => flow.get(other, admin, draft.id))).toBe('not_found');
    expect(await codeOf(() => flow.get(alice, ClientScope.clients([2]), draft.id))).toBe('not_found');
    expect(flow.get(alice, admin, draft.id).id).toBe(draft.id);
    expect(flow.list(other, admin, { limit: 10, offset: 0 }).total).toBe(0);
  });
});

describe('drafting', () => {
  it('treats the same idempotency key with the same parameters as the same intent, and other parameters as a conflict', () => {
    const { flow } = makeFlow();
    const first = flow.draft(agent, admin, { ...suspend, idempotencyKey: 'suspend-1' });
    const again = flow.draft(agent, admin, { ...suspend, idempotencyKey: 'suspend-1' });
    expect(again.id).toBe(first.id);
    expect(() =>
      flow.draft(agent, admin, {
        ...suspend,
        params: { serviceid: demo.services.pending },
        idempotencyKey: 'suspend-1',
      }),
    ).toThrow(/already used/);
    // Keys belong to their principal: another principal's identical key is a new intent.
    const other: Principal = { ...agent, id: 'consumer:other', label: 'other' };
    expect(flow.draft(other, admin, { ...suspend, idempotencyKey: 'suspend-1' }).id).not.toBe(first.id);
  });

  it('gives intents 128-bit random ids and refuses reads, blocked actions and read_only mode', async () => {
    const { flow } = makeFlow();
    const ids = new Set(Array.from({ length: 50 }, () => flow.draft(agent, admin, suspend).id));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(Buffer.from(id.slice(3), 'base64url')).toHaveLength(16);
    expect(
      await codeOf(() =>
        flow.draft(agent, admin, { ...suspend, action: 'GetInvoice', params: { invoiceid: 1 } }),
      ),
    ).toBe('invalid_input');
    expect(
      await codeOf(() =>
        flow.draft(agent, admin, { ...suspend, action: 'DecryptPassword', params: { password2: 'x' } }),
      ),
    ).toBe('forbidden');
    const readOnly = makeFlow({ mode: 'read_only' });
    expect(await codeOf(() => readOnly.flow.draft(agent, admin, suspend))).toBe('not_permitted_in_mode');
  });

  it('refuses a client-scoped principal drafting for another client', async () => {
    const { flow } = makeFlow();
    const scoped = ClientScope.clients([2]);
    expect(
      await codeOf(() =>
        flow.draft(agent, scoped, {
          ...suspend,
          action: 'AddClientNote',
          params: { userid: demo.id, notes: 'x' },
        }),
      ),
    ).toBe('not_found');
  });

  it('auto-approves low-risk writes without effects only when configured, in full mode', async () => {
    const note = {
      action: 'AddClientNote',
      params: { userid: demo.id, notes: 'Called about renewal' },
      reason: 'log the call',
      tool: 'add_client_note',
    };
    const auto = makeFlow({ autoApproveLowRisk: true });
    const draft = auto.flow.draft(agent, admin, note);
    expect((await auto.flow.validate(agent, admin, draft.id)).state).toBe('approved');
    const manual = makeFlow({ autoApproveLowRisk: true, mode: 'simulate' });
    const pending = manual.flow.draft(agent, admin, note);
    expect((await manual.flow.validate(agent, admin, pending.id)).state).toBe('validated');
    const medium = auto.flow.draft(agent, admin, suspend);
    expect((await auto.flow.validate(agent, admin, medium.id)).state).toBe('validated');
  });
});
