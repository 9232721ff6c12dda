/**
 * Support tickets: GetTickets, GetTicket, OpenTicket, AddTicketReply, AddTicketNote, UpdateTicket,
 * GetSupportDepartments, GetSupportStatuses, GetTicketCounts.
 *
 * Ticket text is stored exactly as written (including control and direction characters): the
 * sandbox hands customer text back untouched so the server's untrusted-content handling is tested.
 */
import { TICKET_PRIORITIES } from '../state.js';
import type {
  Admin,
  Client,
  RequestorType,
  SandboxState,
  Ticket,
  TicketPriority,
  TicketReply,
} from '../state.js';
import type { SandboxParams } from '../types.js';
import {
  adminDisplayName,
  currentAdmin,
  fail,
  filledParam,
  flagParam,
  intParam,
  isEmail,
  logActivity,
  nowDateTime,
  pageOf,
  pagingOf,
  textParam,
  toDateTime,
} from './common.js';
import type { ActionContext, ActionHandler, Reply, ReplyValue } from './common.js';

// --- helpers -------------------------------------------------------------------------------------------

function statusTitles(state: SandboxState): string[] {
  return state.ticketStatuses.map((status) => status.title);
}

function findStatus(state: SandboxState, value: string): string | undefined {
  return statusTitles(state).find((title) => title.toLowerCase() === value.trim().toLowerCase());
}

function activeStatuses(state: SandboxState): Set<string> {
  return new Set(state.ticketStatuses.filter((status) => status.showActive).map((status) => status.title));
}

function awaitingStatuses(state: SandboxState): Set<string> {
  return new Set(state.ticketStatuses.filter((status) => status.showAwaiting).map((status) => status.title));
}

/** Departments the API admin may see, unless the caller asks to ignore assignments. */
function visibleDepartments(ctx: ActionContext, ignoreAssignments: boolean): Set<number> {
  if (ignoreAssignments) return new Set(ctx.state.departments.keys());
  return new Set(currentAdmin(ctx).departmentIds.filter((id) => ctx.state.departments.has(id)));
}

function requester(state: SandboxState, ticket: Ticket): { name: string; email: string } {
  const client = state.clients.get(ticket.clientId);
  if (client && !ticket.name) return { name: `${client.firstname} ${client.lastname}`, email: client.email };
  return { name: ticket.name, email: ticket.email };
}

/** A date the caller sets on a message: absent means now; never later than now. */
function messageDate(ctx: ActionContext, params: SandboxParams, futureMessage: string): string {
  const created = filledParam(params, 'created');
  if (created === undefined) return nowDateTime(ctx);
  const value = toDateTime(created);
  if (value === 'invalid') fail('Invalid Date Format');
  if (value > nowDateTime(ctx)) fail(futureMessage);
  return value;
}

function findAdminByUsername(state: SandboxState, username: string): Admin | undefined {
  for (const admin of state.admins.values())
    if (admin.username.toLowerCase() === username.toLowerCase()) return admin;
  return undefined;
}

// --- reads -----------------------------------------------------------------------------------------------

function renderTicketSummary(state: SandboxState, ticket: Ticket): Reply {
  const client = state.clients.get(ticket.clientId);
  const from = requester(state, ticket);
  return {
    id: String(ticket.id),
    tid: ticket.tid,
    deptid: String(ticket.departmentId),
    userid: String(ticket.clientId),
    name: from.name,
    owner_name: client ? `${client.firstname} ${client.lastname}` : '',
    email: from.email,
    requestor_name: from.name,
    requestor_email: from.email,
    requestor_type: ticket.requestorType,
    cc: ticket.cc,
    c: ticket.c,
    date: ticket.date,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    admin: ticket.admin,
    attachment: ticket.attachment,
    attachments: [],
    attachments_removed: false,
    lastreply: ticket.lastReply,
    flag: String(ticket.flag),
    service: ticket.service,
  };
}

