// The governed write path, end to end, the way a person runs it: draft, validate, approve through
// a channel the agent does not hold (the operator CLI for stdio, an approver token over HTTP),
// execute, execute again, and check WHMCS and the audit chain afterwards. In simulate mode WHMCS
// must be unchanged; live-writes makes one real, labelled staff note when explicitly allowed.
import { randomBytes } from 'node:crypto';
import { defineCheck, describeOutcome, fail, pass, skip } from '../checks.mjs';

const REASON = 'whmcs-mcp production test harness: checks the governed write-flow';

/** Why the simulate write-flow must not run against this server, or null when it may. */
export function writeFlowBlocker(ctx) {
  const { mode, environment } = ctx.facts;
  if (mode === null) return 'the server does not state its mode';
  if (mode === 'read_only') return 'the server is read_only: no write tools';
  if (environment === null)
    return 'the server does not state its environment, so it is treated as production';
  if (environment === 'production') return 'production: the harness never drafts writes there';
  if (mode === 'full' && !ctx.sandbox) {
    return 'full mode on a real WHMCS: executing would really write; the live-writes layer (--allow-writes) covers that';
  }
  return null;
}

/** The write the flow exercises: a staff note in admin scope, a ticket reply in client scope. */
function chooseWrite(ctx, text) {
  const ticket = ctx.ids.ticket;
  const options =
    ctx.facts.scope.kind === 'client'
      ? [{ tool: 'reply_ticket', needs: ticket, args: { ticket_id: ticket, message: text, reason: REASON } }]
      : [
          { tool: 'add_ticket_note', needs: ticket, args: { ticket_id: ticket, note: text, reason: REASON } },
          { tool: 'reply_ticket', needs: ticket, args: { ticket_id: ticket, message: text, reason: REASON } },
        ];
  return options.find((option) => option.needs !== undefined && ctx.session.has(option.tool)) ?? null;
}

async function threadLength(ctx) {
  const outcome = await ctx.session.call('get_ticket_thread', { ticket_id: ctx.ids.ticket });
  if (!outcome.ok) return { failure: `get_ticket_thread: ${describeOutcome(outcome)}` };
  return { count: (outcome.structured.messages ?? []).length, messages: outcome.structured.messages ?? [] };
}

/** Approves through the channel the harness holds: `{ ok, channel, message }`. */
async function approve(ctx, intentId) {
  if (ctx.approverError)
    return { ok: false, channel: 'approver token', message: `could not connect: ${ctx.approverError}` };
  if (ctx.approver) {
    const outcome = await ctx.approver.call('approve_write_intent', {
      intent_id: intentId,
      reason: 'whmcs-mcp harness approver: approving its own test intent',
    });
    return outcome.ok
      ? { ok: true, channel: 'approver token', state: outcome.structured.state }
      : { ok: false, channel: 'approver token', message: describeOutcome(outcome) };
  }
  if (ctx.operator) {
    const run = ctx.operator.run([
      'intents',
      'approve',
      intentId,
      '--as',
      'harness',
      '--reason',
      'whmcs-mcp harness test intent',
    ]);
    if (run.code !== 0)
      return {
        ok: false,
        channel: 'operator CLI',
        message: `exit ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 300)}`,
      };
    const read = await ctx.session.call('get_write_intent', { intent_id: intentId });
    return {
      ok: read.ok,
      channel: 'operator CLI',
      state: read.structured?.state,
      message: read.ok ? '' : describeOutcome(read),
    };
  }
  return { ok: false, channel: null, message: 'no approver: over HTTP pass --approver-token' };
}

async function cancel(ctx, intentId, why) {
  if (!ctx.session.has('cancel_write_intent')) return;
  await ctx.session.call('cancel_write_intent', { intent_id: intentId, reason: `whmcs-mcp harness: ${why}` });
}

