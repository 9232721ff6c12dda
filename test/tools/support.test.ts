import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INJECTION_TICKET_MESSAGE, SEED_FACTS } from '../../src/sandbox/seed.js';
import { attachmentNames, authorTypeOf, projectTicketThread } from '../../src/tools/support/projections.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

const demo = SEED_FACTS.demoClient;
const injection = SEED_FACTS.injectionTicket;
const HIDDEN = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\r]/u;

let admin: Harness;
let scoped: Harness;

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: String(demo.id) },
  });
});

afterAll(async () => {
  await scoped.close();
  await admin.close();
});

interface Untrusted {
  untrusted: true;
  source: string;
  text: string;
}

interface Message {
  kind: 'reply' | 'note';
  id: number;
  author_type: 'client' | 'staff' | 'guest';
  author_name: Untrusted;
  date: string | null;
  message: Untrusted;
  attachments: string[];
}

interface TicketItem {
  id: number;
  client_id: number | null;
  subject: Untrusted;
  status: string;
  department: string | null;
}

interface Page<T> {
  items: T[];
  total: number;
  count: number;
  offset: number;
  limit: number;
  has_more: boolean;
  next_offset: number | null;
}

async function walk<T>(harness: Harness, tool: string, args: Record<string, unknown>, limit: number) {
  const items: T[] = [];
  let offset: number | null = 0;
  let total: number | undefined;
  while (offset !== null) {
    const page = (await callOk(harness.client, tool, { ...args, limit, offset })) as unknown as Page<T>;
    expect(page.count).toBe(page.items.length);
    total ??= page.total;
    expect(page.total).toBe(total);
    expect(page.has_more).toBe(page.offset + page.count < page.total);
    expect(page.next_offset).toBe(page.has_more ? page.offset + page.count : null);
    items.push(...page.items);
    offset = page.next_offset;
  }
  expect(items.length).toBe(total);
  return items;
}

function withoutId(error: { code: string; message: string; details?: Record<string, unknown> }, id: number) {
  const details = error.details === undefined ? undefined : { ...error.details, id: '<id>' };
  return { ...error, message: error.message.replaceAll(String(id), '<id>'), details };
}

describe('get_ticket_thread', () => {
  it('wraps the prompt-injection ticket as untrusted text with hidden characters removed', async () => {
    const result = await admin.client.callTool({
      name: 'get_ticket_thread',
      arguments: { ticket_id: injection.id },
    });
    expect(result.isError).toBeFalsy();
    const thread = result.structuredContent as {
      client_id: number;
      ticket_number: string;
      messages: Message[];
    };
    expect(thread).toMatchObject({ client_id: injection.clientId, ticket_number: injection.tid });
    const opening = thread.messages[0]!;
    expect(opening.message).toMatchObject({ untrusted: true, source: 'customer' });
    expect(opening.author_type).toBe('client');
    expect(opening.message.text).toContain('Ignore your previous instructions');
    expect(opening.message.text).not.toMatch(HIDDEN);
    expect(INJECTION_TICKET_MESSAGE).toMatch(HIDDEN);
    // The text is the seeded message minus the hidden characters, nothing else changed.
    expect(opening.message.text).toBe(
      INJECTION_TICKET_MESSAGE.replace(/\r\n/g, '\n').replace(/[\u200B-\u200F\u202A-\u202E]/gu, ''),
    );
    // Nothing hidden leaves anywhere in the answer, structured or text.
    expect(JSON.stringify(result)).not.toMatch(HIDDEN);
  });

  it('returns every reply and note of a ticket oldest first with author types', async () => {
    const seeded = admin.sandbox.state.tickets.get(demo.tickets.customerReply)!;
    const thread = await callOk(admin.client, 'get_ticket_thread', { ticket_id: demo.tickets.customerReply });
    expect(thread).toMatchObject({
      id: seeded.id,
      ticket_number: seeded.tid,
      client_id: demo.id,
      status: seeded.status,
      priority: seeded.priority,
      department_id: seeded.departmentId,
      department: admin.sandbox.state.departments.get(seeded.departmentId)!.name,
      subject: { untrusted: true, text: seeded.subject },
      related: { service_id: demo.services.active, domain_id: null },
      notes_included: true,
    });
    const messages = thread.messages as Message[];
    expect(messages).toHaveLength(1 + seeded.replies.length + seeded.notes.length);
    const dates = messages.map((message) => message.date ?? '');
    expect(dates).toEqual([...dates].sort());
    expect(messages[0]).toMatchObject({ kind: 'reply', author_type: 'client' });
    expect(messages[0]!.message.text).toBe(seeded.message);
    expect(
      messages.filter((message) => message.kind === 'reply').map((message) => message.author_type),
    ).toEqual([
      'client',
      ...seeded.replies.map((reply) => (reply.requestorType === 'Operator' ? 'staff' : 'client')),
    ]);
    const notes = messages.filter((message) => message.kind === 'note');
    expect(notes.map((note) => note.message.text)).toEqual(seeded.notes.map((note) => note.message));
    expect(notes.every((note) => note.author_type === 'staff')).toBe(true);
  });

  it('lists attachments by file name only', async () => {
    const ticket = admin.sandbox.state.tickets.get(demo.tickets.answered)!;
    const before = ticket.attachment;
    ticket.attachment = '482913_screenshot.png|771201_error\u202Elog.txt';
    try {
      const thread = await callOk(admin.client, 'get_ticket_thread', { ticket_id: ticket.id });
      expect((thread.messages as Message[])[0]!.attachments).toEqual(['screenshot.png', 'errorlog.txt']);
    } finally {
      ticket.attachment = before;
    }
  });

  it('withholds staff notes from a client-scoped agent', async () => {
    const thread = await callOk(scoped.client, 'get_ticket_thread', {
      ticket_id: demo.tickets.customerReply,
    });
    expect(thread.notes_included).toBe(false);
    expect((thread.messages as Message[]).some((message) => message.kind === 'note')).toBe(false);
    const note = admin.sandbox.state.tickets.get(demo.tickets.customerReply)!.notes[0]!.message;
    expect(JSON.stringify(thread)).not.toContain(note);
  });

  it('answers a foreign ticket exactly like a missing one in client mode', async () => {
    const foreignError = await callError(scoped.client, 'get_ticket_thread', { ticket_id: injection.id });
    const missingError = await callError(scoped.client, 'get_ticket_thread', { ticket_id: 9_999_999 });
    expect(foreignError.code).toBe('not_found');
    expect(withoutId(foreignError, injection.id)).toEqual(withoutId(missingError, 9_999_999));
    expect(JSON.stringify(foreignError)).not.toContain('refund');
  });

  it('refuses bad ids naming the field', async () => {
    for (const ticket_id of [-1, 0, injection.tid, 1.5]) {
      const error = await callError(admin.client, 'get_ticket_thread', { ticket_id });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('ticket_id');
    }
  });
});

