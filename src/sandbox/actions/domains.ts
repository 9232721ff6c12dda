/**
 * Domains and the registrar: GetClientsDomains, DomainWhois, DomainRegister, DomainRenew,
 * DomainTransfer, DomainGetNameservers, DomainUpdateNameservers, DomainGetLockingStatus,
 * DomainUpdateLockingStatus, UpdateClientDomain, GetTLDPricing.
 *
 * The registrar is simulated: commands succeed when the domain is in a state a registrar would
 * accept them in, and otherwise fail with a registrar-style message (the catalog's
 * "Registrar Error Message" placeholder).
 */
import { createHash } from 'node:crypto';
import { DOMAIN_STATUSES, ZERO_DATE, addMonths, convertFromDefault } from '../state.js';
import type { Domain, SandboxState } from '../state.js';
import { tldOf } from '../seed.js';
import type { SandboxParams } from '../types.js';
import {
  bit,
  fail,
  filledParam,
  flagParam,
  intParam,
  logActivity,
  money,
  moneyParam,
  pageOf,
  pagingOf,
  textParam,
  toDay,
  today,
} from './common.js';
import type { ActionContext, ActionHandler, Reply } from './common.js';
import { gatewayName } from './services.js';

function renderDomain(state: SandboxState, domain: Domain): Reply {
  return {
    id: String(domain.id),
    userid: String(domain.clientId),
    orderid: String(domain.orderId),
    regtype: domain.regType,
    domainname: domain.domainName,
    registrar: domain.registrar,
    regperiod: String(domain.regPeriod),
    firstpaymentamount: money(domain.firstPaymentAmount),
    recurringamount: money(domain.recurringAmount),
    paymentmethod: domain.paymentMethod,
    paymentmethodname: gatewayName(state, domain.paymentMethod),
    regdate: domain.regDate,
    expirydate: domain.expiryDate,
    nextduedate: domain.nextDueDate,
    status: domain.status,
    subscriptionid: domain.subscriptionId,
    promoid: String(domain.promoId),
    dnsmanagement: bit(domain.dnsManagement),
    emailforwarding: bit(domain.emailForwarding),
    idprotection: bit(domain.idProtection),
    donotrenew: bit(domain.doNotRenew),
    notes: domain.notes,
  };
}

export const GetClientsDomains: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const clientId = intParam(params, 'clientid');
  const domainId = intParam(params, 'domainid');
  const name = filledParam(params, 'domain')?.toLowerCase();
  let source: Iterable<Domain>;
  if (domainId !== undefined) source = state.pick(state.domains, [domainId]);
  else if (clientId !== undefined) source = state.pick(state.domains, state.domainsByClient.get(clientId));
  else source = state.domains.values();
  const matches: Domain[] = [];
  for (const domain of source) {
    if (clientId !== undefined && domain.clientId !== clientId) continue;
    if (name !== undefined && domain.domainName.toLowerCase() !== name) continue;
    matches.push(domain);
  }
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  // This older action sends its counters as strings.
  return {
    clientid: clientId === undefined ? '' : String(clientId),
    domainid: domainId === undefined ? '' : String(domainId),
    totalresults: String(matches.length),
    startnumber: String(paging.start),
    numreturned: String(page.length),
    domains: page.length ? { domain: page.map((domain) => renderDomain(state, domain)) } : '',
  } satisfies Reply;
};

// --- registrar commands ------------------------------------------------------------------------------

function findDomain(state: SandboxState, params: SandboxParams, message: string): Domain {
  const domainId = intParam(params, 'domainid');
  const name = filledParam(params, 'domain');
  const domain =
    domainId !== undefined
      ? state.domains.get(domainId)
      : name !== undefined
        ? state.findDomainByName(name)
        : undefined;
  if (!domain) fail(message);
  return domain;
}

function registrarError(message: string): never {
  return fail(`Registrar Error: ${message}`);
}

function addYears(day: string, years: number): string {
  return addMonths(day, years * 12);
}

const DOMAIN_PATTERN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i;