function needsFlow(ctx, step) {
  const flow = ctx.writeFlow;
  if (!flow?.intentId) return 'no intent was drafted';
  if (step === 'approved' && !flow.approved) return 'the intent was not approved';
  if (step === 'executed' && !flow.executed) return 'the intent was not executed';
  return null;
}

export const writeChecks = [
  defineCheck({
    id: 'writes.draft',
    layer: 'writes',
    kind: 'write-flow',
    expect:
      'in simulate mode (or on the sandbox) a write façade drafts and validates an intent with an impact statement',
    async run(ctx) {
      const blocker = writeFlowBlocker(ctx);
      if (blocker) return skip(blocker);
      const text = `whmcs-mcp harness write-flow check ${ctx.runId}; staff-only, safe to ignore.`;
      const write = chooseWrite(ctx, text);
      if (!write)
        return skip(
          'no write façade fits the discovered data (a ticket and add_ticket_note or reply_ticket)',
        );
      const before = await threadLength(ctx);
      if (before.failure) return fail(before.failure);
      const outcome = await ctx.session.call(write.tool, write.args);
      if (!outcome.ok) return fail(`${write.tool}: ${describeOutcome(outcome)}`);
      const intent = outcome.structured;
      ctx.writeFlow = {
        tool: write.tool,
        intentId: intent.id,
        before: before.count,
        approved: intent.state === 'approved',
      };
      const problems = [];
      if (!/^wi_/.test(intent.id ?? '')) problems.push(`intent id ${intent.id} is not a wi_ id`);
      if (!['validated', 'approved'].includes(intent.state))
        problems.push(`state ${intent.state}, not validated`);
      if (!Array.isArray(intent.validation?.impact) || intent.validation.impact.length === 0)
        problems.push('no impact statement');
      if (problems.length > 0) return fail(problems.join('; '), { intent_id: intent.id });
      return pass(
        `${write.tool} on ticket ${ctx.ids.ticket}: ${intent.state}, impact "${intent.validation.impact[0]}"`,
        {
          intent_id: intent.id,
          action: intent.action,
        },
      );
    },
  }),
  defineCheck({
    id: 'writes.self-approval-refused',
    layer: 'writes',
    kind: 'write-flow',
    expect: 'the drafting agent cannot approve its own intent',
    async run(ctx) {
      const missing = needsFlow(ctx);
      if (missing) return skip(missing);
      if (ctx.writeFlow.approved) return skip('the intent was approved by policy when drafted');
      const outcome = await ctx.session.call('approve_write_intent', {
        intent_id: ctx.writeFlow.intentId,
        reason: 'the agent trying to approve itself (must be refused)',
      });
      if (!outcome.isError && !outcome.protocolError) return fail('the drafter approved its own intent');
      return pass(`refused: ${outcome.error?.code ?? outcome.protocolError?.code}`);
    },
  }),
  defineCheck({
    id: 'writes.approve',
    layer: 'writes',
    kind: 'write-flow',
    expect:
      'a second principal approves it through the out-of-band channel (operator CLI, or the approver token over HTTP)',
    async run(ctx) {
      const missing = needsFlow(ctx);
      if (missing) return skip(missing);
      if (ctx.writeFlow.approved) return pass('approved by policy when drafted');
      const approval = await approve(ctx, ctx.writeFlow.intentId);
      if (approval.channel === null) {
        await cancel(ctx, ctx.writeFlow.intentId, 'no approver available to the harness');
        return skip(`${approval.message}; the intent was cancelled`);
      }
      if (!approval.ok) return fail(`${approval.channel}: ${approval.message}`);
      if (approval.state !== 'approved')
        return fail(`after approval through the ${approval.channel} the intent is ${approval.state}`);
      ctx.writeFlow.approved = true;
      return pass(`approved through the ${approval.channel}`);
    },
  }),
  defineCheck({
    id: 'writes.execute',
    layer: 'writes',
    kind: 'write-flow',
    expect: 'executing the approved intent ends executed, with a result marked simulated in simulate mode',
    async run(ctx) {
      const missing = needsFlow(ctx, 'approved');
      if (missing) return skip(missing);
      const outcome = await ctx.session.call('execute_write_intent', { intent_id: ctx.writeFlow.intentId });
      if (!outcome.ok) return fail(`execute_write_intent: ${describeOutcome(outcome)}`);
      const intent = outcome.structured;
      ctx.writeFlow.executed = intent.state === 'executed';
      ctx.writeFlow.result = intent.result;
      if (intent.state !== 'executed')
        return fail(`state ${intent.state}: ${JSON.stringify(intent.error ?? intent.result).slice(0, 200)}`);
      const simulated = intent.result?.simulated === true;
      if (ctx.facts.mode === 'simulate' && !simulated)
        return fail('executed in simulate mode without a simulated result');
      if (ctx.facts.mode === 'full' && simulated) return fail('executed in full mode but marked simulated');
      return pass(`executed: ${intent.result?.summary ?? ''}`);
    },
  }),
  defineCheck({
    id: 'writes.whmcs-state',
    layer: 'writes',
    kind: 'write-flow',
    expect:
      'a re-read of WHMCS shows no change after a simulated execution (on the sandbox in full mode: exactly one)',
    async run(ctx) {
      const missing = needsFlow(ctx, 'executed');
      if (missing) return skip(missing);
      const after = await threadLength(ctx);
      if (after.failure) return fail(after.failure);
      ctx.writeFlow.after = after.count;
      const expected = ctx.facts.mode === 'simulate' ? ctx.writeFlow.before : ctx.writeFlow.before + 1;
      if (after.count !== expected) {
        return fail(
          `ticket ${ctx.ids.ticket} has ${after.count} messages after execution, expected ${expected} (before: ${ctx.writeFlow.before})`,
        );
      }
      return pass(
        `ticket ${ctx.ids.ticket}: ${after.count} messages, ${ctx.facts.mode === 'simulate' ? 'unchanged' : 'one added'}`,
      );
    },
  }),
  defineCheck({
    id: 'writes.execute-again',
    layer: 'writes',
    kind: 'write-flow',
    expect: 'executing again returns the stored result and changes nothing',
    async run(ctx) {
      const missing = needsFlow(ctx, 'executed');
      if (missing) return skip(missing);
      const outcome = await ctx.session.call('execute_write_intent', { intent_id: ctx.writeFlow.intentId });
      if (!outcome.ok) return fail(`execute_write_intent again: ${describeOutcome(outcome)}`);
      if (outcome.structured.state !== 'executed')
        return fail(`state ${outcome.structured.state} on the second execution`);
      if (JSON.stringify(outcome.structured.result) !== JSON.stringify(ctx.writeFlow.result))
        return fail('the second execution returned a different result');
      const after = await threadLength(ctx);
      if (after.failure) return fail(after.failure);
      if (ctx.writeFlow.after !== undefined && after.count !== ctx.writeFlow.after) {
        return fail(
          `the second execution changed the ticket: ${ctx.writeFlow.after} -> ${after.count} messages`,
        );
      }
      return pass('same stored result, no second change');
    },
  }),
  defineCheck({
    id: 'writes.audit-chain',
    layer: 'writes',
    kind: 'write-flow',
    expect: "`whmcs-mcp audit verify` passes and the audit holds the intent's draft, approval and execution",
    async run(ctx) {
      const missing = needsFlow(ctx, 'executed');
      if (missing) return skip(missing);
      if (!ctx.operator)
        return skip("the harness cannot reach the server's state store (HTTP without MCP_STATE_DB)");
      const verify = ctx.operator.run(['audit', 'verify', '--json']);
      let result = null;
      try {
        result = JSON.parse(verify.stdout);
      } catch {
        return fail(
          `audit verify exit ${verify.code}: ${(verify.stderr || verify.stdout).trim().slice(0, 300)}`,
        );
      }
      if (verify.code !== 0 || result.ok !== true)
        return fail(`audit verify: broken at row ${result.first_bad_seq}: ${result.problem}`);
      const exported = ctx.operator.run(['audit', 'export', '--format', 'jsonl']);
      if (exported.code !== 0) return fail(`audit export exit ${exported.code}`);
      const events = exported.stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
        .filter((row) => row.intent_id === ctx.writeFlow.intentId)
        .map((row) => row.event);
      const absent = ['draft', 'approve', 'execute'].filter((event) => !events.includes(event));
      if (absent.length > 0)
        return fail(
          `the audit has no ${absent.join(', ')} row for ${ctx.writeFlow.intentId} (has ${events.join(', ')})`,
        );
      return pass(`chain verified (${result.rows} rows); intent rows: ${events.join(', ')}`);
    },
  }),
];

