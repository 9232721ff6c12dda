/**
 * The service, domain, support and client write rules against the sandbox over HTTP with the real
 * engine: for each action the impact and snapshot a valid draft shows, the readable problem an
 * invalid one gets, a full run (approved by a second principal) that changes the sandbox, and an
 * audit chain that verifies. Also: credentials (EPP code, client password) never shown, foreign
 * entities answered like missing ones, state that moves between approval and execution, the
 * registrar price as the amount the caps count, and unknown outcomes settled by reading WHMCS
 * (replies and notes found by a digest of their text).
 */
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import { formatCents, parseCents } from '../../src/money.js';
import { ClientScope } from '../../src/policy/client-scope.js';
import type { Principal } from '../../src/policy/principal.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { WhmcsClient } from '../../src/whmcs/client.js';
import { WriteFlow, type IntentView, type WriteSettings } from '../../src/writes/engine.js';
import type { RulesContext } from '../../src/writes/rules.js';
import { RECONCILE_SETTLE_MS } from '../../src/writes/rules/billing-common.js';
import { WRITE_RULES } from '../../src/writes/rules/index.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';

const agent: Principal = { id: 'agent', label: 'agent', roles: ['reader', 'operator'], transport: 'stdio' };
const alice: Principal = { id: 'operator:alice', label: 'alice', roles: ['approver'], transport: 'cli' };
const bob: Principal = { id: 'operator:bob', label: 'bob', roles: ['approver'], transport: 'cli' };
const admin = ClientScope.admin();
const demo = SEED_FACTS.demoClient;
const euro = SEED_FACTS.euroClient;
const departments = SEED_FACTS.departments;

let sandbox: RunningSandbox;
let whmcs: WhmcsClient;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  whmcs = new WhmcsClient({
    apiUrl: sandbox.url,
    identifier: sandbox.identifier,
    secret: sandbox.secret,
    allowHttp: true,
    rateLimitPerSecond: 1000,
    maxConcurrency: 8,
  });
});
afterAll(async () => {
  await whmcs.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.reset();
});

const baseSettings: WriteSettings = {
  mode: 'full',
  environment: 'test',
  writesDisabled: false,
  writeAllowlist: [],
  perActionCap: null,
  dailyCap: null,
  approvalTtlMs: 15 * 60_000,
  intentTtlMs: 24 * 3_600_000,
  autoApproveLowRisk: false,
  dualApprovalThreshold: null,
  largeRefundThreshold: '1000.00',
};

/** A flow whose clock can be moved forward (for the reconcile settle time). */
function makeFlow(settings: Partial<WriteSettings> = {}) {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const store = new SqliteIntentStore({ path: ':memory:', now });
  const flow = new WriteFlow({
    store,
    whmcs,
    settings: { ...baseSettings, ...settings },
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
    now,
  });
  return {
    store,
    flow,
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

type Flow = ReturnType<typeof makeFlow>['flow'];

async function validated(
  flow: Flow,
  action: string,
  params: Record<string, unknown>,
  scope: ClientScope = admin,
): Promise<IntentView> {
  const draft = flow.draft(agent, scope, { action, params, reason: 'operations rules test', tool: 'test' });
  return flow.validate(agent, scope, draft.id);
}

/** Draft, validate, approve by a second principal, execute. */
async function run(flow: Flow, action: string, params: Record<string, unknown>): Promise<IntentView> {
  const intent = await validated(flow, action, params);
  expect(intent.state, JSON.stringify(intent.validation?.problems)).toBe('validated');
  const approved = flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
  expect(approved.state).toBe('approved');
  return flow.execute(agent, admin, intent.id);
}

async function refusal(work: () => unknown): Promise<WhmcsMcpError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof WhmcsMcpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function rulesContext(scope: ClientScope): RulesContext {
  return {
    whmcs: { call: (action, params) => whmcs.call(action, params) },
    scope,
    now: () => new Date(),
    largeRefundThreshold: '1000.00',
  };
}

function rulesFor(action: string) {
  const rules = WRITE_RULES.get(action);
  if (!rules) throw new Error(`no rules for ${action}`);
  return rules;
}

function expectAuditIntact(store: SqliteIntentStore): void {
  const verification = store.verifyAudit();
  expect(verification.ok, verification.problem ?? '').toBe(true);
}

function auditText(store: SqliteIntentStore): string {
  return JSON.stringify(store.listAudit({ limit: 500, offset: 0 }).items);
}

function calls(action: string): number {
  return sandbox.stats().actions[action] ?? 0;
}

function service(id: number) {
  const found = sandbox.state.services.get(id);
  if (!found) throw new Error(`no service ${id}`);
  return found;
}

function domain(id: number) {
  const found = sandbox.state.domains.get(id);
  if (!found) throw new Error(`no domain ${id}`);
  return found;
}

function ticket(id: number) {
  const found = sandbox.state.tickets.get(id);
  if (!found) throw new Error(`no ticket ${id}`);
  return found;
}

function client(id: number) {
  const found = sandbox.state.clients.get(id);
  if (!found) throw new Error(`no client ${id}`);
  return found;
}

function invoice(id: number) {
  const found = sandbox.state.invoices.get(id);
  if (!found) throw new Error(`no invoice ${id}`);
  return found;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A YYYY-MM-DD date plus whole years, 29 February becoming the 28th. */
function plusYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y + years, m - 1, d));
  if (date.getUTCMonth() !== m - 1) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}

/** A TLD price as GetTLDPricing gives it for the client, read independently of the rules. */
async function tldPrice(clientId: number, tld: string, kind: string, years: number): Promise<string> {
  const reply = await whmcs.call('GetTLDPricing', { clientid: clientId });
  const pricing = reply.pricing as Record<string, Record<string, Record<string, string>>>;
  const price = pricing[tld]?.[kind]?.[String(years)];
  if (price === undefined) throw new Error(`no ${kind} price for .${tld}`);
  return price;
}

const demoLabel = `client ${demo.id} (${demo.firstname} ${demo.lastname})`;

describe('the registry', () => {
  it('has rules for every service, domain, support and client action this file covers', () => {
    for (const action of [
      'ModuleCreate',
      'ModuleSuspend',
      'ModuleUnsuspend',
      'ModuleTerminate',
      'DomainRegister',
      'DomainRenew',
      'DomainTransfer',
      'DomainUpdateNameservers',
      'OpenTicket',
      'AddTicketReply',
      'AddTicketNote',
      'UpdateTicket',
      'AddClient',
      'UpdateClient',
      'AddClientNote',
      'CloseClient',
    ]) {
      expect(rulesFor(action).action).toBe(action);
      expect(rulesFor(action).summarize).toBeTypeOf('function');
    }
  });
});