export const DomainWhois: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const name = filledParam(params, 'domain')?.toLowerCase() ?? '';
  if (!DOMAIN_PATTERN.test(name)) fail('Domain not valid');
  const tld = state.tlds.get(tldOf(name));
  if (!tld?.whoisServer) fail('The given TLD is not supported for WHOIS lookups');
  const local = state.findDomainByName(name);
  const held =
    local !== undefined &&
    local.status !== 'Cancelled' &&
    local.status !== 'Transferred Away' &&
    local.status !== 'Fraud';
  // Names not held here are "taken elsewhere" when short or by a stable hash, so answers never change.
  const label = name.slice(0, name.length - tldOf(name).length - 1);
  const digest = createHash('sha256').update(name).digest();
  const takenElsewhere = label.length <= 4 || (digest[0] ?? 0) % 4 === 0;
  if (held || takenElsewhere) {
    const expiry =
      local?.expiryDate && local.expiryDate !== ZERO_DATE
        ? local.expiryDate
        : addYears(today(ctx), 1 + ((digest[1] ?? 0) % 5));
    return {
      status: 'unavailable',
      whois:
        `Domain Name: ${name.toUpperCase()}<br />\nRegistry Domain ID: ${digest.toString('hex').slice(0, 12)}_DOMAIN<br />\n` +
        `Registrar WHOIS Server: ${tld.whoisServer}<br />\nRegistrar: ${local?.registrar || 'Example Registrar, Inc.'}<br />\n` +
        `Registry Expiry Date: ${expiry}T00:00:00Z<br />\nDomain Status: clientTransferProhibited<br />\n` +
        `Name Server: ${(local?.nameservers[0] ?? 'ns1.example-dns.net').toUpperCase()}<br />\n`,
    } satisfies Reply;
  }
  return { status: 'available', whois: `No match for "${name.toUpperCase()}".<br />\n` } satisfies Reply;
};

export const DomainRegister: ActionHandler = (params, ctx) => {
  const domain = findDomain(ctx.state, params, 'Domain Not Found');
  if (domain.status === 'Active' || domain.status === 'Grace' || domain.status === 'Redemption') {
    registrarError('Domain already registered');
  }
  if (domain.status === 'Fraud' || domain.status === 'Transferred Away') {
    registrarError(`Domain cannot be registered while its status is ${domain.status}`);
  }
  const day = today(ctx);
  domain.status = 'Active';
  domain.regType = 'Register';
  domain.registrar ||= 'enom';
  domain.regDate = day;
  domain.expiryDate = addYears(day, domain.regPeriod);
  domain.nextDueDate = domain.expiryDate;
  if (!domain.nameservers.length) domain.nameservers = ['ns1.sandbox.example', 'ns2.sandbox.example'];
  domain.locked = true;
  logActivity(
    ctx,
    `Domain Registered Successfully - Domain ID: ${domain.id} - Domain: ${domain.domainName}`,
    domain.clientId,
  );
  return {};
};

export const DomainRenew: ActionHandler = (params, ctx) => {
  const domain = findDomain(ctx.state, params, 'Domain Not Found');
  if (!['Active', 'Grace', 'Redemption', 'Expired'].includes(domain.status)) {
    registrarError(`Domain cannot be renewed while its status is ${domain.status}`);
  }
  const years = intParam(params, 'regperiod') ?? domain.regPeriod;
  if (years < 1 || years > 10) registrarError('Invalid registration period');
  domain.expiryDate = addYears(domain.expiryDate === ZERO_DATE ? today(ctx) : domain.expiryDate, years);
  domain.nextDueDate = domain.expiryDate;
  domain.status = 'Active';
  logActivity(
    ctx,
    `Domain Renewed Successfully - Domain ID: ${domain.id} - ${years} Year/s`,
    domain.clientId,
  );
  return {};
};

export const DomainTransfer: ActionHandler = (params, ctx) => {
  const domain = findDomain(ctx.state, params, 'Domain Not Found');
  if (domain.status === 'Active' || domain.status === 'Pending Transfer') {
    registrarError(
      `Domain is already ${domain.status === 'Active' ? 'active in this account' : 'being transferred'}`,
    );
  }
  if (domain.status === 'Fraud') registrarError('Domain cannot be transferred while its status is Fraud');
  const eppCode = filledParam(params, 'eppcode');
  if (eppCode !== undefined) domain.eppCode = eppCode;
  domain.status = 'Pending Transfer';
  domain.regType = 'Transfer';
  domain.registrar ||= 'enom';
  logActivity(ctx, `Domain Transfer Initiated - Domain ID: ${domain.id}`, domain.clientId);
  return {};
};

function requireRegistered(domain: Domain): void {
  if (!domain.registrar) fail('Registrar Function Not Supported');
  if (domain.status !== 'Active' && domain.status !== 'Grace')
    registrarError(`Domain is not active (status ${domain.status})`);
}