/** Why a real write must not be made, or null when every condition for one holds. */
export function liveWriteBlocker(ctx) {
  if (!ctx.options.allowWrites) return 'needs --allow-writes';
  const { mode, environment, scope } = ctx.facts;
  if (environment === null || environment === 'production') return 'never against production';
  if (mode !== 'full')
    return `the server is ${mode ?? 'in an unknown mode'}: a real write needs MCP_MODE=full`;
  if (scope.kind === 'client')
    return 'client scope: the only writes there are customer-visible ticket replies';
  if (!ctx.session.has('add_ticket_note')) return 'add_ticket_note is not listed';
  if (ctx.ids.ticket === undefined) return 'no ticket was discovered';
  return null;
}

export const liveWriteChecks = [
  defineCheck({
    id: 'live-writes.ticket-note',
    layer: 'live-writes',
    kind: 'write-flow',
    expect:
      'with --allow-writes on a non-production server in full mode, one labelled staff note goes through the governed flow and reads back',
    async run(ctx) {
      const blocker = liveWriteBlocker(ctx);
      if (blocker) return skip(blocker);
      const marker = `harness-${randomBytes(6).toString('hex')}`;
      const note = `whmcs-mcp harness live write check ${marker} (${new Date().toISOString()}); staff-only, safe to delete.`;
      const before = await threadLength(ctx);
      if (before.failure) return fail(before.failure);
      const drafted = await ctx.session.call('add_ticket_note', {
        ticket_id: ctx.ids.ticket,
        note,
        reason: REASON,
      });
      if (!drafted.ok) return fail(`add_ticket_note: ${describeOutcome(drafted)}`);
      const intentId = drafted.structured.id;
      if (drafted.structured.state !== 'approved') {
        const approval = await approve(ctx, intentId);
        if (approval.channel === null) {
          await cancel(ctx, intentId, 'no approver available to the harness');
          return skip(`${approval.message}; the intent was cancelled`);
        }
        if (!approval.ok || approval.state !== 'approved')
          return fail(`approval through the ${approval.channel}: ${approval.message || approval.state}`);
      }
      const executed = await ctx.session.call('execute_write_intent', { intent_id: intentId });
      if (!executed.ok || executed.structured.state !== 'executed') {
        return fail(
          `execute_write_intent: ${executed.ok ? executed.structured.state : describeOutcome(executed)}`,
          { intent_id: intentId },
        );
      }
      const after = await threadLength(ctx);
      if (after.failure) return fail(after.failure, { intent_id: intentId });
      const found = JSON.stringify(after.messages).includes(marker);
      if (!found || after.count !== before.count + 1) {
        return fail(
          `ticket ${ctx.ids.ticket}: ${before.count} -> ${after.count} messages, note ${found ? 'found' : 'not found'}`,
          { intent_id: intentId },
        );
      }
      return pass(
        `staff note ${marker} added to ticket ${ctx.ids.ticket} and read back (no API removes it; it says it is safe to delete)`,
        {
          intent_id: intentId,
          marker,
        },
      );
    },
  }),
];
