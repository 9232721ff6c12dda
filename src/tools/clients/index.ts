import type { AnyToolDefinition } from '../define.js';
import { getClientDetails } from './get-client-details.js';
import { searchClients } from './search-clients.js';

/** The clients tools, in the order tools/list shows them. */
export const clientsTools: readonly AnyToolDefinition[] = [searchClients, getClientDetails];