// ---- services ----------------------------------------------------------------------------------------

describe('ModuleSuspend', () => {
  const params = { serviceid: demo.services.active, suspendreason: 'Overdue invoice' };

  it('shows the status change with the reason, the addons that follow, and snapshots the statuses', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'ModuleSuspend', params);
    expect(intent.state).toBe('validated');
    expect(intent.validation?.impact).toEqual([
      `service 1 (Business, lindqvistdesign.com) of ${demoLabel}: status Active -> Suspended, reason "Overdue invoice".`,
      'The product module suspends the account on server Pluto: its websites, mail and logins stop until it is unsuspended.',
      'Addon 1 (Daily Backups) of service 1: status Active -> Suspended.',
    ]);
    expect(intent.validation?.snapshot).toEqual({
      service_status: 'Active',
      client_status: 'Active',
      product_module: 'cpanel',
    });
    expect(intent.validation?.cap_amount).toBeNull();
    // GetClientsProducts returns the service password; nothing of it is kept.
    expect(JSON.stringify(intent.validation)).not.toContain(service(demo.services.active).password);
  });

  it('refuses a service that is not Active, one without a module, and a foreign one like a missing one', async () => {
    const { flow } = makeFlow();
    const suspended = await validated(flow, 'ModuleSuspend', { serviceid: demo.services.suspended });
    expect(suspended.state).toBe('invalid');
    expect(suspended.validation?.problems).toEqual([
      'Service 2 is Suspended; only an Active service can be suspended.',
    ]);
    const certificate = [...sandbox.state.services.values()].find(
      (row) => row.productId === SEED_FACTS.products.sslCertificate && row.status === 'Active',
    );
    expect(certificate).toBeDefined();
    const moduleless = await validated(flow, 'ModuleSuspend', { serviceid: certificate!.id });
    expect(moduleless.validation?.problems).toEqual([
      `Service ${certificate!.id} is a RapidSSL Certificate without a provisioning module; WHMCS refuses module commands for it.`,
    ]);
    const rules = rulesFor('ModuleSuspend');
    const foreign = await rules.check(params, rulesContext(ClientScope.clients([euro.id])));
    const missing = await rules.check({ serviceid: 999_999 }, rulesContext(admin));
    expect(foreign.problems).toEqual(['Service 1 was not found.']);
    expect(missing.problems).toEqual(['Service 999999 was not found.']);
    expect(foreign.snapshot).toEqual({});
  });

  it('suspends the service and its addon once, and audits every step', async () => {
    const { flow, store } = makeFlow();
    const executed = await run(flow, 'ModuleSuspend', params);
    expect(executed.state).toBe('executed');
    expect(executed.result?.summary).toBe('Service 1 suspended (reason "Overdue invoice").');
    expect(service(demo.services.active).status).toBe('Suspended');
    expect(service(demo.services.active).suspensionReason).toBe('Overdue invoice');
    expect(sandbox.state.serviceAddons.get(demo.addonId)?.status).toBe('Suspended');
    expect(calls('ModuleSuspend')).toBe(1);
    expectAuditIntact(store);
  });

  it('settles an unknown outcome by the service status: executed when suspended, failed when it stayed Active', async () => {
    const { flow, advance } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'ModuleSuspend' }] });
    const lost = await run(flow, 'ModuleSuspend', params);
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toBe('Reconciled as executed: Service 1 is Suspended.');

    sandbox.reset();
    sandbox.faults.set({ next: [{ fault: 'serverError', action: 'ModuleSuspend' }] });
    const refused = await run(flow, 'ModuleSuspend', params);
    expect(refused.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, refused.id)).state).toBe('unknown');
    advance(RECONCILE_SETTLE_MS + 1_000);
    const failed = await flow.reconcile(agent, admin, refused.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.message).toBe('Service 1 is still Active.');
  });
});

describe('ModuleUnsuspend', () => {
  it('shows the reason being cleared and warns about the unpaid invoice behind the suspension', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'ModuleUnsuspend', { serviceid: demo.services.suspended });
    const overdue = invoice(demo.invoices.overdue);
    expect(intent.validation?.impact).toEqual([
      `service 2 (VPS Small, build.lindqvistdesign.com) of ${demoLabel}: status Suspended -> Active; the suspension reason "Overdue on Payment" is cleared.`,
      'The product module unsuspends the account on server Orion.',
    ]);
    expect(intent.validation?.warnings).toEqual([
      `Still unpaid for this service: invoice 3 (${demo.overdueBalance} USD owed, due ${overdue.dueDate}). WHMCS's daily automation may suspend it again while they stay overdue.`,
    ]);
    expect(intent.validation?.snapshot).toMatchObject({
      service_status: 'Suspended',
      unpaid_invoices_for_service: `3:${demo.overdueBalance}`,
    });
  });

  it('refuses an Active service and unsuspends a suspended one', async () => {
    const { flow, store } = makeFlow();
    const active = await validated(flow, 'ModuleUnsuspend', { serviceid: demo.services.active });
    expect(active.validation?.problems).toEqual([
      'Service 1 is Active; only a Suspended service can be unsuspended.',
    ]);
    const executed = await run(flow, 'ModuleUnsuspend', { serviceid: demo.services.suspended });
    expect(executed.state).toBe('executed');
    expect(service(demo.services.suspended).status).toBe('Active');
    expect(service(demo.services.suspended).suspensionReason).toBe('');
    expectAuditIntact(store);
  });
});

