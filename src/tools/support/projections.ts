/**
 * Support tickets as they leave the server. Everything a customer or guest typed (subjects,
 * messages, their names, attachment names) is untrusted text with hidden and direction-changing
 * characters removed; staff text is wrapped the same way so every message reads alike.
 */
import { z } from 'zod';
import { toBool, toDate, toInt } from '../../whmcs/normalize.js';
import { optionalId, type Row, rowsOf, text } from '../shared/fields.js';
import { untrustedText, whmcsDate } from '../schemas.js';
import { cleanText, untrusted } from '../untrusted.js';

export const AUTHOR_TYPES = ['client', 'staff', 'guest'] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];

/** Who wrote a reply, from WHMCS's requestor_type ("Owner", "Operator", "Guest", ...). */
export function authorTypeOf(reply: Row): AuthorType {
  const requestor = (text(reply.requestor_type) ?? '').toLowerCase();
  if (requestor === 'operator' || text(reply.admin) !== null) return 'staff';
  if (requestor === 'guest') return 'guest';
  if (requestor !== '') return 'client';
  return optionalId(reply.userid) !== null ? 'client' : 'guest';
}

const ticketReference = z
  .object({
    service_id: z.number().int().nullable(),
    domain_id: z.number().int().nullable(),
  })
  .nullable()
  .describe('The service or domain the ticket was opened about, if any.');

/** A ticket as lists show it. */
export const ticketSummarySchema = z.object({
  id: z.number().int(),
  ticket_number: z.string().describe('The number the client sees (tid), e.g. "516757".'),
  client_id: z.number().int().nullable().describe('Null for a ticket opened by a guest.'),
  department_id: z.number().int().nullable(),
  department: z.string().nullable().describe('Department name, when known.'),
  subject: untrustedText,
  status: z.string(),
  priority: z.string().nullable(),
  opened_at: whmcsDate,
  last_reply_at: whmcsDate,
  related: ticketReference,
});
export type TicketSummary = z.infer<typeof ticketSummarySchema>;

export const ticketMessageSchema = z.object({
  kind: z.enum(['reply', 'note']).describe('reply: part of the conversation; note: staff-only note.'),
  id: z.number().int().describe('Reply id (0 is the opening message) or note id.'),
  author_type: z.enum(AUTHOR_TYPES),
  author_name: untrustedText,
  date: whmcsDate,
  message: untrustedText,
  attachments: z.array(z.string()).describe('Attachment file names only; contents are never fetched.'),
  attachments_removed: z.boolean(),
});
export type TicketMessage = z.infer<typeof ticketMessageSchema>;

export const ticketThreadSchema = ticketSummarySchema.extend({
  requestor_type: z.enum(AUTHOR_TYPES).describe('Who opened the ticket.'),
  assigned_admin: z.string().nullable().describe('Staff member who last handled the ticket.'),
  messages: z.array(ticketMessageSchema).describe('Replies and notes, oldest first.'),
  notes_included: z
    .boolean()
    .describe('False when staff-only notes are withheld (client-scoped access never sees them).'),
});
export type TicketThread = z.infer<typeof ticketThreadSchema>;

/** "S12" / "D3" in WHMCS's ticket `service` field. */
function relatedEntity(value: unknown): TicketSummary['related'] {
  const match = /^([SD])(\d+)$/i.exec(text(value) ?? '');
  if (!match) return null;
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return match[1]?.toUpperCase() === 'S'
    ? { service_id: id, domain_id: null }
    : { service_id: null, domain_id: id };
}

/** Attachment names from `attachments: [{filename}]`, else from `attachment: "123_a.png|456_b.pdf"`. */
export function attachmentNames(row: Row): string[] {
  const listed = rowsOf(row.attachments)
    .map((attachment) => text(attachment.filename))
    .filter((name): name is string => name !== null);
  const names =
    listed.length > 0
      ? listed
      : (text(row.attachment) ?? '')
          .split('|')
          .map((stored) => stored.trim().replace(/^\d+_/, ''))
          .filter((name) => name !== '');
  return names.map(cleanText);
}

