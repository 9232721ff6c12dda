/**
 * The intent state machine. Every transition not listed here is refused with `conflict`, so no
 * code path can, say, execute a draft or approve an executed intent.
 */
import { WhmcsMcpError } from '../errors.js';

export const INTENT_STATES = [
  'draft',
  'validated',
  'approved',
  'executing',
  'executed',
  'failed',
  'unknown',
  'invalid',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type IntentState = (typeof INTENT_STATES)[number];

const TRANSITIONS: Readonly<Record<IntentState, readonly IntentState[]>> = {
  draft: ['validated', 'invalid', 'cancelled', 'expired'],
  // Validation may be repeated (a fresh snapshot), which keeps the intent validated.
  validated: ['validated', 'invalid', 'approved', 'rejected', 'cancelled', 'expired'],
  approved: ['executing', 'rejected', 'cancelled', 'expired', 'validated', 'invalid'],
  // A crash leaves `executing`; a restart turns it into `unknown`, never into a second attempt.
  executing: ['executed', 'failed', 'unknown'],
  unknown: ['executed', 'failed'],
  executed: [],
  failed: [],
  invalid: [],
  rejected: [],
  cancelled: [],
  expired: [],
};

export const TERMINAL_STATES: ReadonlySet<IntentState> = new Set(
  INTENT_STATES.filter((state) => TRANSITIONS[state].length === 0),
);

export function canTransition(from: IntentState, to: IntentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(intentId: string, from: IntentState, to: IntentState): void {
  if (!canTransition(from, to)) {
    throw new WhmcsMcpError('conflict', `Intent ${intentId} is ${from}; it cannot become ${to}.`, {
      details: { intent_id: intentId, state: from, requested: to },
    });
  }
}

export function allowedTransitions(from: IntentState): readonly IntentState[] {
  return TRANSITIONS[from];
}