describe('ModuleTerminate', () => {
  it('lists the unpaid invoices that bill the service and says termination is irreversible', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'ModuleTerminate', { serviceid: demo.services.suspended });
    const overdue = invoice(demo.invoices.overdue);
    const othersOwed = formatCents(
      sandbox.state.invoiceBalance(invoice(demo.invoices.unpaid)) +
        sandbox.state.invoiceBalance(invoice(demo.invoices.pendingOrder)),
    );
    expect(intent.validation?.impact).toEqual([
      `service 2 (VPS Small, build.lindqvistdesign.com) of ${demoLabel}: status Suspended -> Terminated.`,
      'Irreversible: the product module deprovisions the account on server Orion, deleting its files, databases and mail; WHMCS cannot restore them.',
    ]);
    expect(intent.validation?.warnings).toEqual([
      `Unpaid invoices bill this service: invoice 3 (${demo.overdueBalance} USD owed, due ${overdue.dueDate}). Terminating neither collects nor cancels them; cancel or pursue them separately.`,
      `${demoLabel} has 2 other unpaid invoice(s) (4, 8), ${othersOwed} USD owed in all.`,
      'Take a backup first if the data may be needed: a terminated account cannot be unsuspended.',
    ]);
    expect(intent.validation?.snapshot).toEqual({
      service_status: 'Suspended',
      client_status: 'Active',
      product_module: 'virtualizor',
      unpaid_invoices_for_service: `3:${demo.overdueBalance}`,
    });
  });

  it('refuses a service already terminated, and refuses to run when the unpaid invoices moved after approval', async () => {
    const { flow } = makeFlow();
    const terminated = await validated(flow, 'ModuleTerminate', { serviceid: demo.services.terminated });
    expect(terminated.validation?.problems).toEqual(['Service 3 is already Terminated.']);

    const intent = await validated(flow, 'ModuleTerminate', { serviceid: demo.services.suspended });
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    // The client pays part of the invoice that bills the service: what the approver read no longer holds.
    await whmcs.call('AddInvoicePayment', {
      invoiceid: demo.invoices.overdue,
      amount: '5.00',
      transid: 'CARD-RETRY-1',
      gateway: 'stripe',
      date: `${today()} 10:00:00`,
    });
    const error = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(error.code).toBe('conflict');
    expect(error.details?.changed).toEqual(['unpaid_invoices_for_service']);
    expect(service(demo.services.suspended).status).toBe('Suspended');
    expect(calls('ModuleTerminate')).toBe(0);
  });

  it('terminates the service and leaves its invoice unpaid', async () => {
    const { flow, store } = makeFlow();
    const executed = await run(flow, 'ModuleTerminate', { serviceid: demo.services.suspended });
    expect(executed.state).toBe('executed');
    expect(executed.result?.summary).toBe('Service 2 terminated on its server.');
    expect(service(demo.services.suspended).status).toBe('Terminated');
    expect(invoice(demo.invoices.overdue).status).toBe('Unpaid');
    expectAuditIntact(store);
  });
});

describe('ModuleCreate', () => {
  it('provisions a Pending service, warning that its invoice is unpaid, and refuses an Active one', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'ModuleCreate', { serviceid: demo.services.pending });
    expect(intent.validation?.impact[0]).toBe(
      `service 4 (Starter, lindqvist-studio.io) of ${demoLabel}: status Pending -> Active.`,
    );
    expect(intent.validation?.snapshot).toEqual({
      service_status: 'Pending',
      client_status: 'Active',
      product_module: 'cpanel',
      unpaid_invoices_for_service: `8:${demo.pendingOrderBalance}`,
    });
    expect(intent.validation?.warnings).toEqual([
      `Provisioning before payment: invoice 8 (${demo.pendingOrderBalance} USD owed, due ${invoice(demo.invoices.pendingOrder).dueDate}) still unpaid for this service.`,
    ]);
    const active = await validated(flow, 'ModuleCreate', { serviceid: demo.services.active });
    expect(active.validation?.problems).toEqual([
      'Service 1 is Active: its account already exists, so the module cannot create it.',
    ]);
    const executed = await run(flow, 'ModuleCreate', { serviceid: demo.services.pending });
    expect(executed.state).toBe('executed');
    expect(service(demo.services.pending).status).toBe('Active');
    expectAuditIntact(store);
  });
});

// ---- domains -----------------------------------------------------------------------------------------

