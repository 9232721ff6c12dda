/**
 * The one shape in which a write intent leaves the server, shared by every intent tool and write
 * façade. The parameters come back with credentials replaced (passwords, EPP codes, card data),
 * the snapshot as a small flat record, and WHMCS's reply with secret fields removed.
 */
import { z } from 'zod';
import { toMoneyString } from '../../money.js';
import { getAction, redactCredentialParams } from '../../whmcs/actions.js';
import type { IntentView } from '../../writes/engine.js';
import { INTENT_STATES, type IntentState } from '../../writes/states.js';
import { isSecretKey, redactReply } from '../generic/reply-redaction.js';
import { cleanText } from '../untrusted.js';

/** Snapshot entries shown; the full snapshot stays in the store for the execution re-check. */
const MAX_SNAPSHOT_ENTRIES = 30;
const MAX_SNAPSHOT_TEXT = 200;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const intentViewSchema = z.object({
  id: z.string().describe('The intent id; pass it to validate/approve/execute/get/cancel_write_intent.'),
  action: z.string().describe('The WHMCS API action the intent runs.'),
  state: z
    .enum(INTENT_STATES)
    .describe(
      'draft -> validated -> approved -> executing -> executed | failed | unknown; invalid, rejected, cancelled and expired end it early.',
    ),
  risk: z.enum(['low', 'medium', 'high']),
  effects: z
    .array(z.string())
    .describe('What the write does beyond changing a row: money, destructive, provisioning, ...'),
  entity: z.object({
    kind: z.string().describe('client, invoice, service, domain, ticket, order, or system.'),
    id: z.union([z.number(), z.string()]).nullable(),
    client_id: z.number().int().nullable().describe('The client the write concerns, when known.'),
  }),
  reason: z.string().describe("The drafter's reason."),
  tool: z.string().describe('The tool that drafted it.'),
  drafted_by_label: z.string(),
  idempotency_key: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  expires_at: z.string().describe('After this, a draft or validation lapses and must be drafted again.'),
  params: z
    .record(z.string(), z.unknown())
    .describe(
      'The exact parameters WHMCS will receive, with credential values (passwords, EPP codes, card data) shown as [redacted].',
    ),
  validation: z
    .object({
      validated_at: z.string(),
      impact: z.array(z.string()).describe('What will change, before -> after, as a person reads it.'),
      warnings: z.array(z.string()),
      required_acknowledgements: z
        .array(z.string())
        .describe('Names the approver must acknowledge (approve_write_intent acknowledgements).'),
      acknowledgements: z.array(z.string()),
      cap_amount: z
        .object({ amount: z.string(), currency: z.string() })
        .nullable()
        .describe('The amount that moves, read from WHMCS; caps apply to it. Null when no money moves.'),
      problems: z.array(z.string()).describe('Why validation failed; empty when it passed.'),
      snapshot: z
        .record(z.string(), scalar)
        .describe('The WHMCS state the decision relies on; execution re-reads it and refuses if it moved.'),
    })
    .nullable()
    .describe('Null until validated.'),
  approvals: z.array(
    z.object({
      label: z.string().describe('Who approved or rejected, as the transport authenticated them.'),
      channel: z.string().describe('How they were authenticated: http, cli, console.'),
      decision: z.enum(['approve', 'reject']),
      created_at: z.string(),
    }),
  ),
  approvals_required: z.number().int().min(0),
  approvals_still_needed: z.number().int().min(0),
  approver_role_required: z.enum(['approver']).nullable(),
  result: z
    .object({
      simulated: z.boolean().describe('True when MCP_MODE=simulate: nothing was sent to WHMCS.'),
      summary: z.string(),
      reply: z
        .record(z.string(), z.unknown())
        .nullable()
        .describe('What WHMCS answered, normalized, secret fields removed.'),
    })
    .nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  next_step: z.string().describe('What can happen to the intent next, and with which tool.'),
});

export type IntentViewOutput = z.infer<typeof intentViewSchema>;

type Scalar = z.infer<typeof scalar>;

function clip(text: string): string {
  const clean = cleanText(text);
  return clean.length > MAX_SNAPSHOT_TEXT ? `${clean.slice(0, MAX_SNAPSHOT_TEXT)}...` : clean;
}

/** The snapshot flattened to dotted scalar entries (two levels deep), bounded in count and length. */
export function snapshotRecord(snapshot: Record<string, unknown>): Record<string, Scalar> {
  const record: Record<string, Scalar> = {};
  let count = 0;
  const put = (key: string, value: unknown, depth: number): void => {
    if (count >= MAX_SNAPSHOT_ENTRIES || isSecretKey(key.split('.').at(-1) ?? key)) return;
    if (value === null || typeof value === 'number' || typeof value === 'boolean') {
      record[key] = value;
      count += 1;
    } else if (typeof value === 'string') {
      record[key] = clip(value);
      count += 1;
    } else if (typeof value === 'bigint') {
      record[key] = value.toString();
      count += 1;
    } else if (Array.isArray(value)) {
      record[key] = clip(JSON.stringify(value));
      count += 1;
    } else if (typeof value === 'object' && depth < 2) {
      for (const [child, inner] of Object.entries(value)) put(`${key}.${child}`, inner, depth + 1);
    } else if (typeof value === 'object') {
      record[key] = clip(JSON.stringify(value));
      count += 1;
    }
  };
  for (const [key, value] of Object.entries(snapshot)) put(key, value, 1);
  return record;
}

