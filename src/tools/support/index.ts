import type { AnyToolDefinition } from '../define.js';
import { getTicketDepartments, listSupportStatuses } from './departments-and-statuses.js';
import { getTicketCounts } from './get-ticket-counts.js';
import { getTicketThread } from './get-ticket-thread.js';
import { listClientTickets } from './list-client-tickets.js';

/** The support tools, in the order tools/list shows them. */
export const supportTools: readonly AnyToolDefinition[] = [
  getTicketDepartments,
  getTicketThread,
  getTicketCounts,
  listSupportStatuses,
  listClientTickets,
];