describe('DomainRenew', () => {
  it('shows the expiry date moving by regperiod years and caps on the registrar spend at the TLD price', async () => {
    const { flow } = makeFlow();
    const before = domain(demo.domains.nearExpiry).expiryDate;
    const price = await tldPrice(demo.id, 'com', 'renew', 2);
    const intent = await validated(flow, 'DomainRenew', { domainid: demo.domains.nearExpiry, regperiod: 2 });
    expect(intent.validation?.impact).toEqual([
      `domain 1 lindqvistdesign.com of ${demoLabel}: expiry date ${before} -> ${plusYears(before, 2)} (renewed for 2 years at enom).`,
    ]);
    expect(intent.validation?.warnings).toEqual([
      `Registrar spend: enom charges for this renew of 2 years; the .com renew price is ${price} USD in ${demoLabel}'s currency (GetTLDPricing), counted against the per-action and daily caps. This call does not invoice the client.`,
    ]);
    expect(intent.validation?.cap_amount).toEqual({ amount: price, currency: 'USD' });
    expect(intent.validation?.snapshot).toEqual({
      domain_status: 'Active',
      client_status: 'Active',
      expiry_date: before,
      renew_price: price,
    });
  });

  it("prices in the client's own currency", async () => {
    const { flow } = makeFlow();
    const euroDomain = [...sandbox.state.domains.values()].find((row) => row.clientId === euro.id)!;
    const price = await tldPrice(euro.id, 'de', 'renew', 1);
    const intent = await validated(flow, 'DomainRenew', { domainid: euroDomain.id });
    expect(intent.validation?.warnings[0]).toContain(`the .de renew price is ${price} EUR`);
  });

  it('refuses a domain that cannot be renewed and a period past ten years', async () => {
    const { flow } = makeFlow();
    const pending = await validated(flow, 'DomainRenew', { domainid: demo.domains.pending });
    expect(pending.validation?.problems).toEqual([
      'Domain 4 (lindqvist-studio.io) is Pending; only an Active, Grace, Redemption or Expired domain can be renewed.',
    ]);
    const long = await validated(flow, 'DomainRenew', { domainid: demo.domains.active, regperiod: 11 });
    expect(long.validation?.problems).toEqual(['The renewal period must be 1 to 10 whole years.']);
  });

  it('renews an expired domain, marked do-not-renew, and moves its expiry date', async () => {
    const { flow, store } = makeFlow();
    const before = domain(demo.domains.expired).expiryDate;
    const intent = await validated(flow, 'DomainRenew', { domainid: demo.domains.expired });
    expect(intent.validation?.impact).toContain('Status Expired -> Active.');
    expect(intent.validation?.warnings).toContain(
      'Domain 3 is marked "do not renew" in WHMCS: the client asked not to renew it.',
    );
    const executed = await run(flow, 'DomainRenew', { domainid: demo.domains.expired });
    expect(executed.state).toBe('executed');
    expect(domain(demo.domains.expired).expiryDate).toBe(plusYears(before, 1));
    expect(domain(demo.domains.expired).status).toBe('Active');
    expectAuditIntact(store);
  });

  it('settles an unknown renewal by the expiry date having moved', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'DomainRenew' }] });
    const lost = await run(flow, 'DomainRenew', { domainid: demo.domains.active });
    expect(lost.state).toBe('unknown');
    const before = lost.validation?.snapshot.expiry_date as string;
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toBe(
      `Reconciled as executed: Domain 2 now expires ${plusYears(before, 1)} (was ${before}).`,
    );
  });

  it('counts the registrar price against the per-action cap', async () => {
    const price = await tldPrice(demo.id, 'com', 'renew', 1);
    const { flow } = makeFlow({ perActionCap: '5.00' });
    const intent = await validated(flow, 'DomainRenew', { domainid: demo.domains.nearExpiry });
    expect(intent.validation?.cap_amount).toEqual({ amount: price, currency: 'USD' });
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    const error = await refusal(() => flow.execute(agent, admin, intent.id));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(`${price} USD is above the per-action cap of 5.00.`);
    expect(calls('DomainRenew')).toBe(0);
  });

  it("adds an executed renewal to today's total, so the daily cap stops the next one", async () => {
    const first = await tldPrice(demo.id, 'com', 'renew', 1);
    const second = await tldPrice(demo.id, 'net', 'renew', 1);
    const { flow } = makeFlow({ perActionCap: '20.00', dailyCap: '20.00' });
    expect((await run(flow, 'DomainRenew', { domainid: demo.domains.nearExpiry })).state).toBe('executed');
    const next = await validated(flow, 'DomainRenew', { domainid: demo.domains.active });
    flow.approve(alice, admin, next.id, { reason: 'checked', channel: 'cli' });
    const error = await refusal(() => flow.execute(agent, admin, next.id));
    expect(error.code).toBe('forbidden');
    const total = formatCents(parseCents(first)! + parseCents(second)!);
    expect(error.message).toBe(
      `${second} USD would bring today's total to ${total}, above the daily cap of 20.00.`,
    );
    expect(calls('DomainRenew')).toBe(1);
  });

  it('needs two approvers when the registrar price reaches the dual-approval threshold', async () => {
    const price = await tldPrice(demo.id, 'com', 'renew', 2);
    const { flow } = makeFlow({ dualApprovalThreshold: price });
    const intent = await validated(flow, 'DomainRenew', { domainid: demo.domains.nearExpiry, regperiod: 2 });
    expect(intent.approvals_required).toBe(2);
    expect(flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' }).state).toBe(
      'validated',
    );
    expect(flow.approve(bob, admin, intent.id, { reason: 'checked', channel: 'cli' }).state).toBe('approved');
    const cheaper = await validated(flow, 'DomainRenew', { domainid: demo.domains.nearExpiry, regperiod: 1 });
    expect(cheaper.approvals_required).toBe(1);
  });

  it('refuses a renewal for a period WHMCS lists no price for, since the caps could not count it', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'DomainRenew', { domainid: demo.domains.nearExpiry, regperiod: 4 });
    expect(intent.state).toBe('invalid');
    expect(intent.validation?.problems).toEqual([
      'DomainRenew spends money at enom, but GetTLDPricing lists no renew price for .com for 4 years in USD, so the per-action and daily caps cannot count it; it can run once WHMCS lists that price.',
    ]);
    expect(intent.validation?.snapshot.renew_price).toBeNull();
    expect(intent.validation?.cap_amount).toBeNull();
  });
});

describe('DomainRegister', () => {
  it('registers a pending domain for its period, warning of the price and the unpaid order invoice', async () => {
    const { flow, store } = makeFlow();
    const price = await tldPrice(demo.id, 'io', 'register', 1);
    const intent = await validated(flow, 'DomainRegister', { domainid: demo.domains.pending });
    expect(intent.validation?.impact).toEqual([
      `domain 4 lindqvist-studio.io of ${demoLabel}: status Pending -> Active, registered for 1 year at the default registrar.`,
      `Expiry date (none) -> ${plusYears(today(), 1)}.`,
    ]);
    expect(intent.validation?.warnings).toContain(
      `Registering before payment: invoice 8 (${demo.pendingOrderBalance} USD owed, due ${invoice(demo.invoices.pendingOrder).dueDate}) still unpaid for this domain.`,
    );
    expect(intent.validation?.warnings[0]).toContain(`the .io register price is ${price} USD`);
    expect(intent.validation?.snapshot).toMatchObject({ domain_status: 'Pending', register_price: price });
    expect(intent.validation?.cap_amount).toEqual({ amount: price, currency: 'USD' });

    const registered = await validated(flow, 'DomainRegister', { domainid: demo.domains.active });
    expect(registered.validation?.problems).toEqual([
      'Domain 2 (lindqvist.net) is Active: it is already registered.',
    ]);
    const executed = await run(flow, 'DomainRegister', { domainid: demo.domains.pending });
    expect(executed.state).toBe('executed');
    expect(domain(demo.domains.pending).status).toBe('Active');
    expect(domain(demo.domains.pending).expiryDate).toBe(plusYears(today(), 1));
    expectAuditIntact(store);
  });
});

describe('DomainTransfer', () => {
  const eppCode = 'EPP-Secret-7731';

  it('never shows the EPP code in the impact, warnings, snapshot, summary or audit', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'DomainTransfer', {
      domain: 'lindqvist-studio.io',
      eppcode: eppCode,
    });
    expect(intent.state).toBe('validated');
    expect(intent.entity).toEqual({ kind: 'domain', id: 'lindqvist-studio.io', client_id: null });
    expect(intent.validation?.impact).toEqual([
      `domain 4 lindqvist-studio.io of ${demoLabel}: status Pending -> Pending Transfer; the default registrar asks the current registrar to release it.`,
      'An EPP code is given (a credential: not shown).',
    ]);
    const price = await tldPrice(demo.id, 'io', 'transfer', 1);
    expect(intent.validation?.snapshot).toEqual({
      domain_status: 'Pending',
      client_status: 'Active',
      transfer_price: price,
    });
    expect(intent.validation?.cap_amount).toEqual({ amount: price, currency: 'USD' });
    expect(JSON.stringify(intent.validation)).not.toContain(eppCode);
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    const executed = await flow.execute(agent, admin, intent.id);
    expect(executed.state).toBe('executed');
    expect(executed.result?.summary).toBe('Transfer of domain lindqvist-studio.io requested.');
    expect(JSON.stringify(executed.result)).not.toContain(eppCode);
    expect(auditText(store)).not.toContain(eppCode);
    expect(domain(demo.domains.pending).status).toBe('Pending Transfer');
    expect(domain(demo.domains.pending).eppCode).toBe(eppCode);
    expectAuditIntact(store);
  });

  it('refuses a domain already active here and warns when no EPP code is given', async () => {
    const { flow } = makeFlow();
    const active = await validated(flow, 'DomainTransfer', { domainid: demo.domains.active });
    expect(active.validation?.problems).toEqual([
      'Domain 2 (lindqvist.net) is Active; it is already active in this account.',
    ]);
    const bare = await validated(flow, 'DomainTransfer', { domainid: demo.domains.pending });
    expect(bare.validation?.warnings).toContain(
      'Most registries refuse a transfer without the EPP (authorisation) code.',
    );
  });
});