export const GetTickets: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const departmentId = intParam(params, 'deptid');
  const clientId = intParam(params, 'clientid');
  const email = filledParam(params, 'email')?.toLowerCase();
  const statusFilter = filledParam(params, 'status')?.toLowerCase();
  const subject = filledParam(params, 'subject')?.toLowerCase();
  const departments = visibleDepartments(ctx, flagParam(params, 'ignore_dept_assignments') === true);
  const active = activeStatuses(state);
  const awaiting = awaitingStatuses(state);
  const apiAdminId = currentAdmin(ctx).id;
  const source =
    clientId !== undefined
      ? state.pick(state.tickets, state.ticketsByClient.get(clientId))
      : [...state.tickets.values()];
  const matches = source.filter((ticket) => {
    if (!departments.has(ticket.departmentId)) return false;
    if (departmentId !== undefined && ticket.departmentId !== departmentId) return false;
    if (email !== undefined && requester(state, ticket).email.toLowerCase() !== email) return false;
    if (subject !== undefined && !ticket.subject.toLowerCase().includes(subject)) return false;
    if (statusFilter === 'awaiting reply') return awaiting.has(ticket.status);
    if (statusFilter === 'all active tickets') return active.has(ticket.status);
    if (statusFilter === 'my flagged tickets') return ticket.flag === apiAdminId && active.has(ticket.status);
    return statusFilter === undefined || ticket.status.toLowerCase() === statusFilter;
  });
  // Most recent activity first, as the admin ticket list shows them.
  matches.sort((a, b) => (a.lastReply < b.lastReply ? 1 : a.lastReply > b.lastReply ? -1 : b.id - a.id));
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: String(matches.length),
    startnumber: paging.start,
    numreturned: page.length,
    tickets: page.length ? { ticket: page.map((ticket) => renderTicketSummary(state, ticket)) } : [],
  } satisfies Reply;
};

/** WHMCS lists a message without attachments with `[[]]`, as its official example shows. */
const NO_ATTACHMENTS: ReplyValue[] = [[]];

function renderReply(state: SandboxState, ticket: Ticket, reply: TicketReply): Reply {
  const staff = reply.admin !== '';
  const client = state.clients.get(reply.clientId);
  const name = staff ? '' : reply.name || (client ? `${client.firstname} ${client.lastname}` : '');
  const email = staff ? '' : reply.email || client?.email || '';
  return {
    replyid: String(reply.id),
    userid: String(ticket.clientId),
    contactid: String(reply.contactId),
    name,
    email,
    requestor_name: staff ? reply.admin : name,
    requestor_email: email,
    requestor_type: reply.requestorType,
    date: reply.date,
    message: reply.message,
    attachment: reply.attachment,
    attachments: NO_ATTACHMENTS,
    attachments_removed: false,
    admin: reply.admin,
    rating: String(reply.rating),
  };
}

function renderTicket(state: SandboxState, ticket: Ticket, repliesDescending: boolean): Reply {
  const department = state.departments.get(ticket.departmentId);
  const from = requester(state, ticket);
  // The opening message is reply "0"; it carries no rating.
  const opening: Reply = {
    replyid: '0',
    userid: String(ticket.clientId),
    contactid: String(ticket.contactId),
    name: ticket.openedByAdmin ? '' : from.name,
    email: ticket.openedByAdmin ? '' : from.email,
    requestor_name: from.name,
    requestor_email: from.email,
    requestor_type: ticket.requestorType,
    date: ticket.date,
    message: ticket.message,
    attachment: ticket.attachment,
    attachments: NO_ATTACHMENTS,
    attachments_removed: false,
    admin: ticket.openedByAdmin,
  };
  const replies = [opening, ...ticket.replies.map((reply) => renderReply(state, ticket, reply))];
  if (repliesDescending) replies.reverse();
  return {
    ticketid: String(ticket.id),
    tid: ticket.tid,
    c: ticket.c,
    deptid: String(ticket.departmentId),
    deptname: department?.name ?? '',
    userid: String(ticket.clientId),
    contactid: String(ticket.contactId),
    name: from.name,
    email: from.email,
    requestor_name: from.name,
    requestor_email: from.email,
    requestor_type: ticket.requestorType,
    cc: ticket.cc,
    date: ticket.date,
    subject: ticket.subject,
    status: ticket.status,
    priority: ticket.priority,
    admin: ticket.admin,
    lastreply: ticket.lastReply,
    flag: String(ticket.flag),
    service: ticket.service,
    replies: { reply: replies },
    notes: ticket.notes.length
      ? {
          note: ticket.notes.map((note) => ({
            noteid: String(note.id),
            date: note.date,
            message: note.message,
            attachment: '',
            attachments: NO_ATTACHMENTS,
            attachments_removed: false,
            admin: note.admin,
          })),
        }
      : '',
  };
}

function findTicket(state: SandboxState, params: SandboxParams, message: string): Ticket {
  const ticketId = intParam(params, 'ticketid');
  const ticketNumber = filledParam(params, 'ticketnum');
  const ticket =
    ticketId !== undefined
      ? state.tickets.get(ticketId)
      : ticketNumber !== undefined
        ? state.findTicketByTid(ticketNumber)
        : undefined;
  if (!ticket) fail(message);
  return ticket;
}

