/**
 * Rules per WHMCS write action (preconditions, impact, caps amount, reconciliation). Actions not
 * listed fall back to the generic rules in ../rules.ts.
 */
import type { ActionRules } from '../rules.js';
import { BILLING_RULES } from './billing.js';
import { CLIENT_RULES } from './clients.js';
import { DOMAIN_RULES } from './domains.js';
import { SERVICE_RULES } from './services.js';
import { SUPPORT_RULES } from './support.js';

const ALL_RULES: readonly ActionRules[] = [
  ...BILLING_RULES,
  ...SERVICE_RULES,
  ...DOMAIN_RULES,
  ...SUPPORT_RULES,
  ...CLIENT_RULES,
];

export const WRITE_RULES: ReadonlyMap<string, ActionRules> = new Map(
  ALL_RULES.map((rules) => [rules.action, rules]),
);
