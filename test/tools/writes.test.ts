/**
 * The intent tools and the governance around every write tool, through real SDK clients against
 * the sandbox. Approvals come from a second principal connected to the SAME runtime (one intent
 * store); the agent itself is the stdio principal, which holds no approver role.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/principal.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { writesTools } from '../../src/tools/writes/index.js';
import { amountInput, hostNameInput } from '../../src/tools/writes/inputs.js';
import { snapshotRecord, visibleParams } from '../../src/tools/writes/intent-view.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const WRITE_TOOL_NAMES = writesTools.map((tool) => tool.name);
const CLIENT_SAFE_WRITES = ['create_ticket', 'reply_ticket'];
const INTENT_TOOLS = [
  'draft_write_intent',
  'validate_write_intent',
  'approve_write_intent',
  'reject_write_intent',
  'execute_write_intent',
  'get_write_intent',
  'list_write_intents',
  'cancel_write_intent',
  'reconcile_write_intent',
];

/** Intent tools only an approver sees: the agent over stdio is never offered them. */
const APPROVER_TOOLS = ['approve_write_intent', 'reject_write_intent'];

const alice: Principal = { id: 'consumer:alice', label: 'alice', roles: ['approver'], transport: 'http' };
/** An approver who drafts too: still never the approver of their own intent. */
const bob: Principal = {
  id: 'consumer:bob',
  label: 'bob',
  roles: ['operator', 'approver'],
  transport: 'http',
};
/** Authenticated, but without the approver role. */
const carol: Principal = {
  id: 'consumer:carol',
  label: 'carol',
  roles: ['reader', 'operator'],
  transport: 'http',
};

interface Connection {
  client: Client;
  close(): Promise<void>;
}

/** A second MCP connection on the same runtime, so both principals share one intent store. */
async function connect(runtime: Runtime, principal: Principal): Promise<Connection> {
  const server = runtime.createServer(() => principal);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: `whmcs-mcp-tests-${principal.label}`, version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

async function textOf(client: Client, name: string, args: Structured): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return (result.content as Array<{ text: string }>)[0]!.text;
}

let agent: Harness;
const connections: Connection[] = [];
let asAlice: Client;
let asBob: Client;
let asCarol: Client;

beforeAll(async () => {
  agent = await startHarness({ env: { MCP_MODE: 'full' } });
  for (const principal of [alice, bob, carol]) connections.push(await connect(agent.runtime, principal));
  [asAlice, asBob, asCarol] = connections.map((connection) => connection.client) as [Client, Client, Client];
});

afterAll(async () => {
  for (const connection of connections) await connection.close();
  await agent?.close();
});

function creditDraft(amount: string, extra: Structured = {}) {
  return {
    action: 'AddCredit',
    params: { clientid: demo.id, amount, description: 'Goodwill' },
    reason: 'Outage on 2025-06-10',
    ...extra,
  };
}

