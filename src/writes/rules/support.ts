/**
 * Write rules for support tickets: OpenTicket, AddTicketReply, AddTicketNote and UpdateTicket.
 * Tickets are read within the caller's scope (a guest ticket belongs to no client, so a client-
 * scoped caller never sees one). Replies and notes are found again after an unknown outcome by a
 * digest of their text, so reconciliation never copies message text into evidence or the audit.
 */
import { createHash } from 'node:crypto';
import { entityFromParams, type ActionRules, type RulesContext } from '../rules.js';
import type { IntentEntity } from '../types.js';
import {
  Findings,
  clientLabel,
  flagOf,
  isBlank,
  notSeen,
  positiveId,
  quoted,
  readClient,
  readOrNull,
  rowsOf,
  snapshotValue,
  statusChange,
  textOf,
  type ClientState,
  type Row,
} from './billing-common.js';
import { compareFields, looksLikeEmail } from './clients.js';
import { readDomain } from './domains.js';
import { readService } from './services.js';

const TICKET_PRIORITIES = ['Low', 'Medium', 'High'] as const;

/**
 * A digest of message text that survives what WHMCS may do when storing it: line endings,
 * surrounding and repeated whitespace, and the HTML entities it may encode.
 */
export function messageDigest(text: string): string {
  const decoded = text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&amp;/g, '&');
  return createHash('sha256').update(decoded.replace(/\s+/g, ' ').trim(), 'utf8').digest('hex');
}

function shortDigest(text: string): string {
  return messageDigest(text).slice(0, 12);
}

interface TicketMessage {
  id: number;
  digest: string;
  /** The staff member's name for a staff message, '' for a client's or guest's. */
  admin: string;
}

export interface TicketState {
  id: number;
  tid: string;
  /** 0 for a guest's ticket. */
  clientId: number;
  departmentId: number;
  departmentName: string;
  status: string;
  priority: string;
  subject: string;
  flag: number;
  cc: string;
  /** The opening message is reply 0. */
  replies: TicketMessage[];
  notes: TicketMessage[];
}

function messagesOf(value: unknown, idKey: string): TicketMessage[] {
  return rowsOf(value).map((row) => ({
    id: Number(textOf(row[idKey])) || 0,
    digest: messageDigest(textOf(row.message)),
    admin: textOf(row.admin),
  }));
}

function ticketOf(reply: Row): TicketState {
  return {
    id: positiveId(reply.ticketid) ?? 0,
    tid: textOf(reply.tid),
    clientId: positiveId(reply.userid) ?? 0,
    departmentId: positiveId(reply.deptid) ?? 0,
    departmentName: textOf(reply.deptname),
    status: textOf(reply.status),
    priority: textOf(reply.priority),
    subject: textOf(reply.subject),
    flag: positiveId(reply.flag) ?? 0,
    cc: textOf(reply.cc),
    replies: messagesOf(reply.replies, 'replyid'),
    notes: messagesOf(reply.notes, 'noteid'),
  };
}

/** A ticket by id or by its number (tid), within the caller's scope; null for missing and foreign. */
export async function readTicket(
  by: { ticketid: number } | { ticketnum: string },
  ctx: RulesContext,
): Promise<TicketState | null> {
  const reply = await readOrNull(ctx, 'GetTicket', by);
  if (!reply || positiveId(reply.ticketid) === null) return null;
  const ticket = ticketOf(reply);
  if ('ticketid' in by && ticket.id !== by.ticketid) return null;
  // A guest ticket (no client) is visible in admin scope only.
  if (!ctx.scope.allows(ticket.clientId === 0 ? null : ticket.clientId)) return null;
  return ticket;
}

interface TicketRead {
  ticket: TicketState;
  /** The ticket's client, or null for a guest's ticket. */
  client: ClientState | null;
}

