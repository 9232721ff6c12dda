/**
 * Every write façade end to end, through real SDK clients against the sandbox: the agent (stdio
 * principal) drafts and validates through the façade, a second principal with the approver role,
 * connected to the SAME runtime (one intent store), approves, the agent executes, and the sandbox
 * state shows the effect. The audit chain must verify after every write.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/principal.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { callError, callOk, startHarness, type Harness } from '../helpers/mcp-harness.js';

type Structured = Record<string, unknown>;

const demo = SEED_FACTS.demoClient;
const approverPrincipal: Principal = {
  id: 'consumer:alice',
  label: 'alice',
  roles: ['approver'],
  transport: 'http',
};

let agent: Harness;
let approver: Client;
let closeApprover: () => Promise<void>;

/** A second MCP connection on the same runtime, so both principals share one intent store. */
async function connect(runtime: Runtime, principal: Principal) {
  const server = runtime.createServer(() => principal);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: `whmcs-mcp-tests-${principal.label}`, version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

beforeAll(async () => {
  agent = await startHarness({ env: { MCP_MODE: 'full' } });
  const second = await connect(agent.runtime, approverPrincipal);
  approver = second.client;
  closeApprover = second.close;
});

afterAll(async () => {
  await closeApprover?.();
  await agent?.close();
});

function state() {
  return agent.sandbox.state;
}

interface Run {
  pending: Structured;
  approved: Structured;
  executed: Structured;
}

/**
 * The whole flow for one façade call: pending with an impact, approved by alice (the approval
 * lists her, with the transport's channel), executed by the agent; the audit chain verifies.
 */
async function runFacade(name: string, args: Structured, acknowledgements?: string[]): Promise<Run> {
  const pending = await callOk(agent.client, name, args);
  expect(pending.state, `${name}: ${JSON.stringify(pending.validation)}`).toBe('validated');
  expect(pending.tool).toBe(name);
  expect(pending.approvals_still_needed).toBe(1);
  expect(pending.approver_role_required).toBe('approver');
  const validation = pending.validation as Structured;
  expect((validation.impact as string[]).length).toBeGreaterThan(0);
  expect(validation.problems).toEqual([]);

  const approved = await callOk(approver, 'approve_write_intent', {
    intent_id: pending.id,
    reason: `checked the impact of ${name}`,
    ...(acknowledgements ? { acknowledgements } : {}),
  });
  expect(approved.state).toBe('approved');
  expect(approved.approvals).toEqual([
    { label: 'alice', channel: 'http', decision: 'approve', created_at: expect.any(String) as unknown },
  ]);

  const executed = await callOk(agent.client, 'execute_write_intent', { intent_id: pending.id });
  expect(executed.state, JSON.stringify(executed.error)).toBe('executed');
  expect((executed.result as Structured).simulated).toBe(false);
  expect(agent.runtime.store.verifyAudit().ok).toBe(true);
  return { pending, approved, executed };
}

function impactOf(intent: Structured): string {
  return ((intent.validation as Structured).impact as string[]).join('\n');
}

describe('client façades', () => {
  it('create_client adds the client (no password asked for or shown)', async () => {
    const email = 'ines.moreau@example.net';
    const { pending, executed } = await runFacade('create_client', {
      firstname: 'Inès',
      lastname: 'Moreau',
      email,
      address1: '12 Rue de la République',
      city: 'Lyon',
      state: 'Auvergne-Rhône-Alpes',
      postcode: '69001',
      country: 'fr',
      phonenumber: '+33 4 72 00 00 00',
      send_welcome_email: false,
      reason: 'New customer signed the contract by phone',
    });
    expect(pending.params).toMatchObject({ email, country: 'FR', noemail: true });
    expect(pending.params).not.toHaveProperty('password2');
    const created = [...state().clients.values()].find((client) => client.email === email);
    expect(created).toMatchObject({ firstname: 'Inès', country: 'FR', status: 'Active' });
    expect((executed.result as Structured).reply).toMatchObject({ clientid: created!.id });
  });

  it('update_client changes only the contact fields given', async () => {
    const before = { ...state().clients.get(demo.id)! };
    await runFacade('update_client', {
      client_id: demo.id,
      address1: '1 Harbour Street',
      phonenumber: '+46 31 000 00 00',
      reason: 'Client moved office',
    });
    const after = state().clients.get(demo.id)!;
    expect(after.address1).toBe('1 Harbour Street');
    expect(after.phonenumber).toBe('+46 31 000 00 00');
    expect(after.status).toBe(before.status);
    expect(after.email).toBe(before.email);
  });

  it('update_client refuses status and card fields as unknown, and needs one field', async () => {
    for (const field of ['status', 'cardnum', 'credit']) {
      const error = await callError(agent.client, 'update_client', {
        client_id: demo.id,
        [field]: 'x',
        reason: 'try',
      });
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain(field);
    }
    const empty = await callError(agent.client, 'update_client', { client_id: demo.id, reason: 'nothing' });
    expect(empty.code).toBe('invalid_input');
    expect(empty.message).toMatch(/at least one/);
  });

  it('add_client_note adds a sticky note', async () => {
    await runFacade('add_client_note', {
      client_id: demo.id,
      note: 'Prefers e-mail over phone calls.',
      sticky: true,
      reason: 'Record the preference',
    });
    const notes = [...state().clientNotes.values()].filter((note) => note.clientId === demo.id);
    expect(notes.at(-1)).toMatchObject({ note: 'Prefers e-mail over phone calls.', sticky: true });
  });
});

describe('billing façades', () => {
  it('add_credit adds credit and says so before and after', async () => {
    const before = state().clients.get(demo.id)!.credit;
    const { pending } = await runFacade('add_credit', {
      client_id: demo.id,
      amount: '10',
      reason: 'Goodwill for the outage',
    });
    expect(pending.params).toMatchObject({
      clientid: demo.id,
      amount: '10.00',
      description: 'Goodwill for the outage',
    });
    expect((pending.validation as Structured).cap_amount).toEqual({ amount: '10.00', currency: 'USD' });
    expect(impactOf(pending)).toMatch(/credit balance \d+\.\d{2} -> \d+\.\d{2} USD/);
    expect(state().clients.get(demo.id)!.credit).toBe(before + 1000n);
  });

  it('create_invoice creates the invoice with its lines', async () => {
    const { executed } = await runFacade('create_invoice', {
      client_id: demo.id,
      items: [
        { description: 'Migration work (2 hours)', amount: '120.00', taxed: false },
        { description: 'Loyalty discount', amount: '-20' },
      ],
      due_date: '2025-07-15',
      reason: 'Bill the migration done last week',
    });
    const invoiceId = Number(((executed.result as Structured).reply as Structured).invoiceid);
    const invoice = state().invoices.get(invoiceId)!;
    expect(invoice.clientId).toBe(demo.id);
    expect(invoice.status).toBe('Unpaid');
    expect(invoice.items.map((item) => [item.description, item.amount])).toEqual([
      ['Migration work (2 hours)', 12000n],
      ['Loyalty discount', -2000n],
    ]);
  });

  it('mark_invoice_paid without an amount pays the balance the rules read', async () => {
    const invoiceId = demo.invoices.unpaid;
    const { pending } = await runFacade('mark_invoice_paid', {
      invoice_id: invoiceId,
      gateway_transaction_id: 'BANK-2025-0612-001',
      gateway: 'banktransfer',
      date: '2025-06-12',
      reason: 'Bank transfer arrived',
    });
    expect(pending.params).not.toHaveProperty('amount');
    expect((pending.validation as Structured).cap_amount).toEqual({
      amount: demo.unpaidBalance,
      currency: 'USD',
    });
    expect(state().invoices.get(invoiceId)!.status).toBe('Paid');
  });

  it('apply_credit moves credit onto an unpaid invoice', async () => {
    const invoiceId = demo.invoices.overdue;
    const creditBefore = state().clients.get(demo.id)!.credit;
    const paidBefore = state().invoices.get(invoiceId)!.credit;
    await runFacade('apply_credit', {
      invoice_id: invoiceId,
      amount: '5.00',
      reason: 'Use part of the credit',
    });
    expect(state().clients.get(demo.id)!.credit).toBe(creditBefore - 500n);
    expect(state().invoices.get(invoiceId)!.credit).toBe(paidBefore + 500n);
  });

  it('record_refund records money out against the latest payment of the invoice', async () => {
    const invoiceId = demo.invoices.paid;
    const payments = [...state().transactions.values()].filter(
      (transaction) => transaction.invoiceId === invoiceId && transaction.amountIn > 0n,
    );
    const latest = payments.reduce((a, b) => (b.id > a.id ? b : a));
    const { pending } = await runFacade('record_refund', {
      invoice_id: invoiceId,
      transaction_id: latest.id,
      amount: '1.50',
      reason: 'Partial refund agreed with the client',
    });
    expect(pending.params).toMatchObject({
      invoiceid: invoiceId,
      amountout: '1.50',
      paymentmethod: latest.gateway,
    });
    const refund = [...state().transactions.values()].find(
      (transaction) => transaction.invoiceId === invoiceId && transaction.amountOut === 150n,
    );
    expect(refund).toMatchObject({ refundId: latest.id });
  });

  it('record_refund refuses a transaction that is not the payment WHMCS would refund', async () => {
    const foreignInvoice = [...state().transactions.values()].find(
      (transaction) => transaction.invoiceId !== demo.invoices.paid && transaction.invoiceId > 0,
    )!;
    const error = await callError(agent.client, 'record_refund', {
      invoice_id: demo.invoices.paid,
      transaction_id: foreignInvoice.id,
      amount: '1.00',
      reason: 'wrong transaction',
    });
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`Transaction ${foreignInvoice.id} was not found.`);
  });

  it('capture_payment charges the stored card for the balance WHMCS holds', async () => {
    // An unpaid invoice of a client whose stored card the sandbox gateway accepts.
    const invoice = [...state().invoices.values()].find((candidate) => {
      if (candidate.status !== 'Unpaid' || candidate.clientId === SEED_FACTS.failedCapture.clientId)
        return false;
      const gateway = state().gateways.get(candidate.paymentMethod);
      const cards = [...state().payMethods.values()].filter(
        (payMethod) => payMethod.clientId === candidate.clientId && payMethod.type !== 'BankAccount',
      );
      return gateway?.capturesCards === true && cards.some((card) => card.cardLastFour !== '0002');
    })!;
    expect(invoice).toBeDefined();
    const { pending } = await runFacade('capture_payment', {
      invoice_id: invoice.id,
      reason: 'Client asked us to retry',
    });
    expect(Object.keys(pending.params as Structured)).toEqual(['invoiceid']);
    expect(state().invoices.get(invoice.id)!.status).toBe('Paid');
  });
});