/** Parameters without credential values: documented credentials and secret-named keys alike. */
export function visibleParams(action: string, params: Record<string, unknown>): Record<string, unknown> {
  const definition = getAction(action);
  const redacted = definition ? redactCredentialParams(definition, params) : { ...params };
  for (const key of Object.keys(redacted)) {
    if (isSecretKey(key.replace(/\[.*$/, ''))) redacted[key] = '[redacted]';
  }
  return redacted;
}

const ROLE_PHRASE = 'an approver';

function approvalsPhrase(count: number): string {
  return count === 1 ? `1 approval by ${ROLE_PHRASE}` : `${count} approvals by different approvers`;
}

function nextStep(view: IntentView): string {
  const states: Record<IntentState, string> = {
    draft: 'Call validate_write_intent to read the preconditions and the impact.',
    validated: `Needs ${approvalsPhrase(view.approvals_still_needed)}: a person approves through an approver connection (approve_write_intent) or the operator CLI (whmcs-mcp intents approve ${view.id} --as "<name>" --reason "..."); then call execute_write_intent. The drafter cannot approve.`,
    approved: 'Approved: call execute_write_intent to run it.',
    executing: 'Running now: read it again with get_write_intent in a moment.',
    executed: view.result?.simulated
      ? 'Done in simulation: WHMCS was not changed.'
      : 'Done: WHMCS carried out the change.',
    failed: 'WHMCS refused it before acting; nothing changed. Fix the cause and draft a new intent.',
    unknown:
      'It may or may not have happened in WHMCS: call reconcile_write_intent (or check WHMCS by hand) before anything else. Do not draft it again.',
    invalid: 'Validation failed (see problems); nothing will run. Draft a corrected intent if still needed.',
    rejected: 'An approver rejected it; nothing will run.',
    cancelled: 'Cancelled; nothing will run.',
    expired: 'Expired before it ran; draft it again if still needed.',
  };
  return states[view.state];
}

/** The output projection of an intent. */
export function projectIntent(view: IntentView): IntentViewOutput {
  const validation = view.validation;
  const cap = validation?.cap_amount ?? null;
  return {
    id: view.id,
    action: view.action,
    state: view.state,
    risk: view.risk,
    effects: [...view.effects],
    entity: {
      kind: view.entity.kind,
      id: view.entity.id,
      client_id: view.entity.client_id,
    },
    reason: view.reason,
    tool: view.tool,
    drafted_by_label: view.drafted_by_label,
    idempotency_key: view.idempotency_key,
    created_at: view.created_at,
    updated_at: view.updated_at,
    expires_at: view.expires_at,
    params: visibleParams(view.action, view.params),
    validation: validation
      ? {
          validated_at: validation.validated_at,
          impact: [...validation.impact],
          warnings: [...validation.warnings],
          required_acknowledgements: [...validation.required_acknowledgements],
          acknowledgements: [...validation.acknowledgements],
          cap_amount: cap
            ? { amount: toMoneyString(cap.amount) ?? cap.amount, currency: cap.currency }
            : null,
          problems: [...validation.problems],
          snapshot: snapshotRecord(validation.snapshot),
        }
      : null,
    approvals: view.approvals.map((approval) => ({
      label: approval.approver_label,
      channel: approval.channel,
      decision: approval.decision,
      created_at: approval.created_at,
    })),
    approvals_required: view.approvals_required,
    approvals_still_needed: view.approvals_still_needed,
    approver_role_required: view.approver_role_required,
    result: view.result
      ? {
          simulated: view.result.simulated,
          summary: view.result.summary,
          reply: view.result.reply ? redactReply(view.action, view.result.reply).reply : null,
        }
      : null,
    error: view.error ? { code: view.error.code, message: view.error.message } : null,
    next_step: nextStep(view),
  };
}

function impactOf(output: IntentViewOutput): string {
  const lines = output.validation?.impact ?? [];
  return lines.length > 0 ? lines.join('; ') : output.action;
}

/**
 * One line a person can act on: "Pending approval: client 1 credit 0.00 -> 10.00 USD; needs 1
 * approval by an approver" or "Executed: ...".
 */
export function summarizeIntent(output: IntentViewOutput): string {
  const ref = ` (intent ${output.id})`;
  switch (output.state) {
    case 'draft':
      return `Drafted ${output.action}${ref}; validate it with validate_write_intent.`;
    case 'validated':
      return `Pending approval: ${impactOf(output)}; needs ${approvalsPhrase(output.approvals_still_needed)}${ref}.`;
    case 'approved':
      return `Approved: ${impactOf(output)}; execute it with execute_write_intent${ref}.`;
    case 'executing':
      return `Executing: ${impactOf(output)}${ref}.`;
    case 'executed':
      return output.result?.simulated
        ? `Simulated: ${impactOf(output)}; WHMCS was not changed${ref}.`
        : `Executed: ${output.result?.summary ?? impactOf(output)}${ref}.`;
    case 'failed':
      return `Failed: ${output.error?.message ?? 'WHMCS refused the write'}${ref}.`;
    case 'unknown':
      return `Outcome unknown: ${output.error?.message ?? 'no answer from WHMCS'}; reconcile it with reconcile_write_intent${ref}.`;
    case 'invalid':
      return `Invalid: ${(output.validation?.problems ?? []).join(' ') || 'validation failed'}${ref}.`;
    case 'rejected':
      return `Rejected by an approver: ${output.action} will not run${ref}.`;
    case 'cancelled':
      return `Cancelled: ${output.action} will not run${ref}.`;
    case 'expired':
      return `Expired: ${output.action} did not run${ref}.`;
  }
}
