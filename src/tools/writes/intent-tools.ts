/**
 * The intent tools (toolset 'writes'): draft any documented WHMCS write as an intent, validate it,
 * approve it as the authenticated caller, execute, read, list, cancel and reconcile it. Who acts
 * is always the principal the transport established: no argument names an approver, so an agent
 * cannot approve its own work by saying it is someone else.
 */
import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { getAction, validateActionParams } from '../../whmcs/actions.js';
import { INTENT_STATES } from '../../writes/states.js';
import { defineTool } from '../define.js';
import { invalidArguments, resolveAction } from '../generic/action-info.js';
import { boundedText, envelope, listOutput, pagingInput } from '../schemas.js';
import { intentViewSchema, projectIntent, summarizeIntent } from './intent-view.js';
import { idempotencyKeyInput, intentId, reasonInput } from './inputs.js';

/** Longest single text value (a ticket message, a note) a drafted parameter may carry. */
export const MAX_PARAM_TEXT = 20_000;
export const MAX_PARAMS = 60;
/** All parameters together, as JSON text. */
export const MAX_PARAMS_SIZE = 40_000;

const scalar = z.union([z.string().max(MAX_PARAM_TEXT), z.number(), z.boolean(), z.null()]);
const scalarList = z.array(scalar).max(100);
const paramValue = z.union([
  scalar,
  scalarList,
  z.record(z.string().min(1).max(100), z.union([scalar, scalarList])),
]);

const intentParams = z
  .record(z.string().min(1).max(100), paramValue)
  .refine((value) => Object.keys(value).length <= MAX_PARAMS, `at most ${MAX_PARAMS} parameters`)
  .refine(
    (value) => JSON.stringify(value).length <= MAX_PARAMS_SIZE,
    `parameters larger than ${MAX_PARAMS_SIZE} characters in total`,
  )
  .describe(
    'The action\'s parameters by their documented names (whmcs_describe_action lists them), e.g. {"clientid": 1, "amount": "10.00", "description": "Goodwill"}.',
  );

const acknowledgement = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_]+$/, 'an acknowledgement name such as large_refund');

const PENDING_HELP =
  'Approval comes from a person with the approver role through another channel: an approver connection (approve_write_intent) or the operator CLI (whmcs-mcp intents approve <id>).';

export const draftWriteIntent = defineTool({
  name: 'draft_write_intent',
  title: 'Draft a write intent',
  description: `Drafts any documented WHMCS write action as an intent, without changing anything: the action, its exact parameters (checked against the documentation, unknown or mistyped ones refused by name) and your reason. Prefer the dedicated write tools (add_credit, mark_invoice_paid, ...) when one fits. Next: validate_write_intent reads the preconditions and the impact; then a person approves. ${PENDING_HELP} Blocked (credential) actions and read actions are refused. An idempotency_key makes a retry return the same intent. Not for client-scoped sessions, which use create_ticket and reply_ticket.`,
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({
    action: boundedText('The WHMCS write action, e.g. AddCredit (any letter case).', 80),
    params: intentParams,
    reason: reasonInput,
    idempotency_key: idempotencyKeyInput,
  }),
  output: intentViewSchema,
  async handler(args, ctx) {
    // A client-scoped session writes only through the façades that act as the client; a generic
    // draft could name staff (adminusername) or reach actions no client may ask for.
    if (ctx.scope.mode === 'client') {
      throw new WhmcsMcpError(
        'forbidden',
        'In client mode, changes are drafted with create_ticket and reply_ticket, which act as the client; draft_write_intent is for staff sessions.',
      );
    }
    const action = resolveAction('draft_write_intent', args.action);
    if (action.kind === 'write' && !action.blocked) {
      const problems = validateActionParams(action, args.params);
      if (problems.length > 0) {
        throw invalidArguments(
          'draft_write_intent',
          problems.map((entry) => ({ field: `params.${entry.param}`, message: entry.message })),
          { action: action.name },
        );
      }
    }
    const view = ctx.writes.draft({
      action: action.name,
      params: args.params,
      reason: args.reason,
      idempotencyKey: args.idempotency_key,
      tool: 'draft_write_intent',
    });
    return projectIntent(view);
  },
  summarize: summarizeIntent,
});

export const validateWriteIntent = defineTool({
  name: 'validate_write_intent',
  title: 'Validate a write intent',
  description:
    'Reads the preconditions of a drafted intent live from WHMCS (the entity exists and is in the right state, amounts read from WHMCS) and records the impact statement (before -> after), warnings, required acknowledgements and the amount caps apply to. A failed precondition makes the intent invalid. Validating again refreshes the snapshot and drops earlier approvals. Only the drafter validates. Read the impact back to the person who will approve it.',
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({ intent_id: intentId }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(await ctx.writes.validate(args.intent_id));
  },
  summarize: summarizeIntent,
});