describe('order and service façades', () => {
  it('accept_order activates a pending order', async () => {
    const orderId = demo.orders.pending;
    await runFacade('accept_order', { order_id: orderId, send_emails: false, reason: 'Payment verified' });
    expect(state().orders.get(orderId)!.status).toBe('Active');
  });

  it('cancel_order cancels a pending order', async () => {
    const order = [...state().orders.values()].find((candidate) => candidate.status === 'Pending')!;
    expect(order).toBeDefined();
    await runFacade('cancel_order', { order_id: order.id, reason: 'Client withdrew the order' });
    expect(state().orders.get(order.id)!.status).toBe('Cancelled');
  });

  it('suspend_service, unsuspend_service and terminate_service move the service through its states', async () => {
    const serviceId = demo.services.active;
    await runFacade('suspend_service', {
      service_id: serviceId,
      suspension_reason: 'Abuse report',
      reason: 'Spam from this account',
    });
    expect(state().services.get(serviceId)).toMatchObject({
      status: 'Suspended',
      suspensionReason: 'Abuse report',
    });
    await runFacade('unsuspend_service', { service_id: serviceId, reason: 'Abuse resolved' });
    expect(state().services.get(serviceId)!.status).toBe('Active');
    const { pending } = await runFacade('terminate_service', {
      service_id: serviceId,
      reason: 'Client cancelled',
    });
    expect(pending.risk).toBe('high');
    expect(pending.effects).toEqual(expect.arrayContaining(['destructive']));
    expect(state().services.get(serviceId)!.status).toBe('Terminated');
  });
});