describe('DomainUpdateNameservers', () => {
  const params = {
    domainid: demo.domains.nearExpiry,
    ns1: 'ns1.example-dns.net',
    ns2: 'ns2.example-dns.net',
    ns3: 'ns3.example-dns.net',
  };

  it('shows the nameservers read from the registrar before -> after and sets them', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'DomainUpdateNameservers', params);
    expect(intent.validation?.impact).toEqual([
      `domain 1 lindqvistdesign.com of ${demoLabel}: nameservers ns1.sandbox.example, ns2.sandbox.example -> ns1.example-dns.net, ns2.example-dns.net, ns3.example-dns.net.`,
    ]);
    expect(intent.validation?.snapshot).toEqual({
      domain_status: 'Active',
      client_status: 'Active',
      nameservers: 'ns1.sandbox.example,ns2.sandbox.example',
    });
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(domain(demo.domains.nearExpiry).nameservers).toEqual([
      'ns1.example-dns.net',
      'ns2.example-dns.net',
      'ns3.example-dns.net',
    ]);
    expectAuditIntact(store);
  });

  it('refuses names that are not host names, an unchanged list and a domain that is not active', async () => {
    const { flow } = makeFlow();
    const bad = await validated(flow, 'DomainUpdateNameservers', {
      domainid: demo.domains.nearExpiry,
      ns1: 'localhost',
      ns2: 'ns2..example.net',
      ns3: '-ns3.example.net',
    });
    expect(bad.validation?.problems).toEqual([
      'Not valid host names: "localhost", "ns2..example.net", "-ns3.example.net".',
    ]);
    const same = await validated(flow, 'DomainUpdateNameservers', {
      domainid: demo.domains.nearExpiry,
      ns1: 'NS1.sandbox.example',
      ns2: 'ns2.sandbox.example.',
    });
    expect(same.validation?.problems).toEqual(['Domain 1 already uses exactly these nameservers.']);
    const expired = await validated(flow, 'DomainUpdateNameservers', {
      ...params,
      domainid: demo.domains.expired,
    });
    expect(expired.validation?.problems).toEqual([
      'Domain 3 (zoe-portfolio.org) is Expired; nameservers can only be changed while it is Active.',
    ]);
  });

  it('settles an unknown update by reading the nameservers back', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'truncated', action: 'DomainUpdateNameservers' }] });
    const lost = await run(flow, 'DomainUpdateNameservers', params);
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toBe(
      'Reconciled as executed: Domain 1 reports the requested nameservers.',
    );
  });
});

// ---- support -----------------------------------------------------------------------------------------

describe('OpenTicket', () => {
  const params = {
    deptid: departments.billing,
    clientid: demo.id,
    subject: 'Question about invoice 3',
    message: 'Hello, could you explain the charge on invoice 3?',
    priority: 'high',
  };

  it('checks the department and the client, and warns that WHMCS e-mails the client', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'OpenTicket', params);
    expect(intent.validation?.impact).toEqual([
      `New ticket in Billing for ${demoLabel}: subject "Question about invoice 3", priority High, status Open, opened as the requester.`,
      'Opening message (49 characters: "Hello, could you explain the charge on invoice 3?").',
    ]);
    expect(intent.validation?.warnings).toEqual([
      `WHMCS e-mails ${demoLabel} that the ticket was opened (customer e-mail); set noemail to prevent it.`,
    ]);
    expect(intent.validation?.snapshot).toEqual({
      department: '2:Billing',
      client_status: 'Active',
      same_tickets: '',
    });
    const quiet = await validated(flow, 'OpenTicket', { ...params, noemail: true });
    expect(quiet.validation?.warnings).toEqual([]);
  });

  it('refuses a missing department, a foreign client like a missing one, and a service of another client', async () => {
    const { flow } = makeFlow();
    const nowhere = await validated(flow, 'OpenTicket', { ...params, deptid: 99 });
    expect(nowhere.validation?.problems).toEqual(['Department 99 was not found.']);
    const scoped = ClientScope.clients([euro.id]);
    const foreign = await rulesFor('OpenTicket').check(params, rulesContext(scoped));
    expect(foreign.problems).toEqual(['Client 1 was not found.']);
    const euroService = [...sandbox.state.services.values()].find((row) => row.clientId === euro.id)!;
    const crossed = await validated(flow, 'OpenTicket', { ...params, serviceid: euroService.id });
    expect(crossed.validation?.problems).toEqual([`Service ${euroService.id} was not found.`]);
  });

  it('opens the ticket and e-mails the client; a second identical draft is flagged as a possible duplicate', async () => {
    const { flow, store } = makeFlow();
    const emailsBefore = sandbox.state.emailLog.size;
    const executed = await run(flow, 'OpenTicket', params);
    expect(executed.state).toBe('executed');
    const opened = [...sandbox.state.tickets.values()].find((row) => row.subject === params.subject)!;
    expect(executed.result?.summary).toBe(`Ticket ${opened.id} (#${opened.tid}) opened.`);
    expect(opened).toMatchObject({ clientId: demo.id, departmentId: 2, priority: 'High', status: 'Open' });
    expect(sandbox.state.emailLog.size).toBe(emailsBefore + 1);
    const again = await validated(flow, 'OpenTicket', params);
    expect(again.validation?.warnings).toContain(
      `Ticket ${opened.id} of this requester already has the same subject and message: this may be a duplicate.`,
    );
    expectAuditIntact(store);
  });

  it('settles an unknown outcome by finding the new ticket, without copying its text', async () => {
    const { flow, store } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'OpenTicket' }] });
    const lost = await run(flow, 'OpenTicket', params);
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toMatch(
      /^Reconciled as executed: Ticket \d+ carries the subject and a message with digest [0-9a-f]{12}\.$/,
    );
    expect(auditText(store)).not.toContain('explain the charge');
  });
});

