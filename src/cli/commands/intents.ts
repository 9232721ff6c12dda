/**
 * `whmcs-mcp intents ...`: the operator's side of the write-flow. A person on the server's host
 * lists what agents drafted, reads the impact, and approves or rejects under their own name. The
 * agent cannot reach this channel: it needs a shell on the host.
 */
import { WhmcsMcpError } from '../../errors.js';
import { getAction, redactCredentialParams } from '../../whmcs/actions.js';
import type { IntentView } from '../../writes/engine.js';
import { INTENT_STATES, type IntentState } from '../../writes/states.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  defineCommand,
  defineCommandGroup,
  type CliIo,
} from '../command.js';
import {
  OperatorConfigError,
  openOperatorContext,
  operatorPrincipal,
  type OperatorContext,
} from '../operator.js';

async function withOperator(
  io: CliIo,
  needsWhmcs: boolean,
  work: (context: OperatorContext) => Promise<number> | number,
): Promise<number> {
  let context: OperatorContext;
  try {
    context = openOperatorContext(io, needsWhmcs);
  } catch (error) {
    if (error instanceof OperatorConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  try {
    return await work(context);
  } catch (error) {
    if (error instanceof WhmcsMcpError || error instanceof OperatorConfigError) {
      const code = error instanceof WhmcsMcpError ? `${error.code}: ` : '';
      io.stderr.write(`${code}${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  } finally {
    await context.close();
  }
}

/** The readable form of an intent: what a person needs to decide. */
export function renderIntent(intent: IntentView): string {
  const lines = [
    `${intent.id}  ${intent.state.toUpperCase()}  ${intent.action}  ${intent.entity.kind}${intent.entity.id === null ? '' : ` ${intent.entity.id}`}`,
    `  risk ${intent.risk}${intent.effects.length > 0 ? ` (${intent.effects.join(', ')})` : ''}; drafted by ${intent.drafted_by_label} through ${intent.tool} at ${intent.created_at}; expires ${intent.expires_at}`,
    `  reason: ${intent.reason}`,
  ];
  const validation = intent.validation;
  if (validation) {
    lines.push(`  validated ${validation.validated_at}:`);
    for (const line of validation.impact) lines.push(`    impact:  ${line}`);
    for (const line of validation.warnings) lines.push(`    warning: ${line}`);
    for (const line of validation.problems) lines.push(`    problem: ${line}`);
    if (validation.cap_amount)
      lines.push(`    amount:  ${validation.cap_amount.amount} ${validation.cap_amount.currency}`);
    if (validation.required_acknowledgements.length > 0) {
      lines.push(`    approving needs: --acknowledge ${validation.required_acknowledgements.join(',')}`);
    }
  } else {
    lines.push('  not validated yet: the impact is unknown until the agent validates it');
  }
  const approvals = intent.approvals.map(
    (approval) =>
      `${approval.decision} by ${approval.approver_label} via ${approval.channel} at ${approval.created_at}`,
  );
  lines.push(
    `  approvals: ${approvals.length > 0 ? approvals.join('; ') : 'none'}${intent.approvals_still_needed > 0 ? ` (${intent.approvals_still_needed} more needed)` : ''}`,
  );
  if (intent.result)
    lines.push(`  result: ${intent.result.summary}${intent.result.simulated ? ' [simulated]' : ''}`);
  if (intent.error) lines.push(`  error: ${intent.error.code}: ${intent.error.message}`);
  return `${lines.join('\n')}\n`;
}

/** The intent without credential parameters (an EPP code, a new client's password). */
function withoutCredentials(intent: IntentView): IntentView {
  const action = getAction(intent.action);
  return action ? { ...intent, params: redactCredentialParams(action, intent.params) } : intent;
}

function print(io: CliIo, json: boolean | undefined, intent: IntentView): void {
  io.stdout.write(
    json === true ? `${JSON.stringify(withoutCredentials(intent), null, 2)}\n` : renderIntent(intent),
  );
}

function parseStates(value: string | undefined): IntentState[] | undefined {
  if (value === undefined) return undefined;
  const states = value.split(',').map((state) => state.trim());
  const unknown = states.filter((state) => !(INTENT_STATES as readonly string[]).includes(state));
  if (unknown.length > 0)
    throw new UsageError(`unknown state(s) ${unknown.join(', ')}; known: ${INTENT_STATES.join(', ')}`);
  return states as IntentState[];
}

const idArgument = [{ name: 'id', description: 'The intent id (wi_...)', required: true }] as const;
const asOption = {
  type: 'string',
  valueName: 'name',
  description: 'Your name: who approves, rejects or reconciles',
} as const;
const jsonOption = { type: 'boolean', description: 'Print JSON instead of text' } as const;

const listCommand = defineCommand({
  name: 'list',
  summary: 'List write intents, pending first',
  options: {
    state: {
      type: 'string',
      valueName: 'states',
      description: 'Comma-separated states (default: validated,approved,unknown)',
    },
    all: { type: 'boolean', description: 'Every state' },
    limit: { type: 'string', valueName: 'n', description: 'How many (default 50)' },
    json: jsonOption,
  },
  examples: ['whmcs-mcp intents list', 'whmcs-mcp intents list --state executed --limit 10'],
  run({ options, io }) {
    const states =
      options.all === true ? undefined : (parseStates(options.state) ?? ['validated', 'approved', 'unknown']);
    const limit = options.limit === undefined ? 50 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError('--limit must be 1 to 1000');
    return withOperator(io, false, ({ flow, scope }) => {
      const reviewer = operatorPrincipal('console');
      const { items, total } = flow.list(reviewer, scope, {
        ...(states ? { states } : {}),
        limit,
        offset: 0,
      });
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify({ total, items: items.map(withoutCredentials) }, null, 2)}\n`);
        return EXIT_OK;
      }
      if (items.length === 0)
        io.stdout.write(`No intents${states ? ` in state ${states.join(', ')}` : ''}.\n`);
      for (const intent of items) io.stdout.write(`${renderIntent(intent)}\n`);
      if (total > items.length) io.stdout.write(`(${items.length} of ${total} shown)\n`);
      return EXIT_OK;
    });
  },
});

