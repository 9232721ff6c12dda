/**
 * Rules per WHMCS write action (preconditions, impact, caps amount, reconciliation). Actions not
 * listed fall back to the generic rules in ../rules.ts.
 */
import type { ActionRules } from '../rules.js';
import { BILLING_RULES } from './billing.js';

const ALL_RULES: readonly ActionRules[] = [...BILLING_RULES];

export const WRITE_RULES: ReadonlyMap<string, ActionRules> = new Map(
  ALL_RULES.map((rules) => [rules.action, rules]),
);
