/**
 * Support write façades. Opening a ticket and replying to one are the writes a client-scoped
 * session may draft, always as the client: the ticket is opened for a client in scope and a reply
 * is posted as the ticket's own client, never as staff. Notes and ticket changes are staff work.
 */
import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { entityNotFound } from '../../policy/client-scope.js';
import { toInt } from '../../whmcs/normalize.js';
import type { ToolContext } from '../define.js';
import { entityId } from '../schemas.js';
import { assertClientVisible, loadDomain, loadService, loadTicket } from '../shared/ownership.js';
import { defineWriteFacade } from './facade.js';
import { lineText, messageText } from './inputs.js';

const priorityInput = z.enum(['Low', 'Medium', 'High']);

const ticketMessage = messageText('The message text (plain text, or Markdown with markdown: true).');

/** A service or domain named on a ticket must belong to the ticket's client; anything else is "not found". */
async function assertOwnedBy(
  ctx: ToolContext,
  kind: 'service' | 'domain',
  id: number,
  clientId: number,
): Promise<void> {
  const row = kind === 'service' ? await loadService(ctx, id) : await loadDomain(ctx, id);
  const owner = toInt(kind === 'service' ? row.clientid : row.userid);
  if (owner !== clientId) throw entityNotFound(kind, id);
}

export const createTicket = defineWriteFacade({
  name: 'create_ticket',
  title: 'Open a support ticket',
  description:
    'Drafts a new support ticket for a client (WHMCS OpenTicket), opened as that client, in a department (get_ticket_departments), optionally about one of its services or domains. WHMCS e-mails the client a confirmation. In client mode the client must be one this session is bound to. Returns the intent: pending approval unless policy approves it.',
  toolset: 'support',
  action: 'OpenTicket',
  clientMode: 'owned',
  reads: ['GetClientsDetails', 'GetClientsProducts', 'GetClientsDomains'],
  fields: {
    client_id: entityId('Client id the ticket is opened for (and as).'),
    department_id: entityId('Support department id.'),
    subject: lineText('Ticket subject.', 250),
    message: ticketMessage,
    priority: priorityInput.optional().describe('Low, Medium (default) or High.'),
    service_id: entityId("One of the client's services the ticket is about.").optional(),
    domain_id: entityId("One of the client's domains the ticket is about.").optional(),
    markdown: z.boolean().optional().describe('The message is Markdown.'),
  },
  check(args) {
    return args.service_id !== undefined && args.domain_id !== undefined
      ? [{ field: 'domain_id', message: 'name a service or a domain, not both' }]
      : [];
  },
  async params(args, ctx) {
    await assertClientVisible(ctx, args.client_id);
    if (args.service_id !== undefined) await assertOwnedBy(ctx, 'service', args.service_id, args.client_id);
    if (args.domain_id !== undefined) await assertOwnedBy(ctx, 'domain', args.domain_id, args.client_id);
    return {
      deptid: args.department_id,
      subject: args.subject,
      message: args.message,
      clientid: args.client_id,
      priority: args.priority,
      serviceid: args.service_id,
      domainid: args.domain_id,
      markdown: args.markdown,
    };
  },
});

export const replyTicket = defineWriteFacade({
  name: 'reply_ticket',
  title: 'Reply to a support ticket',
  description:
    "Drafts a reply on a ticket (WHMCS AddTicketReply). In admin mode the reply is posted by staff (admin_username, or the API credential's admin) and the ticket becomes Answered. In client mode it is posted as the ticket's own client, never as staff, and the ticket becomes Customer-Reply; a ticket of another client is answered as not found. WHMCS e-mails the reply. Returns the intent: pending approval unless policy approves it.",
  toolset: 'support',
  action: 'AddTicketReply',
  clientMode: 'owned',
  reads: ['GetTicket'],
  fields: {
    ticket_id: entityId('Ticket id (the database id, not the ticket number).'),
    message: ticketMessage,
    markdown: z.boolean().optional().describe('The message is Markdown.'),
    admin_username: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._@-]+$/, 'a WHMCS staff username')
      .optional()
      .describe('Admin mode only: the staff username the reply is posted under.'),
  },
  async params(args, ctx) {
    const ticket = await loadTicket(ctx, args.ticket_id);
    if (ctx.scope.mode === 'client') {
      if (args.admin_username !== undefined) {
        throw new WhmcsMcpError(
          'invalid_input',
          'Invalid arguments for reply_ticket: admin_username: a client-scoped session replies as the client, never as staff.',
          { details: { problems: [{ field: 'admin_username', message: 'not available in client mode' }] } },
        );
      }
      // loadTicket proved the owner is in scope; the reply is posted as that client.
      return {
        ticketid: args.ticket_id,
        message: args.message,
        markdown: args.markdown,
        clientid: toInt(ticket.userid),
      };
    }
    return {
      ticketid: args.ticket_id,
      message: args.message,
      markdown: args.markdown,
      adminusername: args.admin_username,
    };
  },
});

export const addTicketNote = defineWriteFacade({
  name: 'add_ticket_note',
  title: 'Add a staff note to a ticket',
  description:
    'Drafts an internal staff note on a ticket (WHMCS AddTicketNote): visible to staff only, never e-mailed to the client. Returns the intent: executed when policy auto-approves low-risk writes, otherwise pending approval.',
  toolset: 'support',
  action: 'AddTicketNote',
  clientMode: 'admin_only',
  reads: ['GetTicket'],
  fields: {
    ticket_id: entityId('Ticket id (the database id).'),
    note: messageText('The note text.'),
    markdown: z.boolean().optional().describe('The note is Markdown.'),
  },
  async params(args, ctx) {
    await loadTicket(ctx, args.ticket_id);
    return { ticketid: args.ticket_id, message: args.note, markdown: args.markdown };
  },
});

export const updateTicket = defineWriteFacade({
  name: 'update_ticket',
  title: 'Update a support ticket',
  description:
    "Drafts a change to a ticket's status, priority, department or subject (WHMCS UpdateTicket); only the fields given change. Statuses are the installation's own (list_support_statuses), e.g. Open, Answered, On Hold, Closed. Returns the intent, pending approval.",
  toolset: 'support',
  action: 'UpdateTicket',
  clientMode: 'admin_only',
  reads: ['GetTicket'],
  fields: {
    ticket_id: entityId('Ticket id (the database id).'),
    status: lineText('New status title, e.g. "Closed".', 64).optional(),
    priority: priorityInput.optional().describe('New priority: Low, Medium or High.'),
    department_id: entityId('Department id to move the ticket to.').optional(),
    subject: lineText('New subject.', 250).optional(),
  },
  check(args) {
    const given = [args.status, args.priority, args.department_id, args.subject].some(
      (value) => value !== undefined,
    );
    return given
      ? []
      : [{ field: null, message: 'give at least one of status, priority, department_id, subject' }];
  },
  async params(args, ctx) {
    await loadTicket(ctx, args.ticket_id);
    return {
      ticketid: args.ticket_id,
      status: args.status,
      priority: args.priority,
      deptid: args.department_id,
      subject: args.subject,
    };
  },
});

export const supportWriteTools = [createTicket, replyTicket, addTicketNote, updateTicket];
