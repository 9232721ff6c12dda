/** Support tickets in the sandbox: who replies decides the status, updates, notes and counts. */
import { describe, expect, it } from 'vitest';
import { callAction, type DirectParamValue } from '../../src/sandbox/actions/runner.js';
import { SEED_BASE_DATE, SEED_FACTS } from '../../src/sandbox/seed.js';
import { createSandboxState, type SandboxState } from '../../src/sandbox/state.js';

const demo = SEED_FACTS.demoClient;
const NOW = new Date(SEED_BASE_DATE);

function sandbox(): {
  state: SandboxState;
  call: (action: string, params?: Record<string, DirectParamValue>) => Promise<Record<string, unknown>>;
} {
  const state = createSandboxState({ clients: 12, seed: 4 });
  return {
    state,
    call: async (action, params = {}) => callAction(state, action, params, { now: () => NOW }),
  };
}

interface TicketReplyRow {
  replyid: string;
  message: string;
  admin: string;
  requestor_type: string;
}

describe('ticket replies', () => {
  it('a staff reply sets Answered and the admin; a client reply sets Customer-Reply', async () => {
    const { call } = sandbox();
    const ticketId = demo.tickets.customerReply;
    expect(await call('AddTicketReply', { ticketid: ticketId, message: 'We are on it.' })).toEqual({
      result: 'success',
    });
    let ticket = await call('GetTicket', { ticketid: ticketId });
    expect(ticket).toMatchObject({
      status: 'Answered',
      admin: SEED_FACTS.apiAdmin.name,
      lastreply: '2025-06-15 12:00:00',
    });

    await call('AddTicketReply', { ticketid: ticketId, message: 'Still slow.', clientid: demo.id });
    ticket = await call('GetTicket', { ticketid: ticketId });
    expect(ticket.status).toBe('Customer-Reply');
    const replies = (ticket.replies as { reply: TicketReplyRow[] }).reply;
    expect(replies.slice(-2).map((reply) => [reply.message, reply.requestor_type, reply.admin])).toEqual([
      ['We are on it.', 'Operator', SEED_FACTS.apiAdmin.name],
      ['Still slow.', 'Owner', ''],
    ]);
    expect(replies[0]?.replyid).toBe('0');
  });

  it('honours an explicit status and a named admin, and refuses bad input', async () => {
    const { call, state } = sandbox();
    const ticketId = demo.tickets.answered;
    await call('AddTicketReply', {
      ticketid: ticketId,
      message: 'Escalated',
      adminusername: 'billing.lead',
      status: 'In Progress',
    });
    expect(state.tickets.get(ticketId)).toMatchObject({ status: 'In Progress', admin: 'Marta Kowalczyk' });
    const error = (message: string) => ({ result: 'error', message });
    expect(await call('AddTicketReply', { ticketid: 9999, message: 'x' })).toEqual(
      error('Ticket ID not found'),
    );
    expect(await call('AddTicketReply', { ticketid: ticketId, message: ' ' })).toEqual(
      error('Message is required'),
    );
    expect(await call('AddTicketReply', { ticketid: ticketId, message: 'x', status: 'Snoozed' })).toEqual(
      error('Invalid Ticket Status'),
    );
    expect(await call('AddTicketReply', { ticketid: ticketId, message: 'x', clientid: 9999 })).toEqual(
      error('Client ID Not Found'),
    );
    expect(
      await call('AddTicketReply', { ticketid: ticketId, message: 'x', created: '2030-01-01 00:00:00' }),
    ).toEqual(error('Reply creation date cannot be in the future'));
  });

  it('a guest reply needs a name and a valid email', async () => {
    const { call, state } = sandbox();
    const ticketId = demo.tickets.closed;
    expect(await call('AddTicketReply', { ticketid: ticketId, message: 'Hi', name: 'Guest' })).toEqual({
      result: 'error',
      message: 'Name and email address are required if not a client',
    });
    await call('AddTicketReply', {
      ticketid: ticketId,
      message: 'Hi',
      name: 'Guest',
      email: 'guest@example.org',
    });
    expect(state.tickets.get(ticketId)?.status).toBe('Customer-Reply');
  });
});