describe('domain façades', () => {
  it('register_domain registers a domain waiting for registration', async () => {
    const domain = [...state().domains.values()].find(
      (candidate) => candidate.status === 'Pending' || candidate.status === 'Pending Registration',
    )!;
    expect(domain).toBeDefined();
    await runFacade('register_domain', { domain_id: domain.id, reason: 'Order paid' });
    expect(state().domains.get(domain.id)!.status).toBe('Active');
  });

  it('renew_domain extends the expiry date', async () => {
    const domainId = demo.domains.active;
    const before = state().domains.get(domainId)!.expiryDate;
    await runFacade('renew_domain', {
      domain_id: domainId,
      years: 2,
      reason: 'Client renewed for two years',
    });
    const after = state().domains.get(domainId)!.expiryDate;
    expect(Number(after.slice(0, 4)) - Number(before.slice(0, 4))).toBe(2);
  });

  it('transfer_domain sends the EPP code to WHMCS and never shows it', async () => {
    const domainId = demo.domains.expired;
    const eppCode = 'Epp-Secret-7781!';
    const run = await runFacade('transfer_domain', {
      domain_id: domainId,
      epp_code: eppCode,
      reason: 'Client moves the domain to us',
    });
    expect(state().domains.get(domainId)).toMatchObject({ status: 'Pending Transfer', eppCode });
    expect((run.pending.params as Structured).eppcode).toBe('[redacted]');
    for (const result of [run.pending, run.approved, run.executed])
      expect(JSON.stringify(result)).not.toContain(eppCode);
    const fetched = await agent.client.callTool({
      name: 'get_write_intent',
      arguments: { intent_id: run.pending.id },
    });
    expect(JSON.stringify(fetched)).not.toContain(eppCode);
  });

  it('update_domain_nameservers sets the validated host names in order', async () => {
    const domainId = demo.domains.nearExpiry;
    await runFacade('update_domain_nameservers', {
      domain_id: domainId,
      nameservers: ['NS1.Example-DNS.net.', 'ns2.example-dns.net', 'ns3.example-dns.net'],
      reason: 'Client moved DNS hosting',
    });
    expect(state().domains.get(domainId)!.nameservers).toEqual([
      'ns1.example-dns.net',
      'ns2.example-dns.net',
      'ns3.example-dns.net',
    ]);
  });

  it('update_domain_nameservers refuses bad host names, duplicates and counts outside 2..5', async () => {
    const cases: unknown[] = [
      ['ns1.example.net'],
      [
        'ns1.example.net',
        'ns2.example.net',
        'ns3.example.net',
        'ns4.example.net',
        'ns5.example.net',
        'ns6.example.net',
      ],
      ['ns1.example.net', 'ns1.example.net'],
      ['ns1.example.net', 'not a host'],
      ['ns1.example.net', '-bad.example.net'],
      ['ns1.example.net', 'localhost'],
      ['ns1.example.net', `${'a'.repeat(64)}.example.net`],
    ];
    for (const nameservers of cases) {
      const error = await callError(agent.client, 'update_domain_nameservers', {
        domain_id: demo.domains.active,
        nameservers,
        reason: 'bad input',
      });
      expect(error.code, JSON.stringify(nameservers)).toBe('invalid_input');
      expect(error.message).toContain('nameservers');
    }
  });
});

