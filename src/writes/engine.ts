/**
 * The write-flow: draft -> validate -> approve -> execute, with every transition and refusal
 * audited. Approval comes only from a principal the transport or an operator channel established,
 * never from an argument; execution passes a gate (mode, kill switch, production seal, caps), reads
 * the preconditions again, commits `executing` before the one WHMCS call, and never retries it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { WhmcsMcpError, type ErrorCode } from '../errors.js';
import { formatCents, parseCents } from '../money.js';
import type { ClientScope } from '../policy/client-scope.js';
import type { Mode } from '../policy/policy.js';
import { hasRole, type Principal } from '../policy/principal.js';
import {
  assertActionParams,
  getAction,
  normalizeBoolParams,
  redactCredentialParams,
} from '../whmcs/actions.js';
import type { ActionDefinition } from '../whmcs/action-types.js';
import type { WhmcsParams } from '../whmcs/encode.js';
import { canonicalJson, paramsDigest } from './digest.js';
import { genericRules, type ActionRules, type RulesContext, type WhmcsReply } from './rules.js';
import { TERMINAL_STATES, assertTransition, type IntentState } from './states.js';
import type { CapSpend, IntentStore } from './store.js';
import type { Approval, AuditEvent, Intent, IntentFilter, IntentValidation } from './types.js';

export const KILL_SWITCH_SETTING = 'kill_switch';

export interface WriteSettings {
  mode: Mode;
  environment: string;
  /** MCP_WRITES_DISABLED: the emergency block, from configuration. */
  writesDisabled: boolean;
  /** MCP_WRITE_ALLOWLIST: in production, only these actions execute (the environment seal). */
  writeAllowlist: readonly string[];
  /** Per-action cap as a two-place amount; null when not configured. */
  perActionCap: string | null;
  dailyCap: string | null;
  approvalTtlMs: number;
  /** How long a draft or validation stays usable. */
  intentTtlMs: number;
  /** MCP_AUTO_APPROVE: low-risk writes without effects approve themselves in full mode. */
  autoApproveLowRisk: boolean;
  /** Destructive and money-moving intents at or above this amount need two approvals; null: never. */
  dualApprovalThreshold: string | null;
  largeRefundThreshold: string;
}

/** Caps that apply when none are configured, outside production. */
export const DEFAULT_CAPS = { perAction: '1000.00', daily: '5000.00' } as const;

/** The WHMCS door for the engine: reads for rules, the one write at execution. */
export interface EngineWhmcs {
  call(action: string, params?: WhmcsParams, options?: { signal?: AbortSignal }): Promise<WhmcsReply>;
}

export interface SettingsStore {
  getSetting(key: string): string | undefined;
}

export interface WriteFlowOptions {
  store: IntentStore & Partial<SettingsStore>;
  whmcs: EngineWhmcs;
  settings: WriteSettings;
  rules?: ReadonlyMap<string, ActionRules>;
  logger: Logger;
  now?: () => Date;
}

export interface DraftRequest {
  action: string;
  params: Record<string, unknown>;
  reason: string;
  idempotencyKey?: string | undefined;
  /** The tool that drafted it, for the audit. */
  tool: string;
}

export interface IntentView extends Intent {
  approvals: Array<
    Pick<Approval, 'approver_label' | 'channel' | 'decision' | 'reason' | 'created_at' | 'expires_at'>
  >;
  approvals_still_needed: number;
}

const INTENT_ID_PREFIX = 'wi_';

/** Errors the engine already wrote an audit row for, so the dispatcher does not write a second. */
const AUDITED = new WeakSet<WhmcsMcpError>();

export function isAuditedRefusal(error: unknown): boolean {
  return error instanceof WhmcsMcpError && AUDITED.has(error);
}

