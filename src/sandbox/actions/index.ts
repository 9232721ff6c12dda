/**
 * Every action the sandbox emulates with state, keyed by the catalog's spelling. Actions not listed
 * here are answered by the protocol layer (example replies for reads, an error for writes).
 */
import { billingHandlers } from './billing.js';
import { clientHandlers } from './clients.js';
import type { ActionHandler } from './common.js';

export type { ActionContext, ActionHandler } from './common.js';

export const sandboxHandlers: Readonly<Record<string, ActionHandler>> = Object.freeze({
  ...clientHandlers,
  ...billingHandlers,
});

/** Names of the emulated actions, sorted. */
export const EMULATED_ACTIONS: readonly string[] = Object.freeze(Object.keys(sandboxHandlers).sort());