describe('support façades', () => {
  it('create_ticket opens a ticket as the client', async () => {
    const before = state().tickets.size;
    await runFacade('create_ticket', {
      client_id: demo.id,
      department_id: SEED_FACTS.departments.technical,
      subject: 'Website slow since Monday',
      message: 'Opened on behalf of the client after a phone call.',
      priority: 'High',
      service_id: demo.services.suspended,
      reason: 'Client called the support line',
    });
    expect(state().tickets.size).toBe(before + 1);
    const ticket = [...state().tickets.values()].at(-1)!;
    expect(ticket).toMatchObject({
      clientId: demo.id,
      subject: 'Website slow since Monday',
      priority: 'High',
    });
  });

  it('reply_ticket posts a staff reply in admin mode', async () => {
    const ticketId = demo.tickets.customerReply;
    const before = state().tickets.get(ticketId)!.replies.length;
    await runFacade('reply_ticket', {
      ticket_id: ticketId,
      message: 'We have restarted the service; please check again.',
      reason: 'Answer the customer',
    });
    const ticket = state().tickets.get(ticketId)!;
    expect(ticket.replies.length).toBe(before + 1);
    expect(ticket.replies.at(-1)!.admin).not.toBe('');
    expect(ticket.status).toBe('Answered');
  });

  it('add_ticket_note adds a staff-only note', async () => {
    const ticketId = demo.tickets.answered;
    await runFacade('add_ticket_note', {
      ticket_id: ticketId,
      note: 'Escalated to level 2.',
      reason: 'Hand-over',
    });
    expect(state().tickets.get(ticketId)!.notes.at(-1)).toMatchObject({ message: 'Escalated to level 2.' });
  });

  it('update_ticket changes priority and status', async () => {
    const ticketId = demo.tickets.answered;
    await runFacade('update_ticket', {
      ticket_id: ticketId,
      priority: 'Low',
      status: 'On Hold',
      reason: 'Waiting for the client',
    });
    expect(state().tickets.get(ticketId)).toMatchObject({ priority: 'Low', status: 'On Hold' });
  });
});