export const approveWriteIntent = defineTool({
  name: 'approve_write_intent',
  title: 'Approve a write intent',
  description:
    'Approves a validated intent as the caller this connection authenticated (an HTTP approver token); there is no argument to name an approver. Refused for the drafter of the intent and for callers without the approver role, which includes a local agent over stdio: its intents are approved by a person through the operator CLI (whmcs-mcp intents approve <id>) or an approver connection. The approval binds to the exact parameters; pass the acknowledgements the validation requires (e.g. large_refund) after reading its warnings.',
  toolset: 'writes',
  kind: 'write',
  risk: 'high',
  requiredRole: 'approver',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({
    intent_id: intentId,
    reason: reasonInput.describe('Why you approve it: what you checked.'),
    acknowledgements: z
      .array(acknowledgement)
      .max(10)
      .optional()
      .describe("Names from the validation's required_acknowledgements that you confirm having read."),
  }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(
      ctx.writes.approve(args.intent_id, {
        reason: args.reason,
        ...(args.acknowledgements ? { acknowledgements: args.acknowledgements } : {}),
      }),
    );
  },
  summarize: summarizeIntent,
});

export const executeWriteIntent = defineTool({
  name: 'execute_write_intent',
  title: 'Execute an approved write intent',
  description:
    'Runs an approved intent: checks the mode, the kill switch, the production allowlist and the caps, re-reads the preconditions (refused with conflict if WHMCS moved since validation), then makes the one WHMCS call. Never retried automatically; executing again returns the stored result. An unknown outcome (the call may have reached WHMCS) must be reconciled with reconcile_write_intent, never drafted again. In simulate mode nothing is sent and the result says simulated.',
  toolset: 'writes',
  kind: 'write',
  risk: 'high',
  requiredRole: 'reader',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({ intent_id: intentId }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(await ctx.writes.execute(args.intent_id));
  },
  summarize: summarizeIntent,
});

export const getWriteIntent = defineTool({
  name: 'get_write_intent',
  title: 'Get a write intent',
  description:
    'Returns one write intent: its state, the parameters (credentials redacted), the validation (impact, warnings, snapshot, cap amount), approvals so far and still needed, and the result or error. Visible to its drafter and to approvers, within the client scope.',
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  requiredRole: 'reader',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({ intent_id: intentId }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(ctx.writes.get(args.intent_id));
  },
  summarize: summarizeIntent,
});

export const listWriteIntents = defineTool({
  name: 'list_write_intents',
  title: 'List write intents',
  description:
    'Lists write intents, newest first: your own, or every intent in scope for an approver. Filter by state (e.g. validated for those waiting for approval, unknown for those to reconcile) and by WHMCS action. Paged with limit and offset.',
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  requiredRole: 'reader',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({
    state: z.enum(INTENT_STATES).optional().describe('Only intents in this state.'),
    action: boundedText(
      'Only intents for this WHMCS action, e.g. AddCredit (any letter case).',
      80,
    ).optional(),
    ...pagingInput,
  }),
  output: listOutput(intentViewSchema),
  async handler(args, ctx) {
    const action = args.action === undefined ? undefined : (getAction(args.action)?.name ?? args.action);
    const { items, total } = ctx.writes.list({
      ...(args.state ? { states: [args.state] } : {}),
      ...(action ? { action } : {}),
      limit: args.limit,
      offset: args.offset,
    });
    return envelope(items.map(projectIntent), total, args.offset, args.limit);
  },
  summarize(output) {
    const waiting = output.items.filter((item) => item.state === 'validated').length;
    const more = output.has_more ? `; next page at offset ${String(output.next_offset)}` : '';
    return `${output.count} of ${output.total} write intent(s)${waiting > 0 ? `, ${waiting} on this page waiting for approval` : ''}${more}.`;
  },
});

export const cancelWriteIntent = defineTool({
  name: 'cancel_write_intent',
  title: 'Cancel a write intent',
  description:
    'Cancels an intent that has not run (draft, validated or approved), so it can never execute. The drafter or an approver may cancel.',
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  requiredRole: 'reader',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({ intent_id: intentId, reason: reasonInput.describe('Why it is cancelled.') }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(ctx.writes.cancel(args.intent_id, args.reason));
  },
  summarize: summarizeIntent,
});

export const reconcileWriteIntent = defineTool({
  name: 'reconcile_write_intent',
  title: 'Reconcile an unknown write outcome',
  description:
    'For an intent whose outcome is unknown (the WHMCS call may or may not have happened): reads WHMCS to decide whether it took effect and settles it as executed or failed. When the evidence is not conclusive it stays unknown; then check WHMCS by hand and settle it with the operator CLI. Never re-runs the write.',
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  requiredRole: 'reader',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({ intent_id: intentId }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(await ctx.writes.reconcile(args.intent_id));
  },
  summarize: summarizeIntent,
});

export const rejectWriteIntent = defineTool({
  name: 'reject_write_intent',
  title: 'Reject a write intent',
  description:
    'Rejects a validated or approved intent as the caller this connection authenticated (an HTTP approver token), with a reason the drafter sees; it can then never run. Needs the approver role; a local agent over stdio cannot reject, as it cannot approve.',
  toolset: 'writes',
  kind: 'write',
  risk: 'low',
  requiredRole: 'approver',
  clientMode: 'owned',
  whmcsActions: [],
  input: z.strictObject({ intent_id: intentId, reason: reasonInput.describe('Why it is rejected.') }),
  output: intentViewSchema,
  async handler(args, ctx) {
    return projectIntent(ctx.writes.reject(args.intent_id, args.reason));
  },
  summarize: summarizeIntent,
});

export const intentTools = [
  draftWriteIntent,
  validateWriteIntent,
  approveWriteIntent,
  rejectWriteIntent,
  executeWriteIntent,
  getWriteIntent,
  listWriteIntents,
  cancelWriteIntent,
  reconcileWriteIntent,
];