export const GetTicket: ActionHandler = (params, ctx) => {
  const ticket = findTicket(ctx.state, params, 'Ticket ID Not Found');
  const descending = filledParam(params, 'repliessort')?.toUpperCase() === 'DESC';
  return renderTicket(ctx.state, ticket, descending);
};

export const GetSupportDepartments: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const visible = visibleDepartments(ctx, flagParam(params, 'ignore_dept_assignments') === true);
  const active = activeStatuses(state);
  const awaiting = awaitingStatuses(state);
  const counts = new Map<number, { open: number; awaiting: number }>();
  for (const ticket of state.tickets.values()) {
    const entry = counts.get(ticket.departmentId) ?? { open: 0, awaiting: 0 };
    if (active.has(ticket.status)) entry.open++;
    if (awaiting.has(ticket.status)) entry.awaiting++;
    counts.set(ticket.departmentId, entry);
  }
  const departments = [...state.departments.values()].filter((department) => visible.has(department.id));
  return {
    totalresults: departments.length,
    departments: {
      department: departments.map((department) => ({
        id: String(department.id),
        name: department.name,
        awaitingreply: String(counts.get(department.id)?.awaiting ?? 0),
        opentickets: String(counts.get(department.id)?.open ?? 0),
      })),
    },
  } satisfies Reply;
};

export const GetSupportStatuses: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const departmentId = intParam(params, 'deptid');
  const counts = new Map<string, number>();
  for (const ticket of state.tickets.values()) {
    if (departmentId !== undefined && ticket.departmentId !== departmentId) continue;
    counts.set(ticket.status, (counts.get(ticket.status) ?? 0) + 1);
  }
  return {
    totalresults: state.ticketStatuses.length,
    statuses: {
      status: state.ticketStatuses.map((status) => ({
        title: status.title,
        count: counts.get(status.title) ?? 0,
        color: status.color,
      })),
    },
  } satisfies Reply;
};

export const GetTicketCounts: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const departments = visibleDepartments(ctx, flagParam(params, 'ignoreDepartmentAssignments') === true);
  const active = activeStatuses(state);
  const awaiting = awaitingStatuses(state);
  const adminId = currentAdmin(ctx).id;
  const byStatus = new Map<string, number>();
  let allActive = 0;
  let awaitingReply = 0;
  let flagged = 0;
  for (const ticket of state.tickets.values()) {
    if (!departments.has(ticket.departmentId)) continue;
    byStatus.set(ticket.status, (byStatus.get(ticket.status) ?? 0) + 1);
    if (active.has(ticket.status)) allActive++;
    if (awaiting.has(ticket.status)) awaitingReply++;
    if (ticket.flag === adminId && active.has(ticket.status)) flagged++;
  }
  const reply: Reply = {
    filteredDepartments: [...departments],
    allActive,
    awaitingReply,
    flaggedTickets: flagged,
  };
  if (flagParam(params, 'includeCountsByStatus')) {
    const status: Reply = {};
    for (const definition of state.ticketStatuses) {
      // Keys are the titles lowercased without punctuation ("Customer-Reply" -> "customerreply").
      status[definition.title.toLowerCase().replace(/[^a-z0-9]/g, '')] = {
        title: definition.title,
        count: byStatus.get(definition.title) ?? 0,
      };
    }
    reply.status = status;
  }
  return reply;
};

// --- writes ------------------------------------------------------------------------------------------------