/**
 * A ticket row from GetTickets (`id`) or GetTicket (`ticketid`). `departmentNames` fills the
 * department name when the row has only its id.
 */
export function projectTicketSummary(
  row: Row,
  departmentNames: ReadonlyMap<number, string> = new Map(),
): TicketSummary {
  const departmentId = optionalId(row.deptid);
  const userId = optionalId(row.userid);
  return {
    id: toInt(row.ticketid) ?? toInt(row.id) ?? 0,
    ticket_number: text(row.tid) ?? '',
    client_id: userId,
    department_id: departmentId,
    department:
      text(row.deptname) ?? (departmentId === null ? null : (departmentNames.get(departmentId) ?? null)),
    subject: untrusted(text(row.subject) ?? '', 'customer'),
    status: text(row.status) ?? 'Unknown',
    priority: text(row.priority),
    opened_at: toDate(row.date),
    last_reply_at: toDate(row.lastreply),
    related: relatedEntity(row.service),
  };
}

function projectReply(reply: Row): TicketMessage {
  const authorType = authorTypeOf(reply);
  const authorName =
    authorType === 'staff'
      ? (text(reply.admin) ?? text(reply.requestor_name) ?? text(reply.name))
      : (text(reply.requestor_name) ?? text(reply.name));
  const source = authorType === 'staff' ? 'staff' : 'customer';
  return {
    kind: 'reply',
    id: toInt(reply.replyid) ?? toInt(reply.id) ?? 0,
    author_type: authorType,
    author_name: untrusted(authorName ?? '', source),
    date: toDate(reply.date),
    message: untrusted(typeof reply.message === 'string' ? reply.message : '', source),
    attachments: attachmentNames(reply),
    attachments_removed: toBool(reply.attachments_removed) ?? false,
  };
}

function projectNote(note: Row): TicketMessage {
  return {
    kind: 'note',
    id: toInt(note.noteid) ?? toInt(note.id) ?? 0,
    author_type: 'staff',
    author_name: untrusted(text(note.admin) ?? '', 'staff'),
    date: toDate(note.date),
    message: untrusted(typeof note.message === 'string' ? note.message : '', 'staff'),
    attachments: attachmentNames(note),
    attachments_removed: toBool(note.attachments_removed) ?? false,
  };
}

/**
 * The whole conversation from a GetTicket reply: replies and (when `includeNotes`) staff notes,
 * merged oldest first; messages with the same timestamp keep WHMCS's order, replies before notes.
 */
export function projectTicketThread(ticket: Row, includeNotes: boolean): TicketThread {
  const replies = rowsOf(ticket.replies).map(projectReply);
  const notes = includeNotes ? rowsOf(ticket.notes).map(projectNote) : [];
  const messages = [...replies, ...notes]
    .map((message, order) => ({ message, order }))
    .sort((left, right) => {
      const byDate = (left.message.date ?? '').localeCompare(right.message.date ?? '');
      return byDate !== 0 ? byDate : left.order - right.order;
    })
    .map(({ message }) => message);
  const opener = replies[0];
  return {
    ...projectTicketSummary(ticket),
    requestor_type: opener?.author_type ?? (optionalId(ticket.userid) === null ? 'guest' : 'client'),
    assigned_admin: text(ticket.admin),
    messages,
    notes_included: includeNotes,
  };
}

/** "Ticket #516757 (id 1): Open, High, Technical Support, 4 message(s)". */
export function describeTicket(ticket: TicketSummary): string {
  const department = ticket.department ? `, ${ticket.department}` : '';
  const priority = ticket.priority ? `, ${ticket.priority}` : '';
  return `Ticket #${ticket.ticket_number} (id ${ticket.id}): ${ticket.status}${priority}${department}`;
}