describe('AddTicketReply', () => {
  const staffReply = {
    ticketid: demo.tickets.customerReply,
    message: 'We moved the site to a faster server.',
  };

  it('shows the status a staff reply causes and warns that WHMCS e-mails it', async () => {
    const { flow } = makeFlow();
    const intent = await validated(flow, 'AddTicketReply', staffReply);
    expect(intent.validation?.impact).toEqual([
      `ticket 1 (#${ticket(1).tid} "Website is loading slowly", ${demoLabel}): status Customer-Reply -> Answered.`,
      `Adds a staff reply by the API credential's admin (37 characters: "We moved the site to a faster server.").`,
    ]);
    expect(intent.validation?.warnings).toEqual([
      `WHMCS e-mails this reply to the ticket's requester (${demoLabel}); set noemail to prevent it.`,
    ]);
    expect(intent.validation?.snapshot).toEqual({ ticket_status: 'Customer-Reply', same_replies: '' });
  });

  it('shows a client reply turning the ticket to Customer-Reply, and a reply reopening a closed ticket', async () => {
    const { flow } = makeFlow();
    const fromClient = await validated(flow, 'AddTicketReply', {
      ticketid: demo.tickets.answered,
      clientid: demo.id,
      message: 'Thanks, I have paid it now.',
    });
    expect(fromClient.validation?.impact[0]).toMatch(/: status Answered -> Customer-Reply\.$/);
    expect(fromClient.validation?.impact[1]).toBe(
      `Adds a reply by ${demoLabel} (27 characters: "Thanks, I have paid it now.").`,
    );
    const closed = await validated(flow, 'AddTicketReply', { ...staffReply, ticketid: demo.tickets.closed });
    expect(closed.validation?.warnings).toContain('Ticket 3 is Closed: the reply reopens it as Answered.');
  });

  it('refuses a missing ticket, a client who does not own the ticket, an unknown status, and a foreign ticket', async () => {
    const { flow } = makeFlow();
    const missing = await validated(flow, 'AddTicketReply', { ...staffReply, ticketid: 99_999 });
    expect(missing.validation?.problems).toEqual(['Ticket 99999 was not found.']);
    const stranger = await validated(flow, 'AddTicketReply', { ...staffReply, clientid: euro.id });
    expect(stranger.validation?.problems).toEqual([
      `client 2 (Jürgen Müller) does not own ticket 1; a client reply must come from the ticket's client.`,
    ]);
    const status = await validated(flow, 'AddTicketReply', { ...staffReply, status: 'Escalated' });
    expect(status.validation?.problems).toEqual(['"Escalated" is not a ticket status in WHMCS.']);
    // A client-scoped caller for client 2 names its own client id, but the ticket is client 1's.
    const scoped = ClientScope.clients([euro.id]);
    const foreign = await validated(flow, 'AddTicketReply', { ...staffReply, clientid: euro.id }, scoped);
    expect(foreign.validation?.problems).toEqual(['Ticket 1 was not found.']);
  });

  it('adds the reply and sets the status', async () => {
    const { flow, store } = makeFlow();
    const repliesBefore = ticket(1).replies.length;
    const executed = await run(flow, 'AddTicketReply', staffReply);
    expect(executed.state).toBe('executed');
    expect(ticket(1).status).toBe('Answered');
    expect(ticket(1).replies).toHaveLength(repliesBefore + 1);
    expect(ticket(1).replies.at(-1)?.message).toBe(staffReply.message);
    expectAuditIntact(store);
  });

  it('reconciles by a digest of the message, never mistaking an earlier identical reply for the new one', async () => {
    const { flow, store, advance } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddTicketReply' }] });
    const lost = await run(flow, 'AddTicketReply', staffReply);
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toMatch(
      /^Reconciled as executed: Reply \d+ on ticket 1 has the message digest [0-9a-f]{12}\.$/,
    );

    // The staff reply already on ticket 1, sent again, is lost before WHMCS acts on it.
    const earlier = ticket(1).replies.find((reply) => reply.admin !== '')!;
    const repeat = { ticketid: 1, message: `  ${earlier.message}\r\n` };
    sandbox.faults.set({ next: [{ fault: 'serverError', action: 'AddTicketReply' }] });
    const dropped = await run(flow, 'AddTicketReply', repeat);
    expect(dropped.validation?.snapshot.same_replies).toBe(String(earlier.id));
    expect(dropped.state).toBe('unknown');
    advance(RECONCILE_SETTLE_MS + 1_000);
    const failed = await flow.reconcile(agent, admin, dropped.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.message).toMatch(/^No reply on ticket 1 has the message digest [0-9a-f]{12}\.$/);
    expect(auditText(store)).not.toContain('faster server');
    expect(auditText(store)).not.toContain(earlier.message);
  });
});

describe('AddTicketNote', () => {
  const params = { ticketid: demo.tickets.answered, message: 'Customer prefers a call back.' };

  it('adds a staff-only note without changing the status, and settles an unknown one by its digest', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'AddTicketNote', params);
    expect(intent.validation?.impact).toEqual([
      `ticket 2 (#${ticket(2).tid} "Why was my VPS suspended?", ${demoLabel}): a staff note is added (29 characters: "Customer prefers a call back.").`,
      'Staff-only: the requester does not see it, the status stays as it is and WHMCS sends no e-mail.',
    ]);
    expect(intent.validation?.snapshot).toEqual({ same_notes: '' });
    const blank = await validated(flow, 'AddTicketNote', { ...params, message: '   ' });
    expect(blank.validation?.problems).toEqual(['The note is empty; WHMCS requires a message.']);

    const executed = await run(flow, 'AddTicketNote', params);
    expect(executed.state).toBe('executed');
    expect(ticket(2).notes.map((note) => note.message)).toEqual([params.message]);
    expect(ticket(2).status).toBe('Answered');

    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddTicketNote' }] });
    const lost = await run(flow, 'AddTicketNote', { ...params, message: 'Called back, no answer.' });
    expect(lost.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, lost.id)).state).toBe('executed');
    expectAuditIntact(store);
  });
});