export const OpenTicket: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const department = state.departments.get(intParam(params, 'deptid') ?? 0);
  if (!department) fail('Department ID not found');
  const subject = textParam(params, 'subject')?.trim() ?? '';
  if (subject === '') fail('Subject is required');
  const message = textParam(params, 'message') ?? '';
  if (message.trim() === '') fail('Message is required');
  const clientId = intParam(params, 'clientid');
  let client: Client | undefined;
  let contactId = 0;
  let requestorType: RequestorType = 'Owner';
  let name = '';
  let email = '';
  if (clientId !== undefined && clientId !== 0) {
    client = state.clients.get(clientId);
    if (!client) fail('Client ID Not Found');
    const userId = intParam(params, 'userid');
    if (userId !== undefined && userId !== 0) {
      const user = state.users.get(userId);
      const link = user?.clients.find((entry) => entry.clientId === clientId);
      if (!user || !link) fail('The system cannot find the provided user ID.');
      requestorType = link.isOwner ? 'Owner' : 'Authorized User';
      if (!link.isOwner) {
        name = `${user.firstname} ${user.lastname}`;
        email = user.email;
      }
    } else {
      const requestedContact = intParam(params, 'contactid');
      if (requestedContact !== undefined && requestedContact !== 0) {
        const contact = state.contacts.get(requestedContact);
        if (!contact || contact.clientId !== clientId) fail('Contact ID Not Found');
        contactId = contact.id;
        requestorType = 'Sub-Account';
        name = `${contact.firstname} ${contact.lastname}`;
        email = contact.email;
      }
    }
  } else {
    name = filledParam(params, 'name') ?? '';
    email = filledParam(params, 'email') ?? '';
    if (!name || !email) fail('Name and email address are required if not a client');
    if (!isEmail(email)) fail('Email Address Invalid');
    requestorType = 'Guest';
  }
  const serviceId = intParam(params, 'serviceid');
  const domainId = intParam(params, 'domainid');
  if (serviceId !== undefined && serviceId !== 0 && !state.services.has(serviceId))
    fail('Service ID Not Found');
  if (domainId !== undefined && domainId !== 0 && !state.domains.has(domainId)) fail('Domain ID Not Found');
  const created = messageDate(ctx, params, 'Ticket creation date cannot be in the future');
  const priorityText = filledParam(params, 'priority');
  const priority =
    TICKET_PRIORITIES.find((entry) => entry.toLowerCase() === priorityText?.toLowerCase()) ?? 'Medium';
  const byAdmin = flagParam(params, 'admin') === true;
  const ticket = state.insertTicket({
    tid: state.newTicketNumber(),
    c: state.random.alphanumeric(8),
    departmentId: department.id,
    clientId: client?.id ?? 0,
    contactId,
    name,
    email,
    cc: '',
    date: created,
    subject,
    message,
    openedByAdmin: byAdmin ? adminDisplayName(currentAdmin(ctx)) : '',
    requestorType,
    attachment: '',
    status: 'Open',
    priority,
    admin: '',
    lastReply: created,
    flag: 0,
    service: serviceId ? `S${serviceId}` : domainId ? `D${domainId}` : '',
    replies: [],
    notes: [],
  });
  logActivity(ctx, `New Support Ticket Opened - Ticket ID: ${ticket.id}`, ticket.clientId);
  if (!flagParam(params, 'noemail') && client) {
    state.insertEmail({
      clientId: client.id,
      date: created,
      to: client.email,
      subject: `[Ticket ID: ${ticket.tid}] ${subject}`,
      message: '',
      templateName: 'Support Ticket Opened',
      relatedId: ticket.id,
    });
  }
  return { id: String(ticket.id), tid: ticket.tid, c: ticket.c } satisfies Reply;
};

/**
 * A reply by a client (clientid), a guest (name + email) or staff (adminusername, or nobody named:
 * the API admin). Staff replies set the ticket to Answered, others to Customer-Reply, unless the
 * caller names a status.
 */
export const AddTicketReply: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const ticket = state.tickets.get(intParam(params, 'ticketid') ?? 0);
  if (!ticket) fail('Ticket ID not found');
  const message = textParam(params, 'message') ?? '';
  if (message.trim() === '') fail('Message is required');
  const clientId = intParam(params, 'clientid');
  const adminUsername = filledParam(params, 'adminusername');
  const guestName = filledParam(params, 'name');
  const guestEmail = filledParam(params, 'email');
  const statusText = filledParam(params, 'status');
  const status = statusText === undefined ? undefined : findStatus(state, statusText);
  if (statusText !== undefined && !status) fail('Invalid Ticket Status');

  let reply: Omit<TicketReply, 'id' | 'date' | 'message'>;
  if (clientId !== undefined && clientId !== 0) {
    const client = state.clients.get(clientId);
    if (!client) fail('Client ID Not Found');
    const contactId = intParam(params, 'contactid') ?? 0;
    const contact = contactId ? state.contacts.get(contactId) : undefined;
    if (contactId && (!contact || contact.clientId !== client.id)) fail('Contact ID Not Found');
    reply = {
      clientId: client.id,
      contactId,
      name: contact ? `${contact.firstname} ${contact.lastname}` : `${client.firstname} ${client.lastname}`,
      email: contact?.email ?? client.email,
      admin: '',
      requestorType: contact ? 'Sub-Account' : 'Owner',
      attachment: '',
      rating: 0,
    };
  } else if (adminUsername === undefined && (guestName !== undefined || guestEmail !== undefined)) {
    if (!guestName || !guestEmail) fail('Name and email address are required if not a client');
    if (!isEmail(guestEmail)) fail('Email Address Invalid');
    reply = {
      clientId: 0,
      contactId: 0,
      name: guestName,
      email: guestEmail,
      admin: '',
      requestorType: 'Guest',
      attachment: '',
      rating: 0,
    };
  } else {
    const admin = adminUsername === undefined ? currentAdmin(ctx) : findAdminByUsername(state, adminUsername);
    reply = {
      clientId: 0,
      contactId: 0,
      name: '',
      email: '',
      admin: admin ? adminDisplayName(admin) : (adminUsername ?? ''),
      requestorType: 'Operator',
      attachment: '',
      rating: 0,
    };
  }
  const date = messageDate(ctx, params, 'Reply creation date cannot be in the future');
  ticket.replies.push({ id: state.nextId('ticketReply'), date, message, ...reply });
  const staff = reply.admin !== '';
  ticket.status = status ?? (staff ? 'Answered' : 'Customer-Reply');
  ticket.lastReply = date > ticket.lastReply ? date : ticket.lastReply;
  if (staff) ticket.admin = reply.admin;
  logActivity(ctx, `New Ticket Response - Ticket ID: ${ticket.id}`, ticket.clientId);
  return {};
};