const showCommand = defineCommand({
  name: 'show',
  summary: 'Show one intent with its impact, approvals and result',
  arguments: idArgument,
  options: { json: jsonOption },
  run({ args, options, io }) {
    return withOperator(io, false, ({ flow, scope }) => {
      print(io, options.json, flow.get(operatorPrincipal('console'), scope, String(args.id)));
      return EXIT_OK;
    });
  },
});

const approveCommand = defineCommand({
  name: 'approve',
  summary: 'Approve an intent as the named person (never its drafter)',
  arguments: idArgument,
  options: {
    as: asOption,
    reason: { type: 'string', valueName: 'text', description: 'Why you approve (recorded in the audit)' },
    acknowledge: {
      type: 'string',
      valueName: 'names',
      description: 'Acknowledgements the intent asks for, comma-separated',
    },
    json: jsonOption,
  },
  examples: ['whmcs-mcp intents approve wi_Q2x... --as "Ada Admin" --reason "checked with the client"'],
  run({ args, options, io }) {
    const approver = operatorPrincipal(options.as);
    const acknowledgements =
      options.acknowledge
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean) ?? [];
    return withOperator(io, false, ({ flow, scope }) => {
      const intent = flow.approve(approver, scope, String(args.id), {
        reason: options.reason ?? 'approved at the operator console',
        channel: 'cli',
        acknowledgements,
      });
      print(io, options.json, intent);
      return EXIT_OK;
    });
  },
});

const rejectCommand = defineCommand({
  name: 'reject',
  summary: 'Reject an intent as the named person',
  arguments: idArgument,
  options: {
    as: asOption,
    reason: { type: 'string', valueName: 'text', description: 'Why (required; the agent sees it)' },
    json: jsonOption,
  },
  run({ args, options, io }) {
    const approver = operatorPrincipal(options.as);
    if (!options.reason) throw new UsageError('--reason is required when rejecting');
    return withOperator(io, false, ({ flow, scope }) => {
      print(
        io,
        options.json,
        flow.reject(approver, scope, String(args.id), { reason: options.reason!, channel: 'cli' }),
      );
      return EXIT_OK;
    });
  },
});

const reconcileCommand = defineCommand({
  name: 'reconcile',
  summary: 'Settle an intent whose outcome is unknown',
  description: [
    'Without --outcome, reads WHMCS to decide whether the write happened (needs the WHMCS settings).',
    'With --outcome executed|failed and --evidence, records your own finding after checking WHMCS',
    'by hand. Either way the intent is never executed a second time.',
  ].join('\n'),
  arguments: idArgument,
  options: {
    as: asOption,
    outcome: {
      type: 'string',
      valueName: 'executed|failed',
      description: 'Your finding, after checking WHMCS',
    },
    evidence: {
      type: 'string',
      valueName: 'text',
      description: 'What you checked (required with --outcome)',
    },
    json: jsonOption,
  },
  run({ args, options, io }) {
    const operator = operatorPrincipal(options.as);
    const outcome = options.outcome;
    if (outcome !== undefined && outcome !== 'executed' && outcome !== 'failed') {
      throw new UsageError('--outcome must be executed or failed');
    }
    if (outcome !== undefined && !options.evidence)
      throw new UsageError('--evidence is required with --outcome');
    return withOperator(io, outcome === undefined, async ({ flow, scope, store }) => {
      const id = String(args.id);
      let intent: IntentView;
      if (outcome === undefined) {
        intent = await flow.reconcile(operator, scope, id);
      } else {
        const current = flow.get(operator, scope, id);
        if (current.state !== 'unknown') {
          throw new WhmcsMcpError(
            'conflict',
            `Intent ${id} is ${current.state}; only an unknown outcome is settled.`,
          );
        }
        intent = flow.settle(operator, store.getIntent(id)!, outcome, options.evidence!);
      }
      print(io, options.json, intent);
      return EXIT_OK;
    });
  },
});

export const intentsCommand = defineCommandGroup({
  name: 'intents',
  summary: 'Review, approve, reject and reconcile write intents (operator channel)',
  description: [
    'Works on the state store the server uses (MCP_STATE_DB). Approving here is the out-of-band',
    'human channel of the write-flow: you act with the approver role under the name given with',
    '--as, and you cannot approve an intent drafted under the same name.',
  ].join('\n'),
  subcommands: [listCommand, showCommand, approveCommand, rejectCommand, reconcileCommand],
});