export const DomainGetNameservers: ActionHandler = (params, ctx) => {
  const domain = ctx.state.domains.get(intParam(params, 'domainid') ?? 0);
  if (!domain) fail('Domain ID Not Found');
  requireRegistered(domain);
  const reply: Reply = {};
  domain.nameservers.forEach((nameserver, index) => {
    reply[`ns${index + 1}`] = nameserver;
  });
  return reply;
};

function nameserversFrom(params: SandboxParams): string[] | undefined {
  const ns1 = filledParam(params, 'ns1');
  const ns2 = filledParam(params, 'ns2');
  if (ns1 === undefined || ns2 === undefined) return undefined;
  const extra = ['ns3', 'ns4', 'ns5']
    .map((name) => filledParam(params, name))
    .filter((value): value is string => value !== undefined);
  return [ns1, ns2, ...extra];
}

export const DomainUpdateNameservers: ActionHandler = (params, ctx) => {
  const domain = findDomain(ctx.state, params, 'Domain ID Not Found');
  const nameservers = nameserversFrom(params);
  if (!nameservers) fail('ns1 and ns2 required');
  requireRegistered(domain);
  domain.nameservers = nameservers;
  logActivity(ctx, `Domain Nameservers Updated - Domain ID: ${domain.id}`, domain.clientId);
  return {};
};

export const DomainGetLockingStatus: ActionHandler = (params, ctx) => {
  const domain = ctx.state.domains.get(intParam(params, 'domainid') ?? 0);
  if (!domain) fail('Domain ID Not Found');
  return { lockstatus: domain.locked ? 'locked' : 'unlocked' } satisfies Reply;
};

export const DomainUpdateLockingStatus: ActionHandler = (params, ctx) => {
  const domain = ctx.state.domains.get(intParam(params, 'domainid') ?? 0);
  if (!domain) fail('Domain ID Not Found');
  requireRegistered(domain);
  // As in WHMCS: lock when lockstatus is truthy, unlock otherwise (including when it is absent).
  domain.locked = flagParam(params, 'lockstatus') === true;
  logActivity(
    ctx,
    `Domain Registrar Lock ${domain.locked ? 'Enabled' : 'Disabled'} - Domain ID: ${domain.id}`,
    domain.clientId,
  );
  return {};
};

const DOMAIN_FLAG_FIELDS = [
  ['dnsmanagement', 'dnsManagement'],
  ['emailforwarding', 'emailForwarding'],
  ['idprotection', 'idProtection'],
  ['donotrenew', 'doNotRenew'],
] as const;

const DOMAIN_DATE_FIELDS = [
  ['regdate', 'regDate'],
  ['nextduedate', 'nextDueDate'],
  ['expirydate', 'expiryDate'],
] as const;

