import type { PromptDefinition } from './define.js';
import { domainRenewalReview } from './domain-renewal-review.js';
import { monthEndReconciliation } from './month-end-reconciliation.js';
import { newClientOnboarding } from './new-client-onboarding.js';
import { suspendForNonPayment } from './suspend-for-non-payment.js';
import { ticketTriage } from './ticket-triage.js';

/** Every prompt the server offers. */
export const ALL_PROMPTS: readonly PromptDefinition[] = [
  monthEndReconciliation,
  suspendForNonPayment,
  domainRenewalReview,
  ticketTriage,
  newClientOnboarding,
];
