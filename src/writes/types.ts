/**
 * The records of the write-flow. An intent is one proposed WHMCS write with everything a person
 * needs to judge it; approvals and audit rows refer to it by id.
 */
import type { EffectTag, RiskClass } from '../whmcs/action-types.js';
import type { IntentState } from './states.js';

export interface IntentEntity {
  kind: string;
  id: number | string | null;
  /** The client the write concerns, when known: drives client scope and the impact statement. */
  client_id: number | null;
}

/** What validation found: the state relied on, what will change, what a person must confirm. */
export interface IntentValidation {
  validated_at: string;
  /** The WHMCS state the preconditions read; execution re-reads and compares it. */
  snapshot: Record<string, unknown>;
  /** Lines a person can read: "client 42: credit balance 0.00 -> 10.00 USD". */
  impact: string[];
  warnings: string[];
  /** Acknowledgements the drafter must give (by name) before approval counts, e.g. large_refund. */
  required_acknowledgements: string[];
  acknowledgements: string[];
  /** The amount caps apply to, read from WHMCS (never the caller's say-so); null when no money moves. */
  cap_amount: { amount: string; currency: string } | null;
  /** Why validation failed, for `invalid` intents. */
  problems: string[];
}

export interface IntentResult {
  simulated: boolean;
  /** What WHMCS answered (normalized, redacted), or what would have been sent in simulate mode. */
  reply: Record<string, unknown> | null;
  summary: string;
}

export interface IntentError {
  code: string;
  message: string;
}

export interface Intent {
  id: string;
  action: string;
  /** The exact parameters WHMCS will receive. */
  params: Record<string, unknown>;
  params_digest: string;
  reason: string;
  state: IntentState;
  risk: RiskClass;
  effects: EffectTag[];
  entity: IntentEntity;
  /** The tool that drafted it: a façade (add_credit) or draft_write_intent / whmcs_call. */
  tool: string;
  drafted_by: string;
  drafted_by_label: string;
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
  /** Drafts and validations lapse: a stale intent must be drafted again. */
  expires_at: string;
  approvals_required: number;
  approver_role_required: 'approver' | null;
  validation: IntentValidation | null;
  result: IntentResult | null;
  error: IntentError | null;
  /** Bumped on every update; guards concurrent transitions. */
  version: number;
}

export interface Approval {
  intent_id: string;
  approver: string;
  approver_label: string;
  /** How the approver was authenticated: http, cli, console. */
  channel: string;
  decision: 'approve' | 'reject';
  reason: string;
  params_digest: string;
  created_at: string;
  expires_at: string;
}

export interface AuditEvent {
  principal: string;
  tool: string | null;
  action: string | null;
  entity: string | null;
  intent_id: string | null;
  /** What happened: draft, validate, approve, reject, cancel, execute, reconcile, refuse, kill_switch... */
  event: string;
  /** success, simulated, refused:<code>, failed, unknown... */
  outcome: string;
  params_digest: string | null;
  /** Reasons and codes; never secrets or free-text values from parameters. */
  detail: Record<string, unknown> | null;
}

export interface AuditRow extends AuditEvent {
  seq: number;
  at: string;
  prev_hash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  /** The first row that does not fit the chain, and why. */
  first_bad_seq: number | null;
  problem: string | null;
  head_hash: string | null;
}

/**
 * The newest audit row's sequence number and hash, kept by an operator outside the state file: a
 * chain that verifies on its own can still have lost its newest rows, or been rewritten whole.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export interface IntentFilter {
  states?: readonly IntentState[];
  action?: string;
  drafted_by?: string;
  since?: string;
  until?: string;
  limit: number;
  offset: number;
}

export interface AuditFilter {
  since_seq?: number;
  intent_id?: string;
  principal?: string;
  event?: string;
  limit: number;
  offset: number;
}
