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

interface LoadedEntity {
  status: unknown;
  ownerClientId: number | null;
}

type Row = Record<string, unknown>;

function firstRow(reply: WhmcsReply, key: string): Row | undefined {
  const list = reply[key];
  return Array.isArray(list) ? (list[0] as Row | undefined) : undefined;
}

/** How to read each kind of entity a write may name: its status and its owner. */
const ENTITY_LOADERS: Readonly<
  Record<string, (id: number, ctx: RulesContext) => Promise<LoadedEntity | null>>
> = {
  client: async (id, ctx) => {
    const reply = await ctx.whmcs.call('GetClientsDetails', { clientid: id });
    const client = (reply.client ?? reply) as Row;
    return { status: client.status ?? null, ownerClientId: id };
  },
  invoice: async (id, ctx) => {
    const invoice = await ctx.whmcs.call('GetInvoice', { invoiceid: id });
    return { status: invoice.status ?? null, ownerClientId: positiveInt(invoice.userid) };
  },
  service: async (id, ctx) => {
    const row = firstRow(await ctx.whmcs.call('GetClientsProducts', { serviceid: id }), 'products');
    return row && positiveInt(row.id) === id
      ? { status: row.status ?? null, ownerClientId: positiveInt(row.clientid) }
      : null;
  },
  domain: async (id, ctx) => {
    const row = firstRow(await ctx.whmcs.call('GetClientsDomains', { domainid: id }), 'domains');
    return row && positiveInt(row.id) === id
      ? { status: row.status ?? null, ownerClientId: positiveInt(row.userid) }
      : null;
  },
  ticket: async (id, ctx) => {
    const ticket = await ctx.whmcs.call('GetTicket', { ticketid: id });
    return { status: ticket.status ?? null, ownerClientId: positiveInt(ticket.userid) };
  },
  order: async (id, ctx) => {
    const row = firstRow(await ctx.whmcs.call('GetOrders', { id }), 'orders');
    return row && positiveInt(row.id) === id
      ? { status: row.status ?? null, ownerClientId: positiveInt(row.userid) }
      : null;
  },
};

const ENTITY_LABELS: Readonly<Record<string, string>> = {
  client: 'Client',
  invoice: 'Invoice',
  service: 'Service',
  domain: 'Domain',
  ticket: 'Ticket',
  order: 'Order',
};

/**
 * Reads the entity a write names and its owner, within the caller's scope. A missing or foreign
 * entity becomes the same problem text; a readable one adds its status (and its owner's) to the
 * snapshot, so execution refuses when either moved.
 */
export async function checkNamedEntity(
  entity: IntentEntity,
  ctx: RulesContext,
  snapshot: Record<string, unknown>,
  problems: string[],
): Promise<LoadedEntity | null> {
  const load = entity.id === null ? undefined : ENTITY_LOADERS[entity.kind];
  if (!load || typeof entity.id !== 'number') return null;
  const notFound = `${ENTITY_LABELS[entity.kind] ?? entity.kind} ${entity.id} was not found.`;
  let loaded: LoadedEntity | null;
  try {
    loaded = await load(entity.id, ctx);
  } catch (error) {
    if ((error as { code?: string }).code === 'not_found') loaded = null;
    else throw error;
  }
  if (!loaded || !ctx.scope.allows(loaded.ownerClientId)) {
    problems.push(notFound);
    return null;
  }
  snapshot[`${entity.kind}_status`] = loaded.status;
  if (entity.kind !== 'client' && loaded.ownerClientId !== null) {
    const owner = await ENTITY_LOADERS.client!(loaded.ownerClientId, ctx).catch(() => null);
    snapshot.client_status = owner?.status ?? null;
  }
  return loaded;
}

/** Rules for actions without their own: no invented amounts, the named entity must be visible. */
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
      await checkNamedEntity(entity, ctx, snapshot, problems);
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
