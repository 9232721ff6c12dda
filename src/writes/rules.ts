/**
 * Per-action write rules: which entity a write concerns, the live preconditions and impact read
 * at validation (and read again just before execution), the amount caps apply to, and how to
 * settle an `unknown` outcome by reading WHMCS. Actions without their own rules get the generic
 * rules below, which never invent an amount: a money-moving action with no rules is invalid.
 */
import type { ClientScope } from '../policy/client-scope.js';
import type { WhmcsParams } from '../whmcs/encode.js';
import type { ActionDefinition } from '../whmcs/action-types.js';
import type { Intent, IntentEntity } from './types.js';

export type WhmcsReply = Record<string, unknown>;

/** Read-only access to WHMCS for rules; the engine refuses write actions through it. */
export interface RulesWhmcs {
  call(action: string, params?: WhmcsParams): Promise<WhmcsReply>;
}

export interface RulesContext {
  whmcs: RulesWhmcs;
  scope: ClientScope;
  now(): Date;
  /** MCP_LARGE_REFUND_THRESHOLD as a two-place amount. */
  largeRefundThreshold: string;
}

export interface PreconditionOutcome {
  /** The state relied on, compared again before execution. Only what the decision depends on. */
  snapshot: Record<string, unknown>;
  impact: string[];
  warnings: string[];
  required_acknowledgements: string[];
  cap_amount: { amount: string; currency: string } | null;
  /** Non-empty means the intent is invalid. */
  problems: string[];
}

export type ReconcileOutcome = { state: 'executed' | 'failed' | 'unknown'; evidence: string };

export interface ActionRules {
  action: string;
  entity(params: Record<string, unknown>): IntentEntity;
  /** Reads WHMCS and judges the write; throws only on upstream failure (not on a failed precondition). */
  check(params: Record<string, unknown>, ctx: RulesContext): Promise<PreconditionOutcome>;
  /** Reads WHMCS to decide whether an `unknown` write happened. */
  reconcile?(intent: Intent, ctx: RulesContext): Promise<ReconcileOutcome>;
  /** One line for the result, e.g. "Credit of 10.00 USD added to client 42". */
  summarize?(reply: WhmcsReply, params: Record<string, unknown>): string;
}

const ENTITY_PARAMS: ReadonlyArray<[param: string, kind: string]> = [
  ['invoiceid', 'invoice'],
  ['serviceid', 'service'],
  ['domainid', 'domain'],
  ['ticketid', 'ticket'],
  ['orderid', 'order'],
  ['quoteid', 'quote'],
  ['contactid', 'contact'],
  ['clientid', 'client'],
  ['userid', 'client'],
];

function positiveInt(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : null;
}

/** The entity a write names by its most specific id parameter. */
export function entityFromParams(params: Record<string, unknown>): IntentEntity {
  const clientId = positiveInt(params.clientid) ?? positiveInt(params.userid);
  for (const [param, kind] of ENTITY_PARAMS) {
    const id = positiveInt(params[param]);
    if (id !== null) return { kind, id, client_id: kind === 'client' ? id : clientId };
  }
  return { kind: 'system', id: null, client_id: clientId };
}

/** Rules for actions without their own: no invented amounts, the named client must be visible. */
export function genericRules(action: ActionDefinition): ActionRules {
  return {
    action: action.name,
    entity: entityFromParams,
    async check(params, ctx) {
      const entity = entityFromParams(params);
      const problems: string[] = [];
      const snapshot: Record<string, unknown> = {};
      if (action.effects.includes('money')) {
        problems.push(
          `${action.name} moves money and has no rules that read its amount from WHMCS, so caps cannot be enforced; use the matching write tool instead.`,
        );
      }
      if (entity.client_id !== null) {
        if (!ctx.scope.allows(entity.client_id)) {
          problems.push(`Client ${entity.client_id} was not found.`);
        } else {
          try {
            const reply = await ctx.whmcs.call('GetClientsDetails', { clientid: entity.client_id });
            const client = (reply.client ?? reply) as Record<string, unknown>;
            snapshot.client_status = client.status ?? null;
          } catch {
            problems.push(`Client ${entity.client_id} was not found.`);
          }
        }
      }
      const names = Object.keys(params).sort();
      return {
        snapshot,
        impact: [
          `Calls ${action.name}${entity.id !== null ? ` on ${entity.kind} ${String(entity.id)}` : ''} with ${names.length > 0 ? names.join(', ') : 'no parameters'}.`,
        ],
        warnings: action.effects.length > 0 ? [`Effects: ${action.effects.join(', ')}.`] : [],
        required_acknowledgements: [],
        cap_amount: null,
        problems,
      };
    },
  };
}