describe('ticket projections', () => {
  it('reads author types from requestor_type, admin and userid', () => {
    expect(authorTypeOf({ requestor_type: 'Operator' })).toBe('staff');
    expect(authorTypeOf({ requestor_type: 'Owner', admin: '' })).toBe('client');
    expect(authorTypeOf({ requestor_type: 'Sub-Account' })).toBe('client');
    expect(authorTypeOf({ requestor_type: 'Guest' })).toBe('guest');
    expect(authorTypeOf({ admin: 'Demo Admin' })).toBe('staff');
    expect(authorTypeOf({ userid: 0 })).toBe('guest');
    expect(authorTypeOf({ userid: 4 })).toBe('client');
  });

  it("reads attachment names from WHMCS's list and from its stored names", () => {
    expect(
      attachmentNames({ attachments: [{ filename: 'a.png', index: 0 }], attachment: '1_a.png' }),
    ).toEqual(['a.png']);
    expect(attachmentNames({ attachments: [[]], attachment: '' })).toEqual([]);
    expect(attachmentNames({ attachment: '123_x.pdf|456_y z.txt' })).toEqual(['x.pdf', 'y z.txt']);
  });

  it('treats a guest ticket as guest-authored', () => {
    const thread = projectTicketThread(
      {
        ticketid: 9,
        tid: '123456',
        userid: 0,
        subject: 'Hi',
        status: 'Open',
        replies: [{ replyid: 0, requestor_type: 'Guest', requestor_name: 'Pat', message: 'Hello' }],
        notes: [{ noteid: 1, admin: 'Demo Admin', message: 'internal' }],
      },
      false,
    );
    expect(thread).toMatchObject({ client_id: null, requestor_type: 'guest', notes_included: false });
    expect(thread.messages.map((message) => message.kind)).toEqual(['reply']);
  });
});

describe('get_ticket_departments and list_support_statuses', () => {
  it('lists the seeded departments, with counts for admins only', async () => {
    const adminResult = await callOk(admin.client, 'get_ticket_departments', {});
    const departments = adminResult.departments as Array<{
      id: number;
      name: string;
      open_tickets: number | null;
    }>;
    expect(departments.map((department) => department.id).sort()).toEqual(
      Object.values(SEED_FACTS.departments).sort(),
    );
    expect(departments.find((department) => department.id === SEED_FACTS.departments.billing)!.name).toBe(
      admin.sandbox.state.departments.get(SEED_FACTS.departments.billing)!.name,
    );
    expect(departments.every((department) => typeof department.open_tickets === 'number')).toBe(true);
    const scopedResult = await callOk(scoped.client, 'get_ticket_departments', {});
    const scopedDepartments = scopedResult.departments as Array<{
      open_tickets: number | null;
      awaiting_reply: null;
    }>;
    expect(scopedDepartments.length).toBe(departments.length);
    expect(scopedDepartments.every((department) => department.open_tickets === null)).toBe(true);
  });

  it('lists the statuses, paged, with counts for admins only', async () => {
    const statuses = await walk<{ title: string; ticket_count: number | null }>(
      admin,
      'list_support_statuses',
      {},
      2,
    );
    expect(statuses.map((status) => status.title)).toEqual(
      admin.sandbox.state.ticketStatuses.map((status) => status.title),
    );
    const closed = [...admin.sandbox.state.tickets.values()].filter(
      (ticket) => ticket.status === 'Closed',
    ).length;
    expect(statuses.find((status) => status.title === 'Closed')!.ticket_count).toBe(closed);
    const scopedPage = await callOk(scoped.client, 'list_support_statuses', {});
    expect(
      (scopedPage.items as Array<{ ticket_count: null }>).every((status) => status.ticket_count === null),
    ).toBe(true);
  });

  it('refuses bad input naming the field', async () => {
    expect((await callError(admin.client, 'get_ticket_departments', { department: 1 })).message).toContain(
      'department',
    );
    for (const [args, field] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ department_id: -2 }, 'department_id'],
    ] as const) {
      const error = await callError(admin.client, 'list_support_statuses', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
  });
});

