import type { AnyToolDefinition } from '../define.js';
import { checkDomainAvailability } from './check-domain-availability.js';
import { getDomainDetails } from './get-domain-details.js';
import { getTldPricing } from './get-tld-pricing.js';
import { listClientDomains } from './list-client-domains.js';

/** The domains tools, in the order tools/list shows them. WHMCS has no API to start a domain sync. */
export const domainsTools: readonly AnyToolDefinition[] = [
  checkDomainAvailability,
  getDomainDetails,
  getTldPricing,
  listClientDomains,
];