describe('UpdateTicket', () => {
  const params = { ticketid: demo.tickets.customerReply, status: 'on hold', priority: 'low', deptid: 2 };

  it('shows status, priority and department before -> after and applies them', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'UpdateTicket', params);
    expect(intent.validation?.impact).toEqual([
      `ticket 1 (#${ticket(1).tid} "Website is loading slowly", ${demoLabel}): department Technical Support -> Billing; status Customer-Reply -> On Hold; priority High -> Low.`,
    ]);
    expect(intent.validation?.snapshot).toEqual({
      ticket_status: 'Customer-Reply',
      before_deptid: '1',
      before_status: 'Customer-Reply',
      before_priority: 'High',
    });
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(ticket(1)).toMatchObject({ status: 'On Hold', priority: 'Low', departmentId: 2 });
    expectAuditIntact(store);
  });

  it('refuses an update that changes nothing and an unknown priority', async () => {
    const { flow } = makeFlow();
    const same = await validated(flow, 'UpdateTicket', {
      ticketid: 1,
      status: 'Customer-Reply',
      priority: 'High',
    });
    expect(same.validation?.problems).toEqual([
      `Nothing would change: ticket 1 (#${ticket(1).tid} "Website is loading slowly", ${demoLabel}) already has these values.`,
    ]);
    const urgent = await validated(flow, 'UpdateTicket', { ticketid: 1, priority: 'Urgent' });
    expect(urgent.validation?.problems).toEqual(['The priority must be one of Low, Medium, High.']);
  });

  it('settles an unknown update by reading the fields back', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'UpdateTicket' }] });
    const lost = await run(flow, 'UpdateTicket', params);
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    expect(settled.result?.summary).toBe(
      'Reconciled as executed: Every changed field of the ticket reads as requested.',
    );
  });
});

// ---- clients -----------------------------------------------------------------------------------------

describe('AddClient', () => {
  const password = 'hunter2-Very-Secret';
  const params = {
    firstname: 'Ada',
    lastname: 'Lovelace',
    email: 'ada.lovelace@example.org',
    address1: '12 St James Square',
    city: 'London',
    state: 'London',
    postcode: 'SW1Y 4JH',
    country: 'GB',
    phonenumber: '20 7946 0958',
    password2: password,
    currency: SEED_FACTS.currencies.GBP,
  };

  it('checks the e-mail address is free and never shows the password', async () => {
    const { flow, store } = makeFlow();
    const intent = await validated(flow, 'AddClient', params);
    expect(intent.validation?.impact).toEqual([
      'New client "Ada Lovelace", e-mail ada.lovelace@example.org, London, GB; currency GBP; status Active.',
      'A new login user with the e-mail address ada.lovelace@example.org becomes its owner.',
      'A login password is set (password2; not shown).',
    ]);
    expect(intent.validation?.warnings).toEqual([
      'WHMCS e-mails ada.lovelace@example.org its sign-up message (customer e-mail); set noemail to prevent it.',
    ]);
    expect(intent.validation?.snapshot).toEqual({ clients_with_email: '' });
    expect(JSON.stringify(intent.validation)).not.toContain(password);
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    const executed = await flow.execute(agent, admin, intent.id);
    expect(executed.state).toBe('executed');
    const created = sandbox.state.findClientByEmail(params.email)!;
    expect(executed.result?.summary).toBe(`Client ${created.id} created for "Ada Lovelace".`);
    expect(created.currencyId).toBe(SEED_FACTS.currencies.GBP);
    expect(JSON.stringify(executed.result)).not.toContain(password);
    expect(auditText(store)).not.toContain(password);
    expectAuditIntact(store);
  });

  it('refuses an e-mail address a client already uses and card details', async () => {
    const { flow } = makeFlow();
    const taken = await validated(flow, 'AddClient', { ...params, email: demo.email.toUpperCase() });
    expect(taken.validation?.problems).toEqual([
      `The e-mail address ${demo.email.toUpperCase()} is already used by client 1.`,
    ]);
    // Current WHMCS versions dropped the card parameters, so drafting refuses them; the rule refuses
    // them too, for an action table that still lists them.
    const card = await rulesFor('AddClient').check(
      { ...params, cardnum: '4242424242424242', cvv: '123' },
      rulesContext(admin),
    );
    expect(card.problems).toEqual([
      'Card details (cardnum, cvv) are not accepted through the write-flow; add a pay method in WHMCS instead.',
    ]);
    expect(JSON.stringify(card)).not.toContain('4242424242424242');
  });

  it('settles an unknown outcome by finding a client with the address', async () => {
    const { flow } = makeFlow();
    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddClient' }] });
    const lost = await run(flow, 'AddClient', { ...params, noemail: true });
    expect(lost.state).toBe('unknown');
    const settled = await flow.reconcile(agent, admin, lost.id);
    expect(settled.state).toBe('executed');
    const created = sandbox.state.findClientByEmail(params.email)!;
    expect(settled.result?.summary).toBe(
      `Reconciled as executed: Client ${created.id} now has the requested e-mail address.`,
    );
  });
});

describe('UpdateClient', () => {
  it('shows contact fields before -> after, applies them and reconciles them', async () => {
    const { flow, store } = makeFlow();
    const params = { clientid: demo.id, city: 'Stockholm', phonenumber: '8 555 0100', marketingoptin: false };
    const intent = await validated(flow, 'UpdateClient', params);
    expect(intent.validation?.impact).toEqual([
      `${demoLabel}: city "Göteborg" -> "Stockholm".`,
      `${demoLabel}: phone number "31 555 0142" -> "8 555 0100".`,
      `${demoLabel}: marketing e-mails opt-in yes -> no.`,
    ]);
    expect(intent.validation?.snapshot).toEqual({
      client_status: 'Active',
      client_city: 'Göteborg',
      client_phonenumber: '31 555 0142',
      client_marketingoptin: 'yes',
    });
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    expect((await flow.execute(agent, admin, intent.id)).state).toBe('executed');
    expect(client(demo.id)).toMatchObject({
      city: 'Stockholm',
      phonenumber: '8 555 0100',
      marketingOptIn: false,
    });

    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'UpdateClient' }] });
    const lost = await run(flow, 'UpdateClient', { clientid: demo.id, companyname: 'Lindqvist Studio AB' });
    expect(lost.state).toBe('unknown');
    expect((await flow.reconcile(agent, admin, lost.id)).state).toBe('executed');
    expectAuditIntact(store);
  });

  it('refuses status changes, card fields, an address another client uses, and an update that changes nothing', async () => {
    const { flow } = makeFlow();
    const status = await validated(flow, 'UpdateClient', { clientid: demo.id, status: 'Closed' });
    expect(status.validation?.problems).toEqual([
      'The client status is not changed through UpdateClient here: close a client with CloseClient, and reactivate one in WHMCS.',
    ]);
    const clearing = await validated(flow, 'UpdateClient', { clientid: demo.id, clearcreditcard: true });
    expect(clearing.validation?.problems).toEqual([
      'Card and bank details (clearcreditcard) are not changed through the write-flow; manage pay methods in WHMCS.',
    ]);
    const card = await rulesFor('UpdateClient').check(
      { clientid: demo.id, cardnum: '4000000000000002', bankacct: '12345678' },
      rulesContext(admin),
    );
    expect(card.problems).toEqual([
      'Card and bank details (cardnum, bankacct) are not changed through the write-flow; manage pay methods in WHMCS.',
    ]);
    const taken = await validated(flow, 'UpdateClient', {
      clientid: demo.id,
      email: client(euro.id).email,
    });
    expect(taken.validation?.problems).toEqual([
      `The e-mail address ${client(euro.id).email} is already used by another client.`,
    ]);
    const same = await validated(flow, 'UpdateClient', { clientid: demo.id, city: 'Göteborg' });
    expect(same.validation?.problems).toEqual([
      `Nothing would change: ${demoLabel} already has these values.`,
    ]);
    expect(client(demo.id).status).toBe('Active');
  });
});

