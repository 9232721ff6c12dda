/**
 * Every action the sandbox emulates with state, keyed by the catalog's spelling. Actions not listed
 * here are answered by the protocol layer (example replies for reads, an error for writes).
 *
 * Empty lists follow what WHMCS sends, which differs by action: `""` for the older actions whose
 * documentation shows flattened keys or an empty string (GetClientsProducts, GetClientsDomains,
 * GetClientsAddons, GetCredits, GetInvoice transactions, GetTicket notes), the wrapper left out
 * (GetToDoItems items), an empty wrapper list (GetActivityLog), and `[]` (PHP's empty array) for
 * the other list wrappers (GetClients, GetInvoices, GetOrders, GetTickets, ...).
 */
import { billingHandlers } from './billing.js';
import { clientHandlers } from './clients.js';
import type { ActionHandler } from './common.js';
import { domainHandlers } from './domains.js';
import { orderHandlers } from './orders.js';
import { serviceHandlers } from './services.js';
import { supportHandlers } from './support.js';
import { systemHandlers } from './system.js';

export type { ActionContext, ActionHandler } from './common.js';

export const sandboxHandlers: Readonly<Record<string, ActionHandler>> = Object.freeze({
  ...clientHandlers,
  ...billingHandlers,
  ...orderHandlers,
  ...serviceHandlers,
  ...domainHandlers,
  ...supportHandlers,
  ...systemHandlers,
});

/** Names of the emulated actions, sorted. */
export const EMULATED_ACTIONS: readonly string[] = Object.freeze(Object.keys(sandboxHandlers).sort());