export const UpdateClientDomain: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const domain = state.domains.get(intParam(params, 'domainid') ?? 0);
  if (!domain) fail('Domain ID Not Found');
  // Validate everything first so a refused call changes nothing.
  const statusText = filledParam(params, 'status');
  const status =
    statusText === undefined
      ? undefined
      : DOMAIN_STATUSES.find((entry) => entry.toLowerCase() === statusText.toLowerCase());
  if (statusText !== undefined && !status)
    fail(`Invalid Domain Status. Valid statuses are: ${DOMAIN_STATUSES.join(',')}`);
  const registrar = filledParam(params, 'registrar');
  if (registrar !== undefined && !/^[a-z0-9_]+$/i.test(registrar)) fail('The Registrar is not active');
  const updateNameservers = flagParam(params, 'updatens') === true;
  const nameservers = updateNameservers ? nameserversFrom(params) : undefined;
  if (updateNameservers && !nameservers) fail('ns1 and ns2 required');
  const amounts = {
    firstpaymentamount: moneyParam(params, 'firstpaymentamount'),
    recurringamount: moneyParam(params, 'recurringamount'),
  };
  for (const [name, value] of Object.entries(amounts)) {
    if (value === 'invalid') fail(`Invalid ${name}: amounts must be in decimal format ### or ###.##`);
  }
  const dates = new Map<(typeof DOMAIN_DATE_FIELDS)[number][1], string>();
  for (const [param, field] of DOMAIN_DATE_FIELDS) {
    const value = filledParam(params, param);
    if (value === undefined) continue;
    const day = value.startsWith('0000-00-00') ? ZERO_DATE : toDay(value);
    if (day === 'invalid') fail(`Invalid date for ${param}: use YYYY-MM-DD`);
    dates.set(field, day);
  }
  const typeText = filledParam(params, 'type')?.toLowerCase();

  for (const [param, field] of DOMAIN_FLAG_FIELDS) {
    const value = flagParam(params, param);
    if (value !== undefined) domain[field] = value;
  }
  for (const [field, day] of dates) domain[field] = day;
  const name = filledParam(params, 'domain');
  if (name !== undefined && name.toLowerCase() !== domain.domainName.toLowerCase())
    state.setDomainName(domain, name);
  if (registrar !== undefined) domain.registrar = registrar;
  if (typeText === 'register' || typeText === 'transfer')
    domain.regType = typeText === 'register' ? 'Register' : 'Transfer';
  const regPeriod = intParam(params, 'regperiod');
  if (regPeriod !== undefined && regPeriod > 0) domain.regPeriod = regPeriod;
  if (amounts.firstpaymentamount !== undefined && amounts.firstpaymentamount !== 'invalid') {
    domain.firstPaymentAmount = amounts.firstpaymentamount;
  }
  if (amounts.recurringamount !== undefined && amounts.recurringamount !== 'invalid') {
    domain.recurringAmount = amounts.recurringamount;
  }
  if (flagParam(params, 'autorecalc')) {
    const tld = state.tlds.get(tldOf(domain.domainName));
    const price = tld?.renew.get(domain.regPeriod);
    if (price !== undefined)
      domain.recurringAmount = convertFromDefault(
        price,
        state.currencyOf(state.clients.get(domain.clientId)),
      );
  }
  const paymentMethod = filledParam(params, 'paymentmethod');
  if (paymentMethod !== undefined) domain.paymentMethod = paymentMethod;
  const subscriptionId = textParam(params, 'subscriptionid');
  if (subscriptionId !== undefined) domain.subscriptionId = subscriptionId;
  const notes = textParam(params, 'notes');
  if (notes !== undefined) domain.notes = notes;
  const promoId = intParam(params, 'promoid');
  if (promoId !== undefined) domain.promoId = promoId;
  if (status) domain.status = status;
  if (nameservers) domain.nameservers = nameservers;
  logActivity(ctx, `Modified Domain - Domain ID: ${domain.id}`, domain.clientId);
  return { domainid: String(domain.id) } satisfies Reply;
};

export const GetTLDPricing: ActionHandler = (params, ctx: ActionContext) => {
  const state = ctx.state;
  const clientId = intParam(params, 'clientid');
  const currencyId = intParam(params, 'currencyid');
  const client = clientId === undefined ? undefined : state.clients.get(clientId);
  const currency =
    (client ? state.currencies.get(client.currencyId) : undefined) ??
    (currencyId === undefined ? undefined : state.currencies.get(currencyId)) ??
    state.defaultCurrency();
  const pricing: Reply = {};
  for (const tld of state.tlds.values()) {
    const prices = (table: ReadonlyMap<number, bigint>): Reply => {
      const out: Reply = {};
      for (const [years, cents] of table) out[String(years)] = money(convertFromDefault(cents, currency));
      return out;
    };
    pricing[tld.tld] = {
      tld: tld.tld,
      categories: tld.categories,
      addons: { dns: tld.dnsManagement, email: tld.emailForwarding, idprotect: tld.idProtection },
      group: tld.group,
      register: prices(tld.register),
      transfer: prices(tld.transfer),
      renew: prices(tld.renew),
      grace_period: tld.gracePeriodDays === null ? null : { days: tld.gracePeriodDays, price: '0.00' },
      redemption_period:
        tld.redemptionPeriodDays === null
          ? null
          : { days: tld.redemptionPeriodDays, price: money(convertFromDefault(8000n, currency)) },
    };
  }
  return {
    currency: {
      id: currency.id,
      code: currency.code,
      prefix: currency.prefix,
      suffix: currency.suffix,
      format: currency.format,
      rate: currency.rate,
    },
    pricing,
  } satisfies Reply;
};

export const domainHandlers: Readonly<Record<string, ActionHandler>> = {
  GetClientsDomains,
  DomainWhois,
  DomainRegister,
  DomainRenew,
  DomainTransfer,
  DomainGetNameservers,
  DomainUpdateNameservers,
  DomainGetLockingStatus,
  DomainUpdateLockingStatus,
  UpdateClientDomain,
  GetTLDPricing,
};