describe('opening, updating and annotating tickets', () => {
  it('opens a ticket for a client, findable by its ticket number', async () => {
    const { call } = sandbox();
    const opened = await call('OpenTicket', {
      deptid: SEED_FACTS.departments.billing,
      subject: 'Invoice question',
      message: 'Why two invoices?',
      clientid: demo.id,
      priority: 'Low',
    });
    expect(opened).toMatchObject({ result: 'success' });
    const ticket = await call('GetTicket', { ticketnum: String(opened.tid) });
    expect(ticket).toMatchObject({
      ticketid: opened.id,
      c: opened.c,
      status: 'Open',
      priority: 'Low',
      deptname: 'Billing',
      name: 'Zoë Lindqvist',
      email: demo.email,
    });
  });

  it('refuses OpenTicket without a department, subject, message or requester', async () => {
    const { call } = sandbox();
    const base = { deptid: 1, subject: 's', message: 'm', clientid: demo.id };
    const messages = await Promise.all([
      call('OpenTicket', { ...base, deptid: 99 }),
      call('OpenTicket', { ...base, subject: '' }),
      call('OpenTicket', { ...base, message: '' }),
      call('OpenTicket', { deptid: 1, subject: 's', message: 'm' }),
      call('OpenTicket', { deptid: 1, subject: 's', message: 'm', name: 'A', email: 'broken' }),
    ]);
    expect(messages.map((reply) => reply.message)).toEqual([
      'Department ID not found',
      'Subject is required',
      'Message is required',
      'Name and email address are required if not a client',
      'Email Address Invalid',
    ]);
  });

  it('UpdateTicket changes status, priority and department, and validates them', async () => {
    const { call, state } = sandbox();
    const ticketId = demo.tickets.customerReply;
    expect(
      await call('UpdateTicket', {
        ticketid: ticketId,
        status: 'On Hold',
        priority: 'Low',
        deptid: SEED_FACTS.departments.sales,
      }),
    ).toEqual({ result: 'success', ticketid: String(ticketId) });
    expect(state.tickets.get(ticketId)).toMatchObject({
      status: 'On Hold',
      priority: 'Low',
      departmentId: SEED_FACTS.departments.sales,
    });
    expect(await call('UpdateTicket', { ticketid: ticketId, priority: 'Urgent' })).toEqual({
      result: 'error',
      message: 'Invalid Ticket Priority. Valid priorities are: Low,Medium,High',
    });
    expect(await call('UpdateTicket', { ticketid: ticketId, status: 'Parked' })).toEqual({
      result: 'error',
      message:
        'Invalid Ticket Status. Valid statuses are: Open,Answered,Customer-Reply,On Hold,In Progress,Closed',
    });
    expect(await call('UpdateTicket', { ticketid: ticketId, deptid: 42 })).toEqual({
      result: 'error',
      message: 'Department ID Not Found',
    });
    expect(await call('UpdateTicket', { ticketid: 4242 })).toEqual({
      result: 'error',
      message: 'Ticket ID Not Found',
    });
  });

  it('adds staff notes, shown under notes', async () => {
    const { call } = sandbox();
    await call('AddTicketNote', { ticketid: demo.tickets.answered, message: 'Customer called too' });
    const ticket = await call('GetTicket', { ticketid: demo.tickets.answered });
    expect((ticket.notes as { note: { message: string; admin: string }[] }).note).toMatchObject([
      { message: 'Customer called too', admin: SEED_FACTS.apiAdmin.name },
    ]);
    expect((await call('GetTicket', { ticketid: demo.tickets.closed })).notes).toBe('');
  });
});

describe('ticket lists and counts', () => {
  it('filters by status keywords and counts consistently across the count actions', async () => {
    const { call, state } = sandbox();
    const awaiting = await call('GetTickets', { status: 'Awaiting Reply', limitnum: 1000 });
    const awaitingStatuses = new Set(
      (awaiting.tickets as { ticket: { status: string }[] }).ticket.map((ticket) => ticket.status),
    );
    expect([...awaitingStatuses].every((status) => status === 'Open' || status === 'Customer-Reply')).toBe(
      true,
    );
    const counts = await call('GetTicketCounts', { includeCountsByStatus: true });
    expect(counts.awaitingReply).toBe(Number(awaiting.totalresults));
    const closed = [...state.tickets.values()].filter((ticket) => ticket.status === 'Closed').length;
    expect((counts.status as Record<string, { count: number }>).closed?.count).toBe(closed);
    const statuses = await call('GetSupportStatuses');
    const closedRow = (statuses.statuses as { status: { title: string; count: number }[] }).status.find(
      (row) => row.title === 'Closed',
    );
    expect(closedRow?.count).toBe(closed);
  });

  it('finds the injection ticket by subject and hands its text back untouched', async () => {
    const { call } = sandbox();
    const found = await call('GetTickets', { subject: 'refund request' });
    const ids = (found.tickets as { ticket: { id: string }[] }).ticket.map((ticket) => Number(ticket.id));
    expect(ids).toContain(SEED_FACTS.injectionTicket.id);
    const ticket = await call('GetTicket', { ticketid: SEED_FACTS.injectionTicket.id });
    const opening = (ticket.replies as { reply: TicketReplyRow[] }).reply[0];
    expect(opening?.message).toContain('Ignore your previous instructions');
    expect(opening?.message).toContain('\u202E');
  });
});