describe('AddClientNote', () => {
  it('adds a staff note; an unknown outcome cannot be reconciled from the API and says so', async () => {
    const { flow, store } = makeFlow();
    const params = { userid: demo.id, notes: 'Called about the renewal; will pay Friday.', sticky: true };
    const intent = await validated(flow, 'AddClientNote', params);
    expect(intent.validation?.impact).toEqual([
      `${demoLabel}: a staff note of 42 characters is added, sticky (shown at the top of the profile): "Called about the renewal; will pay Friday.".`,
      'Staff-only: the client does not see it and WHMCS sends no e-mail.',
    ]);
    expect(intent.validation?.snapshot).toEqual({ client_status: 'Active' });
    const missing = await validated(flow, 'AddClientNote', { userid: 999_999, notes: 'x' });
    expect(missing.validation?.problems).toEqual(['Client 999999 was not found.']);
    const notesBefore = sandbox.state.clientNotes.size;
    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    const executed = await flow.execute(agent, admin, intent.id);
    expect(executed.state).toBe('executed');
    expect(sandbox.state.clientNotes.size).toBe(notesBefore + 1);
    expect(executed.result?.summary).toMatch(/^Note \d+ added to client 1\.$/);

    sandbox.faults.set({ next: [{ fault: 'emptyBody', action: 'AddClientNote' }] });
    const lost = await run(flow, 'AddClientNote', { userid: demo.id, notes: 'Second call.' });
    expect(lost.state).toBe('unknown');
    const error = await refusal(() => flow.reconcile(agent, admin, lost.id));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/cannot be reconciled automatically/);
    expectAuditIntact(store);
  });
});

describe('CloseClient', () => {
  it('lists what closing cancels, caps on the balance written off, and closes the client', async () => {
    const { flow, store } = makeFlow();
    const owed = [demo.invoices.overdue, demo.invoices.unpaid, demo.invoices.pendingOrder].reduce(
      (sum, id) => sum + sandbox.state.invoiceBalance(invoice(id)),
      0n,
    );
    const intent = await validated(flow, 'CloseClient', { clientid: demo.id });
    const impact = intent.validation?.impact ?? [];
    expect(impact[0]).toBe(`${demoLabel}: status Active -> Closed.`);
    expect(impact).toContain(
      'Service 2 (VPS Small, build.lindqvistdesign.com): status Suspended -> Cancelled.',
    );
    expect(impact).toContain('Domain 1 (lindqvistdesign.com): status Active -> Cancelled.');
    expect(impact).toContain(
      `Invoice 3: status Unpaid -> Cancelled; ${demo.overdueBalance} USD no longer owed.`,
    );
    expect(impact).toContain('Invoice 7: status Draft -> Cancelled.');
    expect(impact.at(-1)).toBe(`In all, ${formatCents(owed)} USD owed is written off.`);
    expect(impact.join('\n')).not.toMatch(/Service 3 |Domain 3 /);
    expect(intent.validation?.warnings).toEqual([
      'Closing cancels what the client holds, as WHMCS does: 3 service(s), 1 addon(s), 3 domain(s) and 4 unpaid or draft invoice(s). Only statuses change: accounts stay on their servers and domains at their registrar until they are terminated or expire.',
      `The credit balance of ${demo.creditBalance} USD stays on the closed account; refund it separately if it is owed back.`,
    ]);
    expect(intent.validation?.cap_amount).toEqual({ amount: formatCents(owed), currency: 'USD' });
    expect(intent.validation?.snapshot).toMatchObject({
      client_status: 'Active',
      unpaid_invoices: `3:${demo.overdueBalance},4:${demo.unpaidBalance},8:${demo.pendingOrderBalance}`,
    });

    flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    const executed = await flow.execute(agent, admin, intent.id);
    expect(executed.state).toBe('executed');
    expect(client(demo.id).status).toBe('Closed');
    expect(service(demo.services.active).status).toBe('Cancelled');
    expect(invoice(demo.invoices.overdue).status).toBe('Cancelled');
    expect(invoice(demo.invoices.draft).status).toBe('Cancelled');
    expect(store.dailyTotal(today(), 'USD')).toBe(owed);
    expectAuditIntact(store);
  });

  it('refuses a client that is not Active, and the per-action cap stops a large write-off', async () => {
    const closed = makeFlow();
    const already = await validated(closed.flow, 'CloseClient', { clientid: SEED_FACTS.closedClient.id });
    expect(already.validation?.problems).toEqual([
      `Client ${SEED_FACTS.closedClient.id} is Closed; only an Active client can be closed.`,
    ]);
    const capped = makeFlow({ perActionCap: '50.00' });
    const intent = await validated(capped.flow, 'CloseClient', { clientid: demo.id });
    capped.flow.approve(alice, admin, intent.id, { reason: 'checked', channel: 'cli' });
    const error = await refusal(() => capped.flow.execute(agent, admin, intent.id));
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/above the per-action cap of 50\.00/);
    expect(client(demo.id).status).toBe('Active');
    expect(calls('CloseClient')).toBe(0);
  });
});