export const AddTicketNote: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const message = textParam(params, 'message') ?? '';
  if (message.trim() === '') fail('Message is required');
  const ticket = findTicket(state, params, 'Ticket ID not found');
  const date = messageDate(ctx, params, 'Ticket creation date cannot be in the future');
  ticket.notes.push({
    id: state.nextId('ticketNote'),
    date,
    message,
    admin: adminDisplayName(currentAdmin(ctx)),
  });
  logActivity(ctx, `Ticket Note Added - Ticket ID: ${ticket.id}`, ticket.clientId);
  return {};
};

export const UpdateTicket: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const ticket = state.tickets.get(intParam(params, 'ticketid') ?? 0);
  if (!ticket) fail('Ticket ID Not Found');
  // Validate everything first so a refused call changes nothing.
  const departmentId = intParam(params, 'deptid');
  if (departmentId !== undefined && !state.departments.has(departmentId)) fail('Department ID Not Found');
  const priorityText = filledParam(params, 'priority');
  const priority: TicketPriority | undefined =
    priorityText === undefined
      ? undefined
      : TICKET_PRIORITIES.find((entry) => entry.toLowerCase() === priorityText.toLowerCase());
  if (priorityText !== undefined && !priority)
    fail(`Invalid Ticket Priority. Valid priorities are: ${TICKET_PRIORITIES.join(',')}`);
  const statusText = filledParam(params, 'status');
  const status = statusText === undefined ? undefined : findStatus(state, statusText);
  if (statusText !== undefined && !status)
    fail(`Invalid Ticket Status. Valid statuses are: ${statusTitles(state).join(',')}`);
  const clientId = intParam(params, 'userid');
  if (clientId !== undefined && clientId !== 0 && !state.clients.has(clientId)) fail('Client ID Not Found');
  const flag = intParam(params, 'flag');
  if (flag !== undefined && flag !== 0 && !state.admins.has(flag)) fail('Admin ID Not Found');
  const created =
    filledParam(params, 'created') === undefined
      ? undefined
      : messageDate(ctx, params, 'Ticket creation date cannot be in the future');

  if (departmentId !== undefined) ticket.departmentId = departmentId;
  if (priority) ticket.priority = priority;
  if (status) ticket.status = status;
  if (clientId !== undefined) state.setTicketClient(ticket, clientId);
  const subject = filledParam(params, 'subject');
  if (subject !== undefined) ticket.subject = subject;
  const name = textParam(params, 'name');
  if (name !== undefined) ticket.name = name;
  const email = textParam(params, 'email');
  if (email !== undefined) ticket.email = email;
  const cc = textParam(params, 'cc');
  if (cc !== undefined) ticket.cc = cc;
  if (flag !== undefined) ticket.flag = flag;
  if (flagParam(params, 'removeFlag')) ticket.flag = 0;
  const message = textParam(params, 'message');
  if (message !== undefined && message.trim() !== '') ticket.message = message;
  if (created !== undefined) ticket.date = created;
  logActivity(ctx, `Modified Ticket - Ticket ID: ${ticket.id}`, ticket.clientId);
  return { ticketid: String(ticket.id) } satisfies Reply;
};

export const supportHandlers: Readonly<Record<string, ActionHandler>> = {
  GetTickets,
  GetTicket,
  OpenTicket,
  AddTicketReply,
  AddTicketNote,
  UpdateTicket,
  GetSupportDepartments,
  GetSupportStatuses,
  GetTicketCounts,
};
