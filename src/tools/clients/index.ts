import type { AnyToolDefinition } from '../define.js';
import { getClientContacts } from './get-client-contacts.js';
import { getClientDetails } from './get-client-details.js';
import { getCredits } from './get-credits.js';
import { getPayMethods } from './get-pay-methods.js';
import { listUsers } from './list-users.js';
import { searchClients } from './search-clients.js';

/** The clients tools, in the order tools/list shows them. */
export const clientsTools: readonly AnyToolDefinition[] = [
  searchClients,
  getClientDetails,
  getClientContacts,
  listUsers,
  getPayMethods,
  getCredits,
];