function ticketReference(
  params: Record<string, unknown>,
): { ticketid: number } | { ticketnum: string } | null {
  const id = positiveId(params.ticketid);
  if (id !== null) return { ticketid: id };
  const number = textOf(params.ticketnum).trim();
  return number ? { ticketnum: number } : null;
}

async function readTicketParam(
  params: Record<string, unknown>,
  ctx: RulesContext,
  findings: Findings,
): Promise<TicketRead | null> {
  const reference = ticketReference(params);
  const ticket = reference ? await readTicket(reference, ctx) : null;
  const client = ticket && ticket.clientId !== 0 ? await readClient(ticket.clientId, ctx) : null;
  if (!ticket || (ticket.clientId !== 0 && !client)) {
    const named =
      textOf(params.ticketid) || (textOf(params.ticketnum) ? `#${textOf(params.ticketnum)}` : '(none)');
    findings.problems.push(`Ticket ${named} was not found.`);
    return null;
  }
  findings.snapshot.ticket_status = ticket.status;
  return { ticket, client };
}

/** "ticket 1 (#929872 "Website is loading slowly", client 1 (Zoë Lindqvist))". */
function ticketLabel(read: TicketRead): string {
  const owner = read.client ? clientLabel(read.client) : 'a guest';
  return `ticket ${read.ticket.id} (#${read.ticket.tid} ${quoted(read.ticket.subject)}, ${owner})`;
}

function ticketEntity(params: Record<string, unknown>): IntentEntity {
  if (positiveId(params.ticketid) !== null) return entityFromParams(params);
  const number = textOf(params.ticketnum).trim();
  return { kind: 'ticket', id: number ? `#${number}` : null, client_id: positiveId(params.clientid) };
}

async function departments(ctx: RulesContext): Promise<Map<number, string>> {
  const reply = await ctx.whmcs.call('GetSupportDepartments', { ignore_dept_assignments: true });
  return new Map(
    rowsOf(reply.departments).map((row) => [positiveId(row.id) ?? 0, textOf(row.name)] as [number, string]),
  );
}

/** The ticket statuses WHMCS knows, spelled as it spells them. */
async function statusTitles(ctx: RulesContext): Promise<string[]> {
  const reply = await ctx.whmcs.call('GetSupportStatuses', {});
  return rowsOf(reply.statuses).map((row) => textOf(row.title));
}

function findTitle(titles: readonly string[], value: unknown): string | undefined {
  const wanted = textOf(value).trim().toLowerCase();
  return titles.find((title) => title.toLowerCase() === wanted);
}

function findPriority(value: unknown): string | undefined {
  const wanted = textOf(value).trim().toLowerCase();
  return TICKET_PRIORITIES.find((priority) => priority.toLowerCase() === wanted);
}

/** The message text as a person checks it before approving: its length and its opening words. */
function messagePreview(text: string): string {
  return `${text.trim().length} characters: ${quoted(text)}`;
}

async function contactBelongs(contactId: number, clientId: number, ctx: RulesContext): Promise<boolean> {
  const reply = await ctx.whmcs.call('GetContacts', { userid: clientId, limitnum: 250 });
  return rowsOf(reply.contacts).some(
    (row) => positiveId(row.id) === contactId && positiveId(row.userid) === clientId,
  );
}

// ---- OpenTicket ----------------------------------------------------------------------------------------

const MAX_SAME_TICKETS_READ = 10;

/**
 * Tickets of this requester with the same subject and opening message: none before a new ticket,
 * so any found after an unknown outcome is the one this intent opened.
 */