describe('façade inputs', () => {
  it('refuses inexact or non-positive amounts, bad dates and missing reasons by field', async () => {
    const cases: Array<[string, Structured, string]> = [
      ['add_credit', { client_id: demo.id, amount: '10.005', reason: 'x' }, 'amount'],
      ['add_credit', { client_id: demo.id, amount: '0.00', reason: 'x' }, 'amount'],
      ['add_credit', { client_id: demo.id, amount: 10, reason: 'x' }, 'amount'],
      ['add_credit', { client_id: demo.id, amount: '1e3', reason: 'x' }, 'amount'],
      ['add_credit', { client_id: demo.id, amount: '10.00' }, 'reason'],
      ['add_credit', { client_id: demo.id, amount: '10.00', reason: 'x'.repeat(10_000) }, 'reason'],
      [
        'mark_invoice_paid',
        { invoice_id: 4, gateway_transaction_id: 'a', date: '2025-02-30', reason: 'x' },
        'date',
      ],
      ['capture_payment', { invoice_id: 4, amount: '1.00', reason: 'x' }, 'amount'],
      ['update_ticket', { ticket_id: demo.tickets.answered, reason: 'x' }, '(arguments): give at least one'],
      ['create_invoice', { client_id: demo.id, items: [], reason: 'x' }, 'items'],
      [
        'create_invoice',
        {
          client_id: demo.id,
          items: [{ description: 'a', amount: '1.00' }],
          draft: true,
          send_invoice: true,
          reason: 'x',
        },
        'send_invoice',
      ],
      [
        'create_ticket',
        {
          client_id: 1,
          department_id: 1,
          subject: 's',
          message: 'm',
          service_id: 1,
          domain_id: 1,
          reason: 'x',
        },
        'domain_id',
      ],
    ];
    for (const [tool, args, field] of cases) {
      const before = agent.sandbox.stats().requests;
      const error = await callError(agent.client, tool, args);
      expect(error.code, `${tool} ${field}`).toBe('invalid_input');
      expect(error.message, `${tool} ${field}`).toContain(field);
      expect(agent.sandbox.stats().requests).toBe(before);
    }
  });

  it('answers a missing entity as not found, before drafting anything', async () => {
    const before = agent.runtime.store.listIntents({ limit: 1, offset: 0 }).total;
    for (const [tool, args, message] of [
      ['add_credit', { client_id: 987_654, amount: '1.00', reason: 'x' }, 'Client 987654 was not found.'],
      ['capture_payment', { invoice_id: 987_654, reason: 'x' }, 'Invoice 987654 was not found.'],
      ['suspend_service', { service_id: 987_654, reason: 'x' }, 'Service 987654 was not found.'],
      ['renew_domain', { domain_id: 987_654, reason: 'x' }, 'Domain 987654 was not found.'],
      ['cancel_order', { order_id: 987_654, reason: 'x' }, 'Order 987654 was not found.'],
      ['add_ticket_note', { ticket_id: 987_654, note: 'n', reason: 'x' }, 'Ticket 987654 was not found.'],
    ] as const) {
      const error = await callError(agent.client, tool, args);
      expect(error, tool).toMatchObject({ code: 'not_found', message });
    }
    expect(agent.runtime.store.listIntents({ limit: 1, offset: 0 }).total).toBe(before);
  });

  it('returns the existing intent for a repeated idempotency key and refuses it for other parameters', async () => {
    const args = {
      client_id: demo.id,
      note: 'Idempotent note',
      reason: 'retry-safe',
      idempotency_key: 'note-2025-06-15-1',
    };
    const first = await callOk(agent.client, 'add_client_note', args);
    const again = await callOk(agent.client, 'add_client_note', args);
    expect(again.id).toBe(first.id);
    const conflict = await callError(agent.client, 'add_client_note', { ...args, note: 'Something else' });
    expect(conflict.code).toBe('conflict');
  });
});