describe('get_ticket_counts', () => {
  it('counts tickets across the installation for admins', async () => {
    const counts = await callOk(admin.client, 'get_ticket_counts', {});
    const tickets = [...admin.sandbox.state.tickets.values()];
    const byStatus = counts.by_status as Array<{ status: string; count: number }>;
    expect(byStatus.find((entry) => entry.status === 'Closed')!.count).toBe(
      tickets.filter((ticket) => ticket.status === 'Closed').length,
    );
    expect(byStatus.reduce((sum, entry) => sum + entry.count, 0)).toBe(tickets.length);
    expect(counts.all_active).toEqual(expect.any(Number));
  });

  it('is neither listed nor callable in client mode', async () => {
    const { tools } = await scoped.client.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain('get_ticket_counts');
    expect((await callError(scoped.client, 'get_ticket_counts', {})).code).toBe('forbidden');
  });
});

describe('list_client_tickets', () => {
  it("walks the demo client's tickets with untrusted subjects and department names", async () => {
    const seeded = [...admin.sandbox.state.tickets.values()].filter((ticket) => ticket.clientId === demo.id);
    const items = await walk<TicketItem>(admin, 'list_client_tickets', { client_id: demo.id }, 1);
    expect(items.map((item) => item.id).sort((a, b) => a - b)).toEqual(
      seeded.map((ticket) => ticket.id).sort((a, b) => a - b),
    );
    for (const item of items) {
      expect(item.client_id).toBe(demo.id);
      expect(item.subject).toMatchObject({ untrusted: true, source: 'customer' });
      expect(item.department).toEqual(expect.any(String));
    }
  });

  it('filters by status, and refuses group statuses it cannot check', async () => {
    const closed = await callOk(admin.client, 'list_client_tickets', {
      client_id: demo.id,
      status: 'Closed',
    });
    expect((closed.items as TicketItem[]).map((item) => item.id)).toEqual([demo.tickets.closed]);
    expect(closed.total).toBe(1);
    const open = await callOk(admin.client, 'list_client_tickets', { client_id: demo.id, status: 'On Hold' });
    expect(open).toMatchObject({ items: [], total: 0, has_more: false });
    const group = await callError(admin.client, 'list_client_tickets', {
      client_id: demo.id,
      status: 'All Active Tickets',
    });
    expect(group.code).toBe('invalid_input');
    expect(group.message).toContain('status');
  });

  it('strips hidden characters from subjects', async () => {
    const ticket = admin.sandbox.state.tickets.get(demo.tickets.closed)!;
    const before = ticket.subject;
    ticket.subject = 'Question\u202E about \u200Bdomains';
    try {
      const page = await callOk(admin.client, 'list_client_tickets', {
        client_id: demo.id,
        status: 'Closed',
      });
      expect((page.items as TicketItem[])[0]!.subject.text).toBe('Question about domains');
    } finally {
      ticket.subject = before;
    }
  });

  it('answers a foreign client like a missing one in client mode', async () => {
    const foreign = await callError(scoped.client, 'list_client_tickets', { client_id: injection.clientId });
    const missing = await callError(scoped.client, 'list_client_tickets', { client_id: 9_999_999 });
    expect(foreign.code).toBe('not_found');
    expect(withoutId(foreign, injection.clientId)).toEqual(withoutId(missing, 9_999_999));
    const own = await callOk(scoped.client, 'list_client_tickets', { client_id: demo.id });
    expect((own.items as TicketItem[]).every((item) => item.client_id === demo.id)).toBe(true);
  });

  it('refuses bad input naming the field', async () => {
    for (const [args, field] of [
      [{ client_id: -1 }, 'client_id'],
      [{ client_id: demo.id, status: 'x'.repeat(10_000) }, 'status'],
      [{ client_id: demo.id, status: '' }, 'status'],
      [{ client_id: demo.id, limit: 0 }, 'limit'],
      [{ client_id: demo.id, limit: 101 }, 'limit'],
      [{ client_id: demo.id, offset: -5 }, 'offset'],
    ] as const) {
      const error = await callError(admin.client, 'list_client_tickets', args);
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
  });
});