async function sameTickets(params: Record<string, unknown>, ctx: RulesContext): Promise<number[]> {
  const clientId = positiveId(params.clientid);
  const subject = textOf(params.subject).trim();
  const requester: Record<string, string | number> =
    clientId !== null ? { clientid: clientId } : { email: textOf(params.email).trim() };
  const reply = await ctx.whmcs.call('GetTickets', {
    ...requester,
    subject,
    ignore_dept_assignments: true,
    limitnum: 50,
  });
  const candidates = rowsOf(reply.tickets)
    .filter((row) => textOf(row.subject).trim() === subject)
    .map((row) => positiveId(row.id) ?? 0)
    .filter((id) => id > 0)
    .slice(0, MAX_SAME_TICKETS_READ);
  const digest = messageDigest(textOf(params.message));
  const found: number[] = [];
  for (const id of candidates) {
    const ticket = await readTicket({ ticketid: id }, ctx);
    if (ticket?.replies.find((message) => message.id === 0)?.digest === digest) found.push(id);
  }
  return found.sort((a, b) => a - b);
}

/** Opens a ticket for a client (or a guest, in admin scope); WHMCS e-mails the requester. */
export const openTicketRules: ActionRules = {
  action: 'OpenTicket',
  entity: (params) => ({ kind: 'ticket', id: null, client_id: positiveId(params.clientid) }),
  async check(params, ctx) {
    const findings = new Findings();
    const subject = textOf(params.subject).trim();
    const message = textOf(params.message);
    if (subject === '') findings.problems.push('The subject is empty; WHMCS requires one.');
    if (message.trim() === '') findings.problems.push('The message is empty; WHMCS requires one.');
    const priority = isBlank(params.priority) ? 'Medium' : findPriority(params.priority);
    if (!priority) findings.problems.push(`The priority must be one of ${TICKET_PRIORITIES.join(', ')}.`);
    if (findings.problems.length > 0) return findings.outcome();

    const departmentId = positiveId(params.deptid) ?? 0;
    const department = (await departments(ctx)).get(departmentId);
    if (department === undefined) {
      findings.problems.push(`Department ${textOf(params.deptid) || '(none)'} was not found.`);
      return findings.outcome();
    }
    findings.snapshot.department = `${departmentId}:${department}`;

    const clientId = positiveId(params.clientid);
    let client: ClientState | null = null;
    let requester: string;
    if (clientId !== null) {
      client = await readClient(clientId, ctx);
      if (!client) {
        findings.problems.push(`Client ${clientId} was not found.`);
        return findings.outcome();
      }
      findings.snapshot.client_status = client.status;
      requester = clientLabel(client);
      const contactId = positiveId(params.contactid);
      if (contactId !== null && !(await contactBelongs(contactId, client.id, ctx))) {
        findings.problems.push(`Contact ${contactId} was not found.`);
        return findings.outcome();
      }
    } else {
      const name = textOf(params.name).trim();
      const email = textOf(params.email).trim();
      if (ctx.scope.mode === 'client') {
        findings.problems.push('Client (none) was not found.');
        return findings.outcome();
      }
      if (name === '' || !looksLikeEmail(email)) {
        findings.problems.push('A ticket without a client needs the guest name and a valid e-mail address.');
        return findings.outcome();
      }
      requester = `the guest ${quoted(name)} <${email}>`;
    }

    const related: string[] = [];
    const serviceId = positiveId(params.serviceid);
    if (serviceId !== null) {
      const service = await readService(serviceId, ctx);
      if (!service || service.clientId !== clientId) {
        findings.problems.push(`Service ${serviceId} was not found.`);
        return findings.outcome();
      }
      related.push(`about service ${service.id}${service.domain ? ` (${service.domain})` : ''}`);
    }
    const domainId = positiveId(params.domainid);
    if (domainId !== null) {
      const domain = await readDomain(domainId, ctx);
      if (!domain || domain.clientId !== clientId) {
        findings.problems.push(`Domain ${domainId} was not found.`);
        return findings.outcome();
      }
      related.push(`about domain ${domain.id} (${domain.name})`);
    }

    const existing = await sameTickets(params, ctx);
    findings.snapshot.same_tickets = existing.join(',');
    if (existing.length > 0) {
      findings.warnings.push(
        `Ticket ${existing.join(', ')} of this requester already has the same subject and message: this may be a duplicate.`,
      );
    }
    const openedBy = flagOf(params.admin) === true ? 'opened by staff' : 'opened as the requester';
    findings.impact.push(
      `New ticket in ${department} for ${requester}${related.length > 0 ? `, ${related.join(', ')}` : ''}: subject ${quoted(subject)}, priority ${priority}, status Open, ${openedBy}.`,
      `Opening message (${messagePreview(message)}).`,
    );
    if (flagOf(params.noemail) !== true) {
      findings.warnings.push(
        `WHMCS e-mails ${requester} that the ticket was opened (customer e-mail); set noemail to prevent it.`,
      );
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const before = new Set(textOf(snapshotValue(intent, 'same_tickets')).split(',').filter(Boolean));
    const opened = (await sameTickets(intent.params, ctx)).filter((id) => !before.has(String(id)));
    if (opened.length > 0) {
      return {
        state: 'executed',
        evidence: `Ticket ${opened.join(', ')} carries the subject and a message with digest ${shortDigest(textOf(intent.params.message))}.`,
      };
    }
    return notSeen(intent, ctx, 'No new ticket carries the subject and message.');
  },
  summarize(reply) {
    const tid = textOf(reply.tid);
    return `Ticket ${textOf(reply.id) || '(id not returned)'}${tid ? ` (#${tid})` : ''} opened.`;
  },
};

// ---- AddTicketReply ------------------------------------------------------------------------------------

type ReplyAuthor =
  | { kind: 'staff'; name: string }
  | { kind: 'client'; client: ClientState }
  | { kind: 'guest'; name: string; email: string };

/** Who a reply is from, the way WHMCS decides it: a client, a guest (name + e-mail), else staff. */
async function replyAuthor(
  params: Record<string, unknown>,
  read: TicketRead,
  ctx: RulesContext,
  findings: Findings,
): Promise<ReplyAuthor | null> {
  const clientId = positiveId(params.clientid);
  const adminUsername = textOf(params.adminusername).trim();
  if (clientId !== null) {
    const client = clientId === read.client?.id ? read.client : await readClient(clientId, ctx);
    if (!client) {
      findings.problems.push(`Client ${clientId} was not found.`);
      return null;
    }
    if (client.id !== read.ticket.clientId) {
      findings.problems.push(
        `${clientLabel(client)} does not own ticket ${read.ticket.id}; a client reply must come from the ticket's client.`,
      );
      return null;
    }
    const contactId = positiveId(params.contactid);
    if (contactId !== null && !(await contactBelongs(contactId, client.id, ctx))) {
      findings.problems.push(`Contact ${contactId} was not found.`);
      return null;
    }
    return { kind: 'client', client };
  }
  if (adminUsername === '' && (!isBlank(params.name) || !isBlank(params.email))) {
    const name = textOf(params.name).trim();
    const email = textOf(params.email).trim();
    if (name === '' || !looksLikeEmail(email)) {
      findings.problems.push('A reply from a guest needs the name and a valid e-mail address.');
      return null;
    }
    return { kind: 'guest', name, email };
  }
  if (ctx.scope.mode === 'client') {
    findings.problems.push(
      "A client-scoped caller replies as the ticket's client (clientid), never as staff.",
    );
    return null;
  }
  return { kind: 'staff', name: adminUsername || "the API credential's admin" };
}

function authorText(author: ReplyAuthor): string {
  if (author.kind === 'staff') return `a staff reply by ${author.name}`;
  if (author.kind === 'client') return `a reply by ${clientLabel(author.client)}`;
  return `a reply by the guest ${quoted(author.name)} <${author.email}>`;
}

/** Ids of the messages on the ticket whose text has this digest. */
function matchingIds(messages: readonly TicketMessage[], digest: string): string {
  return messages
    .filter((message) => message.digest === digest)
    .map((message) => message.id)
    .join(',');
}

/**
 * A reply on a ticket. Staff replies set it to Answered, others to Customer-Reply, unless a status
 * is named; WHMCS e-mails staff replies to the requester.
 */
export const addTicketReplyRules: ActionRules = {
  action: 'AddTicketReply',
  entity: ticketEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const message = textOf(params.message);
    if (message.trim() === '') {
      findings.problems.push('The message is empty; WHMCS requires one.');
      return findings.outcome();
    }
    const read = await readTicketParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const author = await replyAuthor(params, read, ctx, findings);
    if (!author) return findings.outcome();
    let after: string = author.kind === 'staff' ? 'Answered' : 'Customer-Reply';
    if (!isBlank(params.status)) {
      const named = findTitle(await statusTitles(ctx), params.status);
      if (!named) {
        findings.problems.push(`${quoted(params.status)} is not a ticket status in WHMCS.`);
        return findings.outcome();
      }
      after = named;
    }
    findings.snapshot.same_replies = matchingIds(read.ticket.replies, messageDigest(message));
    findings.impact.push(
      `${ticketLabel(read)}: ${statusChange(read.ticket.status, after)}.`,
      `Adds ${authorText(author)} (${messagePreview(message)}).`,
    );
    if (read.ticket.status === 'Closed') {
      findings.warnings.push(`Ticket ${read.ticket.id} is Closed: the reply reopens it as ${after}.`);
    }
    if (flagOf(params.noemail) !== true) {
      findings.warnings.push(
        author.kind === 'staff'
          ? `WHMCS e-mails this reply to the ticket's requester (${read.client ? clientLabel(read.client) : 'the guest'}); set noemail to prevent it.`
          : "WHMCS e-mails its new-reply notifications (to the department's staff, and to CC recipients); set noemail to prevent them.",
      );
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const reference = ticketReference(intent.params);
    const ticket = reference ? await readTicket(reference, ctx) : null;
    if (!ticket) return { state: 'unknown', evidence: 'The ticket could not be read.' };
    const digest = messageDigest(textOf(intent.params.message));
    const before = new Set(textOf(snapshotValue(intent, 'same_replies')).split(',').filter(Boolean));
    const added = ticket.replies.filter((reply) => reply.digest === digest && !before.has(String(reply.id)));
    if (added.length > 0) {
      return {
        state: 'executed',
        evidence: `Reply ${added.map((reply) => reply.id).join(', ')} on ticket ${ticket.id} has the message digest ${digest.slice(0, 12)}.`,
      };
    }
    return notSeen(
      intent,
      ctx,
      `No reply on ticket ${ticket.id} has the message digest ${digest.slice(0, 12)}.`,
    );
  },
  summarize(_reply, params) {
    return `Reply added to ticket ${textOf(params.ticketid)}.`;
  },
};

// ---- AddTicketNote -------------------------------------------------------------------------------------

/** A staff-only note on a ticket: no status change, no e-mail. */
export const addTicketNoteRules: ActionRules = {
  action: 'AddTicketNote',
  entity: ticketEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const message = textOf(params.message);
    if (message.trim() === '') {
      findings.problems.push('The note is empty; WHMCS requires a message.');
      return findings.outcome();
    }
    const read = await readTicketParam(params, ctx, findings);
    if (!read) return findings.outcome();
    // The status does not matter to a note; what is compared is whether the same note exists.
    delete findings.snapshot.ticket_status;
    findings.snapshot.same_notes = matchingIds(read.ticket.notes, messageDigest(message));
    findings.impact.push(
      `${ticketLabel(read)}: a staff note is added (${messagePreview(message)}).`,
      'Staff-only: the requester does not see it, the status stays as it is and WHMCS sends no e-mail.',
    );
    if (findings.snapshot.same_notes !== '') {
      findings.warnings.push(`Ticket ${read.ticket.id} already has a note with the same text.`);
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const reference = ticketReference(intent.params);
    const ticket = reference ? await readTicket(reference, ctx) : null;
    if (!ticket) return { state: 'unknown', evidence: 'The ticket could not be read.' };
    const digest = messageDigest(textOf(intent.params.message));
    const before = new Set(textOf(snapshotValue(intent, 'same_notes')).split(',').filter(Boolean));
    const added = ticket.notes.filter((note) => note.digest === digest && !before.has(String(note.id)));
    if (added.length > 0) {
      return {
        state: 'executed',
        evidence: `Note ${added.map((note) => note.id).join(', ')} on ticket ${ticket.id} has the message digest ${digest.slice(0, 12)}.`,
      };
    }
    return notSeen(
      intent,
      ctx,
      `No note on ticket ${ticket.id} has the message digest ${digest.slice(0, 12)}.`,
    );
  },
  summarize(_reply, params) {
    return `Note added to ticket ${textOf(params.ticketid) || `#${textOf(params.ticketnum)}`}.`;
  },
};

// ---- UpdateTicket --------------------------------------------------------------------------------------

/** Fields of a ticket UpdateTicket sets that GetTicket reads back, keyed by parameter. */
type TicketField = 'deptid' | 'status' | 'priority' | 'subject' | 'userid' | 'flag' | 'cc';

function ticketFieldValue(ticket: TicketState, field: TicketField): string {
  switch (field) {
    case 'deptid':
      return String(ticket.departmentId);
    case 'status':
      return ticket.status;
    case 'priority':
      return ticket.priority;
    case 'subject':
      return ticket.subject;
    case 'userid':
      return String(ticket.clientId);
    case 'flag':
      return String(ticket.flag);
    case 'cc':
      return ticket.cc;
  }
}

/** Changes the department, status, priority, subject, owner, flag or CC of a ticket. */
export const updateTicketRules: ActionRules = {
  action: 'UpdateTicket',
  entity: ticketEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readTicketParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { ticket } = read;
    const wanted = new Map<TicketField, string>();
    const lines: string[] = [];

    if (!isBlank(params.deptid)) {
      const known = await departments(ctx);
      const id = positiveId(params.deptid) ?? 0;
      if (!known.has(id)) findings.problems.push(`Department ${textOf(params.deptid)} was not found.`);
      else if (id !== ticket.departmentId) {
        wanted.set('deptid', String(id));
        lines.push(
          `department ${known.get(ticket.departmentId) ?? ticket.departmentName} -> ${known.get(id)}`,
        );
      }
    }
    if (!isBlank(params.status)) {
      const status = findTitle(await statusTitles(ctx), params.status);
      if (!status) findings.problems.push(`${quoted(params.status)} is not a ticket status in WHMCS.`);
      else if (status !== ticket.status) {
        wanted.set('status', status);
        lines.push(statusChange(ticket.status, status));
      }
    }
    if (!isBlank(params.priority)) {
      const priority = findPriority(params.priority);
      if (!priority) findings.problems.push(`The priority must be one of ${TICKET_PRIORITIES.join(', ')}.`);
      else if (priority !== ticket.priority) {
        wanted.set('priority', priority);
        lines.push(`priority ${ticket.priority} -> ${priority}`);
      }
    }
    const subject = textOf(params.subject).trim();
    if (subject !== '' && subject !== ticket.subject) {
      wanted.set('subject', subject);
      lines.push(`subject ${quoted(ticket.subject)} -> ${quoted(subject)}`);
    }
    const owner = positiveId(params.userid);
    if (owner !== null && owner !== ticket.clientId) {
      const client = await readClient(owner, ctx);
      if (!client) findings.problems.push(`Client ${owner} was not found.`);
      else {
        wanted.set('userid', String(owner));
        lines.push(`client ${ticket.clientId || '(guest)'} -> ${clientLabel(client)}`);
        findings.warnings.push(
          `Ticket ${ticket.id} and its whole history become visible to ${clientLabel(client)}, and leave ${read.client ? clientLabel(read.client) : 'the guest'}.`,
        );
      }
    }
    if (!isBlank(params.flag) || flagOf(params.removeFlag) === true) {
      const flag = flagOf(params.removeFlag) === true ? 0 : (positiveId(params.flag) ?? 0);
      if (flag !== ticket.flag) {
        wanted.set('flag', String(flag));
        lines.push(`flagged to admin ${ticket.flag || '(nobody)'} -> ${flag || '(nobody)'}`);
      }
    }
    if (params.cc !== undefined && params.cc !== null && textOf(params.cc) !== ticket.cc) {
      wanted.set('cc', textOf(params.cc));
      lines.push(`CC ${quoted(ticket.cc)} -> ${quoted(params.cc)}`);
    }
    const unread: string[] = [];
    if (!isBlank(params.message)) {
      unread.push('message');
      lines.push(`the opening message is replaced (${messagePreview(textOf(params.message))})`);
      findings.warnings.push(
        'The original opening message is overwritten and cannot be recovered from WHMCS.',
      );
    }
    for (const name of ['name', 'email', 'created', 'customfields'] as const) {
      if (!isBlank(params[name])) {
        unread.push(name);
        lines.push(
          name === 'customfields'
            ? 'custom fields are set to the encoded values given'
            : `${name} -> ${quoted(params[name])}`,
        );
      }
    }
    if (findings.problems.length > 0) return findings.outcome();
    if (lines.length === 0) {
      findings.problems.push(`Nothing would change: ${ticketLabel(read)} already has these values.`);
      return findings.outcome();
    }
    // The fields that change, as they read now: reconciliation compares each with before and after.
    for (const field of wanted.keys()) findings.snapshot[`before_${field}`] = ticketFieldValue(ticket, field);
    findings.impact.push(`${ticketLabel(read)}: ${lines.join('; ')}.`);
    if (wanted.size === 0) {
      findings.warnings.push(
        `WHMCS does not return ${unread.join(', ')} in a readable form, so an unknown outcome of this update must be checked by hand.`,
      );
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const reference = ticketReference(intent.params);
    const ticket = reference ? await readTicket(reference, ctx) : null;
    if (!ticket) return { state: 'unknown', evidence: 'The ticket could not be read.' };
    const fields = Object.keys(intent.validation?.snapshot ?? {})
      .filter((key) => key.startsWith('before_'))
      .map((key) => key.slice('before_'.length) as TicketField);
    // WHMCS matches a status by its title in any letter case; read back, it has the title's spelling.
    const titles = fields.includes('status') ? await statusTitles(ctx) : [];
    return compareFields(
      intent,
      ctx,
      fields,
      (field) => ({
        now: ticketFieldValue(ticket, field as TicketField),
        wanted: requestedValue(intent.params, field as TicketField, titles),
      }),
      'ticket',
      'before_',
    );
  },
  summarize(_reply, params) {
    const named = Object.keys(params).filter((key) => key !== 'ticketid');
    return `Ticket ${textOf(params.ticketid)} updated (${named.join(', ') || 'no fields'}).`;
  },
};

/** The value a field should read after UpdateTicket, spelled as GetTicket spells it. */
function requestedValue(
  params: Record<string, unknown>,
  field: TicketField,
  titles: readonly string[],
): string {
  switch (field) {
    case 'deptid':
    case 'userid':
      return String(positiveId(params[field]) ?? 0);
    case 'flag':
      return flagOf(params.removeFlag) === true ? '0' : String(positiveId(params.flag) ?? 0);
    case 'priority':
      return findPriority(params.priority) ?? textOf(params.priority);
    case 'status':
      return findTitle(titles, params.status) ?? textOf(params.status).trim();
    case 'subject':
      return textOf(params.subject).trim();
    case 'cc':
      return textOf(params.cc);
  }
}

export const SUPPORT_RULES: readonly ActionRules[] = [
  openTicketRules,
  addTicketReplyRules,
  addTicketNoteRules,
  updateTicketRules,
];