describe('the intent lifecycle', () => {
  it('drafts, validates, is approved by another principal, executes once, and audits every step', async () => {
    const creditBefore = agent.sandbox.state.clients.get(demo.id)!.credit;
    const draft = await callOk(agent.client, 'draft_write_intent', creditDraft('12.50'));
    expect(draft).toMatchObject({
      action: 'AddCredit',
      state: 'draft',
      risk: 'medium',
      effects: ['money'],
      entity: { kind: 'client', id: demo.id, client_id: demo.id },
      tool: 'draft_write_intent',
      drafted_by_label: 'test-agent',
      validation: null,
      approvals: [],
      result: null,
      error: null,
    });
    expect(draft.id).toMatch(/^wi_[A-Za-z0-9_-]{22}$/);
    expect(draft.next_step).toMatch(/validate_write_intent/);

    const validated = await callOk(agent.client, 'validate_write_intent', { intent_id: draft.id });
    expect(validated.state).toBe('validated');
    const validation = validated.validation as Structured;
    expect(validation.cap_amount).toEqual({ amount: '12.50', currency: 'USD' });
    expect(
      Object.values(validation.snapshot as Structured).every(
        (value) => typeof value !== 'object' || value === null,
      ),
    ).toBe(true);
    const pendingText = await textOf(agent.client, 'get_write_intent', { intent_id: draft.id });
    expect(pendingText).toMatch(
      /^Pending approval: .*credit balance .* -> .* USD.*; needs 1 approval by an approver/,
    );

    // Not approved yet: execution is refused and WHMCS is untouched.
    const early = await callError(agent.client, 'execute_write_intent', { intent_id: draft.id });
    expect(early.code).toBe('approval_required');
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore);

    const approved = await callOk(asAlice, 'approve_write_intent', {
      intent_id: draft.id,
      reason: 'Outage confirmed',
    });
    expect(approved).toMatchObject({ state: 'approved', approvals_still_needed: 0 });

    const executed = await callOk(agent.client, 'execute_write_intent', { intent_id: draft.id });
    expect(executed.state).toBe('executed');
    expect(executed.result).toMatchObject({
      simulated: false,
      reply: { newbalance: expect.any(String) as unknown },
    });
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore + 1250n);
    const doneText = await textOf(agent.client, 'get_write_intent', { intent_id: draft.id });
    expect(doneText).toMatch(/^Executed: /);

    // A repeated execute returns the stored result and sends nothing.
    const calls = agent.sandbox.stats().actions.AddCredit ?? 0;
    const again = await callOk(agent.client, 'execute_write_intent', { intent_id: draft.id });
    expect(again.state).toBe('executed');
    expect(agent.sandbox.stats().actions.AddCredit ?? 0).toBe(calls);
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore + 1250n);

    const events = agent.runtime.store
      .listAudit({ intent_id: draft.id as string, limit: 50, offset: 0 })
      .items.map((row) => `${row.event}:${row.outcome}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'draft:success',
        'validate:success',
        'execute:refused:approval_required',
        'approve:success',
        'execute:started',
        'execute:success',
      ]),
    );
    expect(agent.runtime.store.verifyAudit().ok).toBe(true);
  });

  it('refuses parameters the action does not document, naming them, and actions that cannot be drafted', async () => {
    const unknown = await callError(
      agent.client,
      'draft_write_intent',
      creditDraft('1.00', { params: { clientid: 1, amount: '1.00', description: 'x', colour: 'red' } }),
    );
    expect(unknown.code).toBe('invalid_input');
    expect(unknown.message).toContain('params.colour');
    const missing = await callError(agent.client, 'draft_write_intent', {
      ...creditDraft('1.00'),
      params: { clientid: 1 },
    });
    expect(missing.message).toContain('params.amount');

    const blocked = await callError(agent.client, 'draft_write_intent', {
      action: 'DecryptPassword',
      params: { password2: 'c2VjcmV0' },
      reason: 'try',
    });
    expect(blocked.code).toBe('forbidden');
    expect(JSON.stringify(blocked)).not.toContain('c2VjcmV0');

    const read = await callError(agent.client, 'draft_write_intent', {
      action: 'GetInvoices',
      params: {},
      reason: 'x',
    });
    expect(read.code).toBe('invalid_input');

    const typo = await callError(agent.client, 'draft_write_intent', {
      action: 'AddCredits',
      params: {},
      reason: 'x',
    });
    expect(typo.code).toBe('invalid_input');
    expect(typo.message).toContain('action');
    expect(typo.details?.suggestions).toEqual(expect.arrayContaining(['AddCredit']));

    const bulky = await callError(agent.client, 'draft_write_intent', {
      action: 'AddClientNote',
      params: { userid: 1, notes: 'n'.repeat(20_001) },
      reason: 'x',
    });
    expect(bulky.code).toBe('invalid_input');
    expect(bulky.message).toContain('params.notes');
  });

  it('invalidates an intent whose preconditions fail, with the problem to read', async () => {
    const draft = await callOk(agent.client, 'draft_write_intent', {
      action: 'ApplyCredit',
      params: { invoiceid: demo.invoices.cancelled, amount: '1.00' },
      reason: 'apply to a cancelled invoice',
    });
    const validated = await callOk(agent.client, 'validate_write_intent', { intent_id: draft.id });
    expect(validated.state).toBe('invalid');
    expect(((validated.validation as Structured).problems as string[]).length).toBeGreaterThan(0);
    expect(await textOf(agent.client, 'get_write_intent', { intent_id: draft.id })).toMatch(/^Invalid: /);
  });

  it('cancels an intent so it can never run, and refuses to reconcile one that is not unknown', async () => {
    const pending = await callOk(agent.client, 'add_credit', {
      client_id: demo.id,
      amount: '3.00',
      reason: 'cancel me',
    });
    const cancelled = await callOk(agent.client, 'cancel_write_intent', {
      intent_id: pending.id,
      reason: 'Changed my mind',
    });
    expect(cancelled.state).toBe('cancelled');
    const approve = await callError(asAlice, 'approve_write_intent', {
      intent_id: pending.id,
      reason: 'late',
    });
    expect(approve.code).toBe('conflict');
    const execute = await callError(agent.client, 'execute_write_intent', { intent_id: pending.id });
    expect(execute.code).toBe('approval_required');
    const reconcile = await callError(agent.client, 'reconcile_write_intent', { intent_id: pending.id });
    expect(reconcile.code).toBe('conflict');
  });

  it('reports an unknown outcome when WHMCS may have acted, and reconciles it from WHMCS', async () => {
    const creditBefore = agent.sandbox.state.clients.get(demo.id)!.credit;
    const pending = await callOk(agent.client, 'add_credit', {
      client_id: demo.id,
      amount: '6.00',
      reason: 'reply lost on the way back',
    });
    await callOk(asAlice, 'approve_write_intent', { intent_id: pending.id, reason: 'ok' });
    // The sandbox applies AddCredit, then answers with an empty body (a PHP fatal after the write).
    agent.sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddCredit' }] });
    try {
      const executed = await callOk(agent.client, 'execute_write_intent', { intent_id: pending.id });
      expect(executed.state).toBe('unknown');
      expect(executed.next_step).toMatch(/reconcile_write_intent/);
      expect(await textOf(agent.client, 'get_write_intent', { intent_id: pending.id })).toMatch(
        /^Outcome unknown: /,
      );
    } finally {
      agent.sandbox.faults.clear();
    }
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore + 600n);
    const calls = agent.sandbox.stats().actions.AddCredit ?? 0;
    const reconciled = await callOk(agent.client, 'reconcile_write_intent', { intent_id: pending.id });
    expect(reconciled.state).toBe('executed');
    expect((reconciled.result as Structured).summary).toMatch(/^Reconciled as executed/);
    // Reconciling reads; it never sends the write again.
    expect(agent.sandbox.stats().actions.AddCredit ?? 0).toBe(calls);
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore + 600n);
    expect(agent.runtime.store.verifyAudit().ok).toBe(true);
  });

  it('answers an intent id that does not exist, or is not visible, as not found', async () => {
    const missing = await callError(agent.client, 'get_write_intent', {
      intent_id: 'wi_AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(missing).toMatchObject({
      code: 'not_found',
      message: 'Write intent wi_AAAAAAAAAAAAAAAAAAAAAA was not found.',
    });
    const bobs = await callOk(asBob, 'add_credit', {
      client_id: demo.id,
      amount: '2.00',
      reason: 'bob drafts',
    });
    const hidden = await callError(agent.client, 'get_write_intent', { intent_id: bobs.id });
    expect(hidden).toEqual({
      ...missing,
      message: missing.message.replace('wi_AAAAAAAAAAAAAAAAAAAAAA', bobs.id as string),
      details: { intent_id: bobs.id },
    });
    const malformed = await callError(agent.client, 'get_write_intent', { intent_id: 'x'.repeat(10_000) });
    expect(malformed.code).toBe('invalid_input');
    expect(malformed.message).toContain('id');
  });
});

describe('who may approve', () => {
  it('refuses self-approval through the tool: the stdio agent has no approver role', async () => {
    const pending = await callOk(agent.client, 'add_credit', {
      client_id: demo.id,
      amount: '4.00',
      reason: 'self',
    });
    const error = await callError(agent.client, 'approve_write_intent', {
      intent_id: pending.id,
      reason: 'I approve myself',
    });
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/drafter|approver role/);
    expect((await callOk(agent.client, 'get_write_intent', { intent_id: pending.id })).state).toBe(
      'validated',
    );
    const refused = agent.runtime.store
      .listAudit({ intent_id: pending.id as string, limit: 20, offset: 0 })
      .items.filter((row) => row.outcome === 'refused:forbidden');
    expect(refused.length).toBe(1);
  });

  it('lets an approver connection reject an intent, and refuses the agent', async () => {
    const pending = await callOk(agent.client, 'add_credit', {
      client_id: demo.id,
      amount: '3.00',
      reason: 'reject me',
    });
    const refused = await callError(agent.client, 'reject_write_intent', {
      intent_id: pending.id,
      reason: 'no',
    });
    expect(refused.code).toBe('forbidden');
    const rejected = await callOk(asAlice, 'reject_write_intent', {
      intent_id: pending.id,
      reason: 'not justified',
    });
    expect(rejected.state).toBe('rejected');
    const late = await callError(agent.client, 'execute_write_intent', { intent_id: pending.id });
    expect(late.code).toBe('approval_required');
  });

  it('refuses an approver approving their own intent', async () => {
    const pending = await callOk(asBob, 'add_credit', {
      client_id: demo.id,
      amount: '4.00',
      reason: 'bob drafts',
    });
    const error = await callError(asBob, 'approve_write_intent', { intent_id: pending.id, reason: 'mine' });
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/drafter/);
    const approved = await callOk(asAlice, 'approve_write_intent', { intent_id: pending.id, reason: 'ok' });
    expect(approved.state).toBe('approved');
  });

  it('refuses a forged approver, principal or as argument as an unknown field', async () => {
    const pending = await callOk(agent.client, 'add_credit', {
      client_id: demo.id,
      amount: '4.00',
      reason: 'forge',
    });
    // The agent is refused before its arguments are read (it lacks the role); an approver's forged
    // field is refused by name: no argument can name who approves.
    expect(
      (
        await callError(agent.client, 'approve_write_intent', {
          intent_id: pending.id,
          reason: 'ok',
          approver: 'alice',
        })
      ).code,
    ).toBe('forbidden');
    for (const field of ['approver', 'principal', 'as', 'approved_by']) {
      const error = await callError(asAlice, 'approve_write_intent', {
        intent_id: pending.id,
        reason: 'ok',
        [field]: 'alice',
      });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(`${field}: unknown field`);
    }
    for (const tool of ['draft_write_intent', 'execute_write_intent', 'add_credit']) {
      const error = await callError(agent.client, tool, { id: pending.id, principal: 'consumer:alice' });
      expect(error.code, tool).toBe('invalid_input');
      expect(error.message, tool).toContain('principal: unknown field');
    }
    expect((await callOk(agent.client, 'get_write_intent', { intent_id: pending.id })).state).toBe(
      'validated',
    );
  });

  it('refuses a caller without the approver role, whether or not the intent exists', async () => {
    const pending = await callOk(agent.client, 'add_credit', {
      client_id: demo.id,
      amount: '4.00',
      reason: 'role',
    });
    const existing = await callError(asCarol, 'approve_write_intent', {
      intent_id: pending.id,
      reason: 'ok',
    });
    expect(existing.code).toBe('forbidden');
    expect(existing.message).toMatch(/needs the approver role, which carol does not hold/);
    const missing = await callError(asCarol, 'approve_write_intent', {
      intent_id: 'wi_AAAAAAAAAAAAAAAAAAAAAA',
      reason: 'ok',
    });
    expect(missing).toEqual(existing);
  });

  it('needs the acknowledgements validation requires, and lists approvals with their channel', async () => {
    const pending = await callOk(agent.client, 'draft_write_intent', {
      action: 'AddInvoicePayment',
      params: {
        invoiceid: demo.invoices.overdue,
        transid: 'DUP-CHECK-1',
        gateway: 'banktransfer',
        date: '2025-06-14',
        amount: '500.00',
      },
      reason: 'payment larger than the balance',
    });
    const validated = await callOk(agent.client, 'validate_write_intent', { intent_id: pending.id });
    expect(validated.state).toBe('validated');
    const required = (validated.validation as Structured).required_acknowledgements as string[];
    expect(required).toContain('overpayment');
    const without = await callError(asAlice, 'approve_write_intent', { intent_id: pending.id, reason: 'ok' });
    expect(without.code).toBe('invalid_input');
    expect(without.message).toContain('overpayment');
    const approved = await callOk(asAlice, 'approve_write_intent', {
      intent_id: pending.id,
      reason: 'client overpaid on purpose',
      acknowledgements: required,
    });
    expect(approved.state).toBe('approved');
    expect((approved.validation as Structured).acknowledgements).toEqual(required);
    expect(approved.approvals).toEqual([
      { label: 'alice', channel: 'http', decision: 'approve', created_at: expect.any(String) as unknown },
    ]);
    await callOk(agent.client, 'cancel_write_intent', {
      intent_id: pending.id,
      reason: 'not actually needed',
    });
  });
});

describe('list_write_intents', () => {
  it('shows the agent its own intents and an approver every intent, filtered and paged', async () => {
    const mine = await callOk(agent.client, 'list_write_intents', { limit: 100 });
    const all = await callOk(asAlice, 'list_write_intents', { limit: 100 });
    expect((mine.items as Structured[]).every((item) => item.drafted_by_label === 'test-agent')).toBe(true);
    expect(all.total as number).toBeGreaterThan(mine.total as number);
    expect((all.items as Structured[]).some((item) => item.drafted_by_label === 'bob')).toBe(true);

    const validated = await callOk(asAlice, 'list_write_intents', {
      state: 'validated',
      action: 'addcredit',
      limit: 100,
    });
    const items = validated.items as Structured[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.state === 'validated' && item.action === 'AddCredit')).toBe(true);
    expect(validated.total).toBe(items.length);

    const seen: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await callOk(asAlice, 'list_write_intents', { limit: 3, offset });
      expect(page.count).toBe((page.items as Structured[]).length);
      expect(page.total).toBe(all.total);
      seen.push(...(page.items as Structured[]).map((item) => item.id as string));
      offset = page.next_offset as number | null;
    }
    expect(new Set(seen).size).toBe(all.total);

    for (const args of [{ limit: 0 }, { limit: 101 }, { state: 'pending' }, { action: 'x'.repeat(10_000) }]) {
      const error = await callError(agent.client, 'list_write_intents', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(Object.keys(args)[0]!);
    }
  });
});

describe('whmcs_call and writes', () => {
  it('drafts a write action as a pending intent, with a reason, and does not run it', async () => {
    const creditBefore = agent.sandbox.state.clients.get(demo.id)!.credit;
    const noReason = await callError(agent.client, 'whmcs_call', {
      action: 'AddCredit',
      params: { clientid: demo.id, amount: '7.00', description: 'via generic call' },
    });
    expect(noReason.code).toBe('invalid_input');
    expect(noReason.message).toContain('reason');

    const result = await callOk(agent.client, 'whmcs_call', {
      action: 'addcredit',
      params: { clientid: demo.id, amount: '7.00', description: 'via generic call' },
      reason: 'Goodwill through the generic call',
    });
    expect(result.action).toBe('AddCredit');
    expect(result).not.toHaveProperty('reply');
    const intent = result.intent as Structured;
    expect(intent).toMatchObject({ state: 'validated', tool: 'whmcs_call', approvals_still_needed: 1 });
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore);
    const text = await textOf(agent.client, 'whmcs_call', {
      action: 'AddClientNote',
      params: { userid: demo.id, notes: 'generic' },
      reason: 'note through the generic call',
    });
    expect(text).toMatch(/^AddClientNote was not run: drafted as write intent wi_\S+, pending approval/);

    await callOk(asAlice, 'approve_write_intent', { intent_id: intent.id, reason: 'fine' });
    const executed = await callOk(agent.client, 'execute_write_intent', { intent_id: intent.id });
    expect(executed.state).toBe('executed');
    expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore + 700n);

    const blocked = await callError(agent.client, 'whmcs_call', {
      action: 'DecryptPassword',
      params: { password2: 'c2VjcmV0' },
      reason: 'try',
    });
    expect(blocked.code).toBe('forbidden');
  });
});

describe('modes', () => {
  it('read_only mode lists none of the write tools and refuses them by name', async () => {
    const readOnly = await startHarness({ sandbox: agent.sandbox });
    try {
      const names = (await readOnly.client.listTools()).tools.map((tool) => tool.name);
      for (const name of WRITE_TOOL_NAMES) expect(names).not.toContain(name);
      const before = agent.sandbox.stats().requests;
      for (const name of WRITE_TOOL_NAMES) {
        const error = await callError(readOnly.client, name, {});
        // Tools that need a role the agent lacks are refused for that first (the principal comes
        // before the mode in the policy); every other write tool for the mode.
        const expected = APPROVER_TOOLS.includes(name) ? 'forbidden' : 'not_permitted_in_mode';
        expect(error.code, name).toBe(expected);
      }
      const generic = await callError(readOnly.client, 'whmcs_call', {
        action: 'AddCredit',
        params: { clientid: demo.id, amount: '1.00', description: 'x' },
        reason: 'x',
      });
      expect(generic.code).toBe('not_permitted_in_mode');
      expect(agent.sandbox.stats().requests).toBe(before);
    } finally {
      await readOnly.close();
    }
  });

  it('declares every write tool as a write: not read-only, destructive when high risk', async () => {
    // The agent sees the operator tools, an approver the approval tools; together, all of them.
    const tools = [...(await agent.client.listTools()).tools, ...(await asAlice.listTools()).tools];
    for (const name of WRITE_TOOL_NAMES) {
      const tool = tools.find((candidate) => candidate.name === name)!;
      expect(tool, name).toBeDefined();
      expect(tool.annotations?.readOnlyHint, name).toBe(false);
      // cancel_order and terminate_service are destructive and also high risk.
      expect(tool.annotations?.destructiveHint, name).toBe(tool._meta?.['whmcs-mcp/risk'] === 'high');
    }
    for (const name of INTENT_TOOLS) {
      expect(tools.find((tool) => tool.name === name)?._meta?.['whmcs-mcp/toolset'], name).toBe('writes');
    }
    expect(tools.find((tool) => tool.name === 'add_credit')?._meta?.['whmcs-mcp/toolset']).toBe('billing');
    expect(tools.find((tool) => tool.name === 'reply_ticket')?._meta?.['whmcs-mcp/toolset']).toBe('support');
  });

  it('simulate mode runs the whole flow, says simulated and leaves the sandbox unchanged', async () => {
    const simulated = await startHarness({ sandbox: agent.sandbox, env: { MCP_MODE: 'simulate' } });
    const approverConnection = await connect(simulated.runtime, alice);
    try {
      const creditBefore = agent.sandbox.state.clients.get(demo.id)!.credit;
      const calls = agent.sandbox.stats().actions.AddCredit ?? 0;
      const pending = await callOk(simulated.client, 'add_credit', {
        client_id: demo.id,
        amount: '9.00',
        reason: 'rehearsal',
      });
      expect(pending.state).toBe('validated');
      await callOk(approverConnection.client, 'approve_write_intent', {
        intent_id: pending.id,
        reason: 'rehearse it',
      });
      const executed = await callOk(simulated.client, 'execute_write_intent', { intent_id: pending.id });
      expect(executed.state).toBe('executed');
      expect(executed.result).toMatchObject({ simulated: true, reply: null });
      expect(await textOf(simulated.client, 'get_write_intent', { intent_id: pending.id })).toMatch(
        /^Simulated: .*WHMCS was not changed/,
      );
      expect(agent.sandbox.stats().actions.AddCredit ?? 0).toBe(calls);
      expect(agent.sandbox.state.clients.get(demo.id)!.credit).toBe(creditBefore);
      const outcomes = simulated.runtime.store
        .listAudit({ intent_id: pending.id as string, limit: 20, offset: 0 })
        .items.map((row) => row.outcome);
      expect(outcomes).toContain('simulated');
      expect(simulated.runtime.store.verifyAudit().ok).toBe(true);
    } finally {
      await approverConnection.close();
      await simulated.close();
    }
  });

  it('auto-approval (MCP_AUTO_APPROVE) executes a low-risk note at once, never a money write', async () => {
    const auto = await startHarness({
      sandbox: agent.sandbox,
      env: { MCP_MODE: 'full', MCP_AUTO_APPROVE: 'true' },
    });
    try {
      const note = 'Auto-approved ticket note';
      const text = await textOf(auto.client, 'add_ticket_note', {
        ticket_id: demo.tickets.closed,
        note,
        reason: 'housekeeping',
      });
      expect(text).toMatch(/^Executed: /);
      expect(agent.sandbox.state.tickets.get(demo.tickets.closed)!.notes.at(-1)?.message).toBe(note);
      const credit = await callOk(auto.client, 'add_credit', {
        client_id: demo.id,
        amount: '1.00',
        reason: 'money',
      });
      expect(credit.state).toBe('validated');
    } finally {
      await auto.close();
    }
  });
});

describe('client mode', () => {
  let scoped: Harness;
  let scopedApprover: Connection;

  beforeAll(async () => {
    scoped = await startHarness({
      sandbox: agent.sandbox,
      env: { MCP_MODE: 'full', MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
    });
    scopedApprover = await connect(scoped.runtime, alice);
  });
  afterAll(async () => {
    await scopedApprover?.close();
    await scoped?.close();
  });

  it('lists only the client-safe writes and the intent tools', async () => {
    const names = (await scoped.client.listTools()).tools.map((tool) => tool.name);
    const writes = names.filter((name) => WRITE_TOOL_NAMES.includes(name));
    expect(writes.sort()).toEqual(
      [...CLIENT_SAFE_WRITES, ...INTENT_TOOLS.filter((name) => !APPROVER_TOOLS.includes(name))].sort(),
    );
    const error = await callError(scoped.client, 'add_credit', {
      client_id: demo.id,
      amount: '1.00',
      reason: 'x',
    });
    expect(error.code).toBe('forbidden');
  });

  it('refuses a foreign ticket id exactly like a missing one', async () => {
    const foreign = [...agent.sandbox.state.tickets.values()].find(
      (ticket) => ticket.clientId !== demo.id && ticket.clientId !== 0,
    )!;
    const missingId = 987_654;
    const ask = (ticketId: number) =>
      scoped.client.callTool({
        name: 'reply_ticket',
        arguments: { ticket_id: ticketId, message: 'hello', reason: 'reply' },
      });
    const [asForeign, asMissing] = [await ask(foreign.id), await ask(missingId)];
    expect(asForeign.isError).toBe(true);
    const foreignText = (asForeign.content as Array<{ text: string }>)[0]!.text;
    const missingText = (asMissing.content as Array<{ text: string }>)[0]!.text;
    expect(foreignText.replaceAll(String(foreign.id), '<id>')).toBe(
      missingText.replaceAll(String(missingId), '<id>'),
    );
    expect(JSON.parse(foreignText).error.code).toBe('not_found');

    const ticket = await callError(scoped.client, 'create_ticket', {
      client_id: SEED_FACTS.euroClient.id,
      department_id: 1,
      subject: 'x',
      message: 'y',
      reason: 'z',
    });
    expect(ticket).toMatchObject({
      code: 'not_found',
      message: `Client ${SEED_FACTS.euroClient.id} was not found.`,
    });
    const foreignService = [...agent.sandbox.state.services.values()].find(
      (service) => service.clientId !== demo.id,
    )!;
    const aboutForeign = await callError(scoped.client, 'create_ticket', {
      client_id: demo.id,
      department_id: 1,
      subject: 'x',
      message: 'y',
      service_id: foreignService.id,
      reason: 'z',
    });
    expect(aboutForeign).toMatchObject({
      code: 'not_found',
      message: `Service ${foreignService.id} was not found.`,
    });
  });

  it('posts a reply as the client, never as staff', async () => {
    const ticketId = demo.tickets.customerReply;
    const staff = await callError(scoped.client, 'reply_ticket', {
      ticket_id: ticketId,
      message: 'x',
      admin_username: 'admin',
      reason: 'impersonate',
    });
    expect(staff.code).toBe('invalid_input');
    expect(staff.message).toContain('admin_username');

    const pending = await callOk(scoped.client, 'reply_ticket', {
      ticket_id: ticketId,
      message: 'Thanks, it works again.',
      reason: 'Client confirms the fix',
    });
    expect(pending.params).toEqual({
      ticketid: ticketId,
      message: 'Thanks, it works again.',
      clientid: demo.id,
    });
    await callOk(scopedApprover.client, 'approve_write_intent', { intent_id: pending.id, reason: 'fine' });
    const executed = await callOk(scoped.client, 'execute_write_intent', { intent_id: pending.id });
    expect(executed.state).toBe('executed');
    const ticket = agent.sandbox.state.tickets.get(ticketId)!;
    expect(ticket.replies.at(-1)).toMatchObject({
      clientId: demo.id,
      admin: '',
      message: 'Thanks, it works again.',
    });
    expect(ticket.status).toBe('Customer-Reply');
    expect(scoped.runtime.store.verifyAudit().ok).toBe(true);
  });

  it('opens a ticket for the bound client', async () => {
    const pending = await callOk(scoped.client, 'create_ticket', {
      client_id: demo.id,
      department_id: SEED_FACTS.departments.billing,
      subject: 'Question about my invoice',
      message: 'Why was I charged twice?',
      reason: 'Client asks through the chatbot',
    });
    expect(pending).toMatchObject({ state: 'validated', entity: { client_id: demo.id } });
    expect(pending.params).toMatchObject({ clientid: demo.id, deptid: SEED_FACTS.departments.billing });
    expect(pending.params).not.toHaveProperty('admin');
  });

  it('drafts nothing through draft_write_intent, which could name staff or reach other clients', async () => {
    const before = scoped.runtime.store.listIntents({ limit: 1, offset: 0 }).total;
    for (const params of [
      { ticketid: demo.tickets.customerReply, message: 'x', adminusername: 'admin' },
      { ticketid: 1, message: 'x', clientid: SEED_FACTS.euroClient.id },
    ]) {
      const error = await callError(scoped.client, 'draft_write_intent', {
        action: 'AddTicketReply',
        params,
        reason: 'generic draft',
      });
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/reply_ticket/);
    }
    expect(scoped.runtime.store.listIntents({ limit: 1, offset: 0 }).total).toBe(before);
  });
});

describe('the intent view and the write inputs (units)', () => {
  it('redacts credential parameters by the action table and by name', () => {
    expect(visibleParams('DomainTransfer', { domainid: 3, eppcode: 'Epp-1' })).toEqual({
      domainid: 3,
      eppcode: '[redacted]',
    });
    expect(
      visibleParams('AddClient', { firstname: 'Ada', password2: 'hunter2', cardnum: '4111111111111111' }),
    ).toEqual({ firstname: 'Ada', password2: '[redacted]', cardnum: '[redacted]' });
    expect(visibleParams('AcceptOrder', { orderid: 2, servicepassword: 'pw' })).toEqual({
      orderid: 2,
      servicepassword: '[redacted]',
    });
    expect(visibleParams('AddCredit', { clientid: 1, amount: '1.00' })).toEqual({
      clientid: 1,
      amount: '1.00',
    });
  });

  it('flattens the snapshot into a small record of scalars', () => {
    const record = snapshotRecord({
      invoice_status: 'Unpaid',
      invoice: { balance: '15.95', client: { credit: '25.00', deeper: { x: 1 } } },
      items: [1, 2],
      note: 'n'.repeat(500),
      password: 'never',
      ...Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`k${index}`, index])),
    });
    expect(record.invoice_status).toBe('Unpaid');
    expect(record['invoice.balance']).toBe('15.95');
    expect(record['invoice.client']).toBe('{"credit":"25.00","deeper":{"x":1}}');
    expect(record.items).toBe('[1,2]');
    expect((record.note as string).length).toBeLessThanOrEqual(203);
    expect(record).not.toHaveProperty('password');
    expect(Object.keys(record).length).toBe(30);
  });

  it('normalizes amounts and host names, and refuses the rest', () => {
    const amount = amountInput('amount');
    expect(amount.parse('10')).toBe('10.00');
    expect(amount.parse('10.5')).toBe('10.50');
    for (const bad of ['10.005', '-1.00', '0', '1e3', ' 1.00', '1,00', ''])
      expect(amount.safeParse(bad).success, bad).toBe(false);
    expect(hostNameInput.parse('NS1.Example.COM.')).toBe('ns1.example.com');
    for (const bad of ['localhost', 'a..b', 'ns1.example.123', '-a.example.com', 'a_b.example.com'])
      expect(hostNameInput.safeParse(bad).success, bad).toBe(false);
  });
});