function newIntentId(): string {
  // 16 random bytes: 128 bits, as the design requires; base64url keeps it short and URL-safe.
  return INTENT_ID_PREFIX + randomBytes(16).toString('base64url');
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export class WriteFlow {
  private readonly store: IntentStore & Partial<SettingsStore>;
  private readonly whmcs: EngineWhmcs;
  private readonly settings: WriteSettings;
  private readonly rules: ReadonlyMap<string, ActionRules>;
  private readonly logger: Logger;
  private readonly now: () => Date;

  constructor(options: WriteFlowOptions) {
    this.store = options.store;
    this.whmcs = options.whmcs;
    this.settings = options.settings;
    this.rules = options.rules ?? new Map();
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
  }

  // ---- reading ---------------------------------------------------------------------------

  /** An intent is visible to its drafter and to approvers, within the caller's client scope. */
  get(principal: Principal, scope: ClientScope, id: string): IntentView {
    const intent = this.visibleIntent(principal, scope, id);
    return this.view(this.expireIfStale(intent, principal));
  }

  list(
    principal: Principal,
    scope: ClientScope,
    filter: IntentFilter,
  ): { items: IntentView[]; total: number } {
    const mayReview = hasRole(principal, 'approver');
    const own = mayReview ? filter : { ...filter, drafted_by: principal.id };
    const { items, total } = this.store.listIntents(own);
    const visible = items.filter((intent) => this.inScope(scope, intent));
    // In client mode the page is filtered after the query, so the total counts the visible rows only.
    return {
      items: visible.map((intent) => this.view(intent)),
      total: scope.mode === 'client' ? this.countInScope(scope, own) : total,
    };
  }

  // ---- draft -------------------------------------------------------------------------------

  draft(principal: Principal, scope: ClientScope, request: DraftRequest): IntentView {
    const action = getAction(request.action);
    const refuse = (code: ErrorCode, message: string) =>
      this.refuse(principal, request.tool, action?.name ?? request.action, null, 'draft', code, message);
    if (!action) throw refuse('invalid_input', `${request.action} is not a documented WHMCS action.`);
    if (action.blocked)
      throw refuse(
        'forbidden',
        `${action.name} is blocked: ${action.blockedReason ?? 'it exposes credentials'}.`,
      );
    if (action.kind !== 'write') {
      throw refuse(
        'invalid_input',
        `${action.name} only reads; call it directly instead of drafting an intent.`,
      );
    }
    if (this.settings.mode === 'read_only') {
      throw refuse(
        'not_permitted_in_mode',
        'This server runs in read_only mode (MCP_MODE): writes cannot be drafted.',
      );
    }
    assertActionParams(action, request.params);
    const params = normalizeBoolParams(action, request.params) as Record<string, unknown>;
    const digest = paramsDigest(action.name, params);
    const rules = this.rulesFor(action);
    const entity = rules.entity(params);
    if (scope.mode === 'client' && !scope.allows(entity.client_id)) {
      throw refuse('not_found', `Client ${entity.client_id ?? '(none)'} was not found.`);
    }

    if (request.idempotencyKey !== undefined) {
      const existing = this.store.findIdempotencyKey(principal.id, request.idempotencyKey);
      if (existing) {
        if (existing.params_digest === digest) return this.view(this.store.getIntent(existing.intent_id)!);
        throw refuse(
          'conflict',
          `Idempotency key '${request.idempotencyKey}' was already used for different parameters (intent ${existing.intent_id}).`,
        );
      }
    }

    const now = this.now();
    const intent: Intent = {
      id: newIntentId(),
      action: action.name,
      params,
      params_digest: digest,
      reason: request.reason,
      state: 'draft',
      risk: action.risk,
      effects: [...action.effects],
      entity,
      tool: request.tool,
      drafted_by: principal.id,
      drafted_by_label: principal.label,
      idempotency_key: request.idempotencyKey ?? null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.settings.intentTtlMs).toISOString(),
      approvals_required: 1,
      approver_role_required: 'approver',
      validation: null,
      result: null,
      error: null,
      version: 0,
    };
    this.store.createIntent(intent, this.audit(principal, intent, 'draft', 'success'));
    // A new intent (its id is fresh and random) has no approvals yet.
    return this.view(intent, []);
  }

  // ---- validate ----------------------------------------------------------------------------

  async validate(
    principal: Principal,
    scope: ClientScope,
    id: string,
    signal?: AbortSignal,
  ): Promise<IntentView> {
    let intent = this.expireIfStale(this.visibleIntent(principal, scope, id), principal);
    if (intent.drafted_by !== principal.id) {
      throw this.refuse(
        principal,
        intent.tool,
        intent.action,
        intent.id,
        'validate',
        'forbidden',
        'Only the drafter validates an intent.',
      );
    }
    if (!['draft', 'validated', 'approved'].includes(intent.state))
      assertTransition(intent.id, intent.state, 'validated');

    const outcome = await this.rulesFor(getAction(intent.action)!).check(
      intent.params,
      this.rulesContext(scope, signal),
    );
    const now = this.now();
    const validation: IntentValidation = {
      validated_at: now.toISOString(),
      snapshot: outcome.snapshot,
      impact: outcome.impact,
      warnings: outcome.warnings,
      required_acknowledgements: outcome.required_acknowledgements,
      acknowledgements: [],
      cap_amount: outcome.cap_amount,
      problems: outcome.problems,
    };
    const target: IntentState = outcome.problems.length > 0 ? 'invalid' : 'validated';
    assertTransition(intent.id, intent.state, target);
    const { required, role } = this.approvalPolicy(intent, validation);
    const next: Intent = {
      ...intent,
      state: target,
      validation,
      approvals_required: required,
      approver_role_required: role,
      updated_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.settings.intentTtlMs).toISOString(),
      version: intent.version + 1,
    };
    this.commit(
      next,
      intent,
      this.audit(principal, next, 'validate', target === 'invalid' ? 'invalid' : 'success', {
        problems: outcome.problems.length,
        warnings: outcome.warnings.length,
        // A re-validation drops earlier approvals: they approved a different snapshot.
        ...(intent.state === 'approved' ? { approvals_dropped: true } : {}),
      }),
    );
    intent = next;

    if (target === 'validated' && required === 0) {
      return this.autoApprove(principal, intent);
    }
    return this.view(intent);
  }

  // ---- approve, reject, cancel ---------------------------------------------------------------

  /**
   * Records an approval. `approver` comes from the transport (an HTTP approver token) or from an
   * operator channel (CLI, console); the engine refuses the drafter and anyone without the role.
   */
  approve(
    approver: Principal,
    scope: ClientScope,
    id: string,
    input: { reason: string; channel: string; acknowledgements?: readonly string[] },
  ): IntentView {
    // The role comes first: without it the answer is the same whether or not the intent exists.
    if (!hasRole(approver, 'approver')) {
      throw this.refuse(
        approver,
        'approve_write_intent',
        '',
        id.slice(0, 64),
        'approve',
        'forbidden',
        `${approver.label} does not hold the approver role, so it cannot approve write intents; a person approves through the operator CLI (whmcs-mcp intents approve) or an approver connection.`,
      );
    }
    const intent = this.expireIfStale(this.visibleIntent(approver, scope, id), approver);
    const refuse = (code: ErrorCode, message: string) =>
      this.refuse(approver, intent.tool, intent.action, intent.id, 'approve', code, message);
    if (approver.id === intent.drafted_by || approver.label === intent.drafted_by_label) {
      throw refuse('forbidden', 'The drafter of an intent cannot approve it; another person must.');
    }
    if (intent.state !== 'validated' && intent.state !== 'approved') {
      throw refuse(
        'conflict',
        `Intent ${intent.id} is ${intent.state}; only a validated intent can be approved.`,
      );
    }
    const required = intent.validation?.required_acknowledgements ?? [];
    const given = new Set(input.acknowledgements ?? []);
    const missing = required.filter((name) => !given.has(name));
    if (missing.length > 0) {
      throw refuse(
        'invalid_input',
        `Approving this intent needs the acknowledgement(s) ${missing.join(', ')}: read the warnings, then approve again acknowledging them.`,
      );
    }
    const now = this.now();
    const approval: Approval = {
      intent_id: intent.id,
      approver: approver.id,
      approver_label: approver.label,
      channel: input.channel,
      decision: 'approve',
      reason: input.reason,
      params_digest: intent.params_digest,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.settings.approvalTtlMs).toISOString(),
    };
    const valid = this.validApprovals(intent, now).filter((row) => row.approver !== approver.id);
    const reached = valid.length + 1 >= intent.approvals_required;
    const next: Intent | null =
      reached && intent.state === 'validated'
        ? {
            ...intent,
            state: 'approved',
            validation: intent.validation ? { ...intent.validation, acknowledgements: [...given] } : null,
            updated_at: now.toISOString(),
            version: intent.version + 1,
          }
        : null;
    const event = this.audit(approver, next ?? intent, 'approve', 'success', {
      channel: input.channel,
      approvals: valid.length + 1,
      required: intent.approvals_required,
    });
    const stored = this.store.addApproval(
      approval,
      next ? { next, expected: { state: intent.state, version: intent.version } } : null,
      event,
    );
    if (!stored)
      throw refuse('conflict', `Intent ${intent.id} changed while it was being approved; read it again.`);
    return this.view(next ?? this.store.getIntent(intent.id)!);
  }

  reject(
    approver: Principal,
    scope: ClientScope,
    id: string,
    input: { reason: string; channel: string },
  ): IntentView {
    // The role comes first: without it the answer is the same whether or not the intent exists.
    if (!hasRole(approver, 'approver')) {
      throw this.refuse(
        approver,
        'reject_write_intent',
        '',
        id.slice(0, 64),
        'reject',
        'forbidden',
        `${approver.label} does not hold the approver role, so it cannot reject write intents.`,
      );
    }
    const intent = this.visibleIntent(approver, scope, id);
    assertTransition(intent.id, intent.state, 'rejected');
    const now = this.now();
    const next: Intent = {
      ...intent,
      state: 'rejected',
      updated_at: now.toISOString(),
      version: intent.version + 1,
    };
    const approval: Approval = {
      intent_id: intent.id,
      approver: approver.id,
      approver_label: approver.label,
      channel: input.channel,
      decision: 'reject',
      reason: input.reason,
      params_digest: intent.params_digest,
      created_at: now.toISOString(),
      expires_at: now.toISOString(),
    };
    const stored = this.store.addApproval(
      approval,
      { next, expected: { state: intent.state, version: intent.version } },
      this.audit(approver, next, 'reject', 'success', { channel: input.channel }),
    );
    if (!stored)
      throw new WhmcsMcpError(
        'conflict',
        `Intent ${intent.id} changed while it was being rejected; read it again.`,
      );
    return this.view(next);
  }

  cancel(principal: Principal, scope: ClientScope, id: string, reason: string): IntentView {
    const intent = this.visibleIntent(principal, scope, id);
    if (intent.drafted_by !== principal.id && !hasRole(principal, 'approver')) {
      throw this.refuse(
        principal,
        intent.tool,
        intent.action,
        intent.id,
        'cancel',
        'forbidden',
        'Only the drafter or an approver can cancel an intent.',
      );
    }
    assertTransition(intent.id, intent.state, 'cancelled');
    const next: Intent = {
      ...intent,
      state: 'cancelled',
      updated_at: this.now().toISOString(),
      version: intent.version + 1,
    };
    this.commit(
      next,
      intent,
      this.audit(principal, next, 'cancel', 'success', { reason_length: reason.length }),
    );
    return this.view(next);
  }

  // ---- execute -------------------------------------------------------------------------------

  async execute(
    principal: Principal,
    scope: ClientScope,
    id: string,
    signal?: AbortSignal,
  ): Promise<IntentView> {
    let intent = this.visibleIntent(principal, scope, id);
    if (intent.drafted_by !== principal.id && !hasRole(principal, 'approver')) {
      throw this.refuse(
        principal,
        intent.tool,
        intent.action,
        intent.id,
        'execute',
        'forbidden',
        'Only the drafter or an approver can execute an intent.',
      );
    }
    // A repeated execute returns what the first one stored.
    if (intent.state === 'executed' || intent.state === 'failed' || intent.state === 'unknown')
      return this.view(intent);
    if (intent.state === 'executing') {
      throw new WhmcsMcpError(
        'conflict',
        `Intent ${intent.id} is being executed right now; read it again in a moment.`,
        {
          details: { intent_id: intent.id, state: intent.state },
        },
      );
    }
    intent = this.expireIfStale(intent, principal);
    const refuse = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
      this.refuse(principal, intent.tool, intent.action, intent.id, 'execute', code, message, details);
    if (intent.state !== 'approved') {
      throw refuse(
        'approval_required',
        `Intent ${intent.id} is ${intent.state}; it must be validated and approved before it runs.`,
        {
          state: intent.state,
          approvals_still_needed: this.stillNeeded(intent),
        },
      );
    }

    // The approval covers the digest it was given; parameters edited in the store since then
    // (by anyone with file access) no longer match it.
    if (paramsDigest(intent.action, intent.params) !== intent.params_digest) {
      throw refuse(
        'conflict',
        `The parameters of intent ${intent.id} no longer match what was approved; nothing was sent to WHMCS.`,
      );
    }
    const now = this.now();
    const approvals = this.validApprovals(intent, now);
    if (approvals.length < intent.approvals_required) {
      const next: Intent = {
        ...intent,
        state: 'expired',
        updated_at: now.toISOString(),
        version: intent.version + 1,
      };
      this.commit(
        next,
        intent,
        this.audit(principal, next, 'expire', 'expired', { reason: 'approval expired' }),
      );
      throw refuse(
        'approval_required',
        'The approval of this intent has expired; validate it again and ask for a new approval.',
      );
    }

    this.gate(intent, refuse);

    // Re-read the preconditions: if WHMCS moved since validation, the approval no longer applies.
    const action = getAction(intent.action)!;
    const recheck = await this.rulesFor(action).check(intent.params, this.rulesContext(scope, signal));
    const before = intent.validation?.snapshot ?? {};
    if (recheck.problems.length > 0 || canonicalJson(recheck.snapshot) !== canonicalJson(before)) {
      throw refuse(
        'conflict',
        `WHMCS changed since this intent was validated${recheck.problems.length > 0 ? `: ${recheck.problems.join(' ')}` : ''}. Validate it again and ask for a new approval.`,
        { changed: changedKeys(before, recheck.snapshot) },
      );
    }

    // approved -> executing commits before WHMCS is called: a crash now leaves `executing`,
    // which a restart turns into `unknown`, never into a second call.
    const executing: Intent = {
      ...intent,
      state: 'executing',
      updated_at: this.now().toISOString(),
      version: intent.version + 1,
    };
    if (
      !this.store.updateIntent(
        executing,
        { state: 'approved', version: intent.version },
        this.audit(principal, executing, 'execute', 'started'),
      )
    ) {
      const current = this.store.getIntent(intent.id)!;
      if (current.state === 'executed' || current.state === 'failed' || current.state === 'unknown')
        return this.view(current);
      throw new WhmcsMcpError('conflict', `Intent ${intent.id} is being executed by another call.`, {
        details: { intent_id: intent.id, state: current.state },
      });
    }

    if (this.settings.mode === 'simulate') {
      return this.finish(
        principal,
        executing,
        'executed',
        {
          result: {
            simulated: true,
            reply: null,
            summary: `Simulated: ${intent.action} was not sent to WHMCS (MCP_MODE=simulate).`,
          },
          error: null,
        },
        'simulated',
      );
    }

    try {
      const reply = await this.whmcs.call(intent.action, intent.params as WhmcsParams);
      const rules = this.rulesFor(action);
      const summary = rules.summarize?.(reply, intent.params) ?? `${intent.action} succeeded.`;
      return this.finish(
        principal,
        executing,
        'executed',
        { result: { simulated: false, reply, summary }, error: null },
        'success',
        this.capSpend(intent),
      );
    } catch (caught) {
      const error =
        caught instanceof WhmcsMcpError
          ? caught
          : new WhmcsMcpError('upstream_error', `${intent.action} failed unexpectedly.`, {
              details: { delivery: 'unknown' },
            });
      // Refusals WHMCS gave before acting are failures; anything that may have reached it is unknown.
      const delivery = error.details?.delivery;
      const certainlyNotRun =
        delivery === 'not_executed' || delivery === 'refused' || delivery === 'not_sent';
      const state: IntentState = certainlyNotRun ? 'failed' : 'unknown';
      // An unknown outcome may have moved the money, so it counts towards the caps too.
      return this.finish(
        principal,
        executing,
        state,
        { result: null, error: { code: error.code, message: error.message } },
        state,
        state === 'unknown' ? this.capSpend(intent) : null,
      );
    }
  }

  // ---- reconcile -------------------------------------------------------------------------------

  async reconcile(
    principal: Principal,
    scope: ClientScope,
    id: string,
    signal?: AbortSignal,
  ): Promise<IntentView> {
    const intent = this.visibleIntent(principal, scope, id);
    if (intent.state !== 'unknown') {
      throw new WhmcsMcpError(
        'conflict',
        `Intent ${intent.id} is ${intent.state}; only an unknown outcome needs reconciling.`,
      );
    }
    const rules = this.rulesFor(getAction(intent.action)!);
    if (!rules.reconcile) {
      this.store.appendAudit(
        this.audit(principal, intent, 'reconcile', 'unknown', { reason: 'no automatic reconciliation' }),
      );
      throw new WhmcsMcpError(
        'conflict',
        `${intent.action} cannot be reconciled automatically; check WHMCS by hand, then settle it with the operator CLI.`,
      );
    }
    const outcome = await rules.reconcile(intent, this.rulesContext(scope, signal));
    if (outcome.state === 'unknown') {
      this.store.appendAudit(
        this.audit(principal, intent, 'reconcile', 'unknown', { evidence: outcome.evidence }),
      );
      return this.view(intent);
    }
    return this.settle(principal, intent, outcome.state, outcome.evidence);
  }

  /** An operator's own judgement of an unknown outcome, after checking WHMCS by hand. */
  settle(principal: Principal, intent: Intent, state: 'executed' | 'failed', evidence: string): IntentView {
    assertTransition(intent.id, intent.state, state);
    const next: Intent = {
      ...intent,
      state,
      result:
        state === 'executed'
          ? { simulated: false, reply: null, summary: `Reconciled as executed: ${evidence}` }
          : intent.result,
      error: state === 'failed' ? { code: 'reconciled_failed', message: evidence } : null,
      updated_at: this.now().toISOString(),
      version: intent.version + 1,
    };
    this.commit(
      next,
      intent,
      this.audit(principal, next, 'reconcile', state, { evidence_length: evidence.length }),
    );
    return this.view(next);
  }

  /** After a crash: intents left `executing` become `unknown`, to be reconciled, never re-run. */
  recoverInterrupted(): string[] {
    const system: Principal = { id: 'system', label: 'system', roles: [], transport: 'cli' };
    return this.store.markInterruptedExecutions((intent) => this.audit(system, intent, 'recover', 'unknown'));
  }

  /** Whether the kill switch is engaged, by configuration or by an operator at runtime. */
  killSwitchEngaged(): boolean {
    return this.settings.writesDisabled || this.store.getSetting?.(KILL_SWITCH_SETTING) === 'on';
  }

  // ---- internals -------------------------------------------------------------------------------

  private gate(
    intent: Intent,
    refuse: (code: ErrorCode, message: string, details?: Record<string, unknown>) => WhmcsMcpError,
  ): void {
    if (this.settings.mode === 'read_only') {
      throw refuse(
        'not_permitted_in_mode',
        'This server runs in read_only mode (MCP_MODE): nothing is executed.',
      );
    }
    if (this.killSwitchEngaged()) {
      throw refuse(
        'forbidden',
        'Writes are disabled by the kill switch (MCP_WRITES_DISABLED or the console); nothing was sent to WHMCS.',
      );
    }
    const production = this.settings.environment === 'production';
    const allowlisted = this.settings.writeAllowlist.some(
      (name) => name.toLowerCase() === intent.action.toLowerCase(),
    );
    if (production && !allowlisted) {
      throw refuse(
        'forbidden',
        `${intent.action} is not in MCP_WRITE_ALLOWLIST; in production only listed actions run.`,
      );
    }
    const cap = intent.validation?.cap_amount;
    if (!cap) {
      if (intent.effects.includes('money')) {
        throw refuse(
          'forbidden',
          `${intent.action} moves money but its validation found no amount to check against the caps.`,
        );
      }
      return;
    }
    const perAction = this.settings.perActionCap ?? (production ? null : DEFAULT_CAPS.perAction);
    const daily = this.settings.dailyCap ?? (production ? null : DEFAULT_CAPS.daily);
    if (perAction === null || daily === null) {
      throw refuse(
        'forbidden',
        'In production, money-moving writes are refused until MCP_CAP_PER_ACTION and MCP_CAP_DAILY are set.',
      );
    }
    const amount = parseCents(cap.amount) ?? 0n;
    const magnitude = amount < 0n ? -amount : amount;
    if (magnitude > parseCents(perAction)!) {
      throw refuse(
        'forbidden',
        `${cap.amount} ${cap.currency} is above the per-action cap of ${perAction}.`,
        { cap: perAction },
      );
    }
    const today = this.store.dailyTotal(dayOf(this.now()), cap.currency);
    if (today + magnitude > parseCents(daily)!) {
      throw refuse(
        'forbidden',
        `${cap.amount} ${cap.currency} would bring today's total to ${formatCents(today + magnitude)}, above the daily cap of ${daily}.`,
        { cap: daily, used_today: formatCents(today) },
      );
    }
  }

  /** What an executed (or possibly executed) intent adds to today's total, or null when no money moves. */
  private capSpend(intent: Intent): CapSpend | null {
    const cap = intent.validation?.cap_amount;
    if (!cap) return null;
    const amount = parseCents(cap.amount) ?? 0n;
    return {
      day: dayOf(this.now()),
      currency: cap.currency,
      action: intent.action,
      cents: amount < 0n ? -amount : amount,
    };
  }

  /**
   * Ends an execution: the closing transition, its audit row and the cap spend commit together,
   * so a crash cannot leave an executed intent that the daily cap never counted.
   */
  private finish(
    principal: Principal,
    executing: Intent,
    state: IntentState,
    outcome: Pick<Intent, 'result' | 'error'>,
    auditOutcome: string,
    spend: CapSpend | null = null,
  ): IntentView {
    const next: Intent = {
      ...executing,
      ...outcome,
      state,
      updated_at: this.now().toISOString(),
      version: executing.version + 1,
    };
    this.commit(
      next,
      executing,
      this.audit(
        principal,
        next,
        'execute',
        auditOutcome,
        outcome.error ? { code: outcome.error.code } : null,
      ),
      spend,
    );
    return this.view(next);
  }

  private autoApprove(principal: Principal, intent: Intent): IntentView {
    const next: Intent = {
      ...intent,
      state: 'approved',
      updated_at: this.now().toISOString(),
      version: intent.version + 1,
    };
    this.commit(
      next,
      intent,
      this.audit(principal, next, 'approve', 'auto_approved', { policy: 'MCP_AUTO_APPROVE low risk' }),
    );
    return this.view(next);
  }

  /** How many approvals an intent needs and from which role; 0 means policy approves it. */
  private approvalPolicy(
    intent: Intent,
    validation: IntentValidation,
  ): { required: number; role: 'approver' | null } {
    const action = getAction(intent.action)!;
    if (
      this.settings.autoApproveLowRisk &&
      this.settings.mode === 'full' &&
      action.risk === 'low' &&
      action.effects.length === 0
    ) {
      return { required: 0, role: null };
    }
    const threshold = this.settings.dualApprovalThreshold;
    // Money spent at a registrar is money leaving the business, as the caps count it.
    const weighty = action.effects.some(
      (effect) => effect === 'destructive' || effect === 'money' || effect === 'registrar_spend',
    );
    if (threshold !== null && weighty) {
      const amount = parseCents(validation.cap_amount?.amount ?? '0') ?? 0n;
      const magnitude = amount < 0n ? -amount : amount;
      const destructiveWithoutAmount =
        action.effects.includes('destructive') && validation.cap_amount === null;
      if (destructiveWithoutAmount || magnitude >= parseCents(threshold)!)
        return { required: 2, role: 'approver' };
    }
    return { required: 1, role: 'approver' };
  }

  /**
   * Approvals that still count: for these exact parameters, not expired, and given after the last
   * validation (a re-validation shows a new snapshot, so earlier approvals no longer apply).
   */
  private validApprovals(
    intent: Intent,
    now: Date,
    rows: readonly Approval[] = this.store.listApprovals(intent.id),
  ): Approval[] {
    const since = intent.validation?.validated_at ?? '';
    const nowIso = now.toISOString();
    return rows.filter(
      (row) =>
        row.decision === 'approve' &&
        row.params_digest === intent.params_digest &&
        row.expires_at > nowIso &&
        row.created_at >= since,
    );
  }

  private stillNeeded(intent: Intent, rows?: readonly Approval[]): number {
    if (intent.state !== 'validated' && intent.state !== 'approved') return 0;
    const valid = this.validApprovals(intent, this.now(), rows).length;
    return Math.max(0, intent.approvals_required - valid);
  }

  /** The intent as callers see it; `rows` are its approvals when the caller has just read them. */
  private view(intent: Intent, rows: readonly Approval[] = this.store.listApprovals(intent.id)): IntentView {
    return {
      ...intent,
      approvals: rows.map((row) => ({
        approver_label: row.approver_label,
        channel: row.channel,
        decision: row.decision,
        reason: row.reason,
        created_at: row.created_at,
        expires_at: row.expires_at,
      })),
      approvals_still_needed: this.stillNeeded(intent, rows),
    };
  }

  private inScope(scope: ClientScope, intent: Intent): boolean {
    return scope.mode === 'admin' || scope.allows(intent.entity.client_id);
  }

  private countInScope(scope: ClientScope, filter: IntentFilter): number {
    let count = 0;
    for (let offset = 0; ; offset += 500) {
      const page = this.store.listIntents({ ...filter, limit: 500, offset });
      count += page.items.filter((intent) => this.inScope(scope, intent)).length;
      if (page.items.length < 500) return count;
    }
  }

  /** Loads an intent the principal may see; anything else is answered like a missing id. */
  private visibleIntent(principal: Principal, scope: ClientScope, id: string): Intent {
    const intent = this.store.getIntent(id);
    const visible =
      intent !== undefined &&
      (intent.drafted_by === principal.id || hasRole(principal, 'approver')) &&
      this.inScope(scope, intent);
    if (!visible)
      throw new WhmcsMcpError('not_found', `Write intent ${id} was not found.`, {
        details: { intent_id: id },
      });
    return intent;
  }

  private expireIfStale(intent: Intent, principal: Principal): Intent {
    const live: IntentState[] = ['draft', 'validated', 'approved'];
    if (!live.includes(intent.state) || intent.expires_at > this.now().toISOString()) return intent;
    const next: Intent = {
      ...intent,
      state: 'expired',
      updated_at: this.now().toISOString(),
      version: intent.version + 1,
    };
    this.commit(next, intent, this.audit(principal, next, 'expire', 'expired'));
    return next;
  }

  private commit(next: Intent, previous: Intent, event: AuditEvent, spend: CapSpend | null = null): void {
    if (
      !this.store.updateIntent(
        this.scrubIfEnded(next),
        { state: previous.state, version: previous.version },
        event,
        spend,
      )
    ) {
      throw new WhmcsMcpError(
        'conflict',
        `Intent ${previous.id} changed while this call was working on it; read it again.`,
        {
          details: { intent_id: previous.id },
        },
      );
    }
  }

  /**
   * Once an intent can never run again, credential parameters (an EPP code, a new client's
   * password) have no use left; they are replaced so the state file stops holding them.
   */
  private scrubIfEnded(intent: Intent): Intent {
    const action = getAction(intent.action);
    if (!TERMINAL_STATES.has(intent.state) || !action) return intent;
    return { ...intent, params: redactCredentialParams(action, intent.params) };
  }

  private rulesFor(action: ActionDefinition): ActionRules {
    return this.rules.get(action.name) ?? genericRules(action);
  }

  private rulesContext(scope: ClientScope, signal: AbortSignal | undefined): RulesContext {
    return {
      scope,
      now: this.now,
      largeRefundThreshold: this.settings.largeRefundThreshold,
      whmcs: {
        call: (action, params) => {
          if (getAction(action)?.kind !== 'read') {
            return Promise.reject(
              new WhmcsMcpError('forbidden', `Preconditions may only read; ${action} writes.`),
            );
          }
          return this.whmcs.call(action, params, { signal });
        },
      },
    };
  }

  private audit(
    principal: Principal,
    intent: Intent,
    event: string,
    outcome: string,
    detail: Record<string, unknown> | null = null,
  ): AuditEvent {
    return {
      principal: principal.label === principal.id ? principal.id : `${principal.id} (${principal.label})`,
      tool: intent.tool,
      action: intent.action,
      entity:
        intent.entity.id === null ? intent.entity.kind : `${intent.entity.kind}:${String(intent.entity.id)}`,
      intent_id: intent.id,
      event,
      outcome,
      params_digest: intent.params_digest,
      detail,
    };
  }

  /** Audits a refused attempt and returns the error to throw. */
  refuse(
    principal: Principal,
    tool: string,
    action: string,
    intentId: string | null,
    event: string,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ): WhmcsMcpError {
    try {
      this.store.appendAudit({
        principal: principal.label === principal.id ? principal.id : `${principal.id} (${principal.label})`,
        tool,
        action,
        entity: null,
        intent_id: intentId,
        event,
        outcome: `refused:${code}`,
        params_digest: null,
        detail: { reason: message.slice(0, 300) },
      });
    } catch (error) {
      this.logger.error({ err: error }, 'could not audit a refusal');
    }
    const error = new WhmcsMcpError(code, message, details ? { details } : {});
    AUDITED.add(error);
    return error;
  }

  /** Audits a refusal that happened before the engine was reached (policy, validation, mode). */
  auditRefusal(
    principal: Principal,
    tool: string,
    code: ErrorCode,
    message: string,
    intentId: string | null = null,
  ): void {
    this.refuse(principal, tool, '', intentId, 'call', code, message);
  }
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => canonicalJson(before[key]) !== canonicalJson(after[key])).sort();
}
