import type { AnyToolDefinition } from '../define.js';
import { getTicketThread } from './get-ticket-thread.js';

/** The support tools, in the order tools/list shows them. */
export const supportTools: readonly AnyToolDefinition[] = [getTicketThread];
