/**
 * How the action table is shown to an agent: the same fields for the list and the description,
 * and one sentence on how (or whether) each action can be used from this server.
 */
import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import type { ActionDefinition } from '../../whmcs/action-types.js';
import { requireAction } from '../../whmcs/actions.js';

export const EFFECTS = [
  'money',
  'destructive',
  'provisioning',
  'registrar_spend',
  'customer_email',
  'configuration_access',
] as const;

export const actionSummary = z.object({
  name: z.string().describe('The WHMCS API action, spelled as WHMCS documents it.'),
  summary: z.string(),
  kind: z.enum(['read', 'write']),
  risk: z.enum(['low', 'medium', 'high']).describe('For writes: how much damage a wrong call can do.'),
  effects: z.array(z.enum(EFFECTS)).describe('What a write does beyond changing a row.'),
  blocked: z.boolean().describe('Blocked actions expose credentials and are never callable.'),
  blocked_reason: z.string().nullable(),
  how_to_use: z.string().describe('Whether whmcs_call can run it, or how a change goes through instead.'),
});
export type ActionSummary = z.infer<typeof actionSummary>;

export function howToUse(action: ActionDefinition): string {
  if (action.blocked) return 'Never callable: it exposes credentials.';
  if (action.kind === 'read') return 'Callable with whmcs_call (admin only).';
  return 'Changes WHMCS: only through a write intent (draft, validate, human approval, execute); whmcs_call drafts and validates it as a pending intent, never runs it.';
}

export function summarizeAction(action: ActionDefinition): ActionSummary {
  return {
    name: action.name,
    summary: action.summary,
    kind: action.kind,
    risk: action.risk,
    effects: [...action.effects],
    blocked: action.blocked,
    blocked_reason: action.blocked ? (action.blockedReason ?? 'It exposes credentials.') : null,
    how_to_use: howToUse(action),
  };
}

/** invalid_input in the dispatcher's shape: one message naming each field, and `details.problems`. */
export function invalidArguments(
  toolName: string,
  problems: Array<{ field: string; message: string }>,
  extra: Record<string, unknown> = {},
): WhmcsMcpError {
  const listed = problems.map((entry) => `${entry.field}: ${entry.message}`).join('; ');
  return new WhmcsMcpError('invalid_input', `Invalid arguments for ${toolName}: ${listed}`, {
    details: { problems, ...extra },
  });
}

/** The action table's lookup, with an unknown name reported like any other bad argument. */
export function resolveAction(toolName: string, name: string): ActionDefinition {
  try {
    return requireAction(name);
  } catch (error) {
    if (!(error instanceof WhmcsMcpError)) throw error;
    throw invalidArguments(toolName, [{ field: 'action', message: error.message }], {
      suggestions: error.details?.suggestions ?? [],
    });
  }
}
