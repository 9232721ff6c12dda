/**
 * Write rules for the registrar commands: DomainRegister, DomainRenew, DomainTransfer (registrar
 * spend, priced from GetTLDPricing in the client's currency and counted by the caps) and
 * DomainUpdateNameservers (read back from the registrar). The EPP code of a transfer is a
 * credential: it never appears in an impact line, a warning, the snapshot or a summary.
 */
import { parseCents, type Cents } from '../../money.js';
import { entityFromParams, type ActionRules, type RulesContext } from '../rules.js';
import type { IntentEntity } from '../types.js';
import {
  Findings,
  clientLabel,
  flagOf,
  isBlank,
  isRecord,
  money,
  notSeen,
  positiveId,
  readClient,
  readOrNull,
  rowsOf,
  snapshotValue,
  statusChange,
  textOf,
  type ClientState,
} from './billing-common.js';
import { unpaidInvoiceLabel, unpaidInvoicesFor } from './clients.js';

export interface DomainState {
  id: number;
  clientId: number;
  name: string;
  registrar: string;
  regPeriod: number;
  /** YYYY-MM-DD, or null when the domain has none yet. */
  expiryDate: string | null;
  status: string;
  doNotRenew: boolean;
}

function domainOf(row: Record<string, unknown>, clientId: number): DomainState {
  const expiry = textOf(row.expirydate);
  return {
    id: positiveId(row.id) ?? 0,
    clientId,
    name: textOf(row.domainname),
    registrar: textOf(row.registrar),
    regPeriod: positiveId(row.regperiod) ?? 1,
    expiryDate: /^\d{4}-\d{2}-\d{2}/.test(expiry) ? expiry.slice(0, 10) : null,
    status: textOf(row.status),
    doNotRenew: flagOf(row.donotrenew) === true,
  };
}

/** The domain with this id within the caller's scope, or null (missing and foreign alike). */
export async function readDomain(id: number, ctx: RulesContext): Promise<DomainState | null> {
  const reply = await readOrNull(ctx, 'GetClientsDomains', { domainid: id });
  const row = rowsOf(reply?.domains).find((domain) => positiveId(domain.id) === id);
  const clientId = positiveId(row?.userid);
  if (!row || clientId === null || !ctx.scope.allows(clientId)) return null;
  return domainOf(row, clientId);
}

async function readDomainByName(name: string, ctx: RulesContext): Promise<DomainState | null> {
  const reply = await readOrNull(ctx, 'GetClientsDomains', { domain: name });
  const wanted = name.trim().toLowerCase();
  const row = rowsOf(reply?.domains).find((domain) => textOf(domain.domainname).toLowerCase() === wanted);
  const clientId = positiveId(row?.userid);
  if (!row || clientId === null || !ctx.scope.allows(clientId)) return null;
  return domainOf(row, clientId);
}

/** The domain a write names, by domainid or else by its name (WHMCS accepts either). */
function domainEntity(params: Record<string, unknown>): IntentEntity {
  if (positiveId(params.domainid) !== null) return entityFromParams(params);
  const name = textOf(params.domain).trim().toLowerCase();
  return { kind: 'domain', id: name === '' ? null : name, client_id: null };
}

interface DomainRead {
  domain: DomainState;
  client: ClientState;
}

async function readDomainParam(
  params: Record<string, unknown>,
  ctx: RulesContext,
  findings: Findings,
): Promise<DomainRead | null> {
  const id = positiveId(params.domainid);
  const name = textOf(params.domain).trim();
  const domain = id !== null ? await readDomain(id, ctx) : name ? await readDomainByName(name, ctx) : null;
  const client = domain ? await readClient(domain.clientId, ctx) : null;
  if (!domain || !client) {
    findings.problems.push(`Domain ${id ?? (name || '(none)')} was not found.`);
    return null;
  }
  Object.assign(findings.snapshot, { domain_status: domain.status, client_status: client.status });
  return { domain, client };
}

/** "domain 1 lindqvistdesign.com of client 1 (Zoë Lindqvist)". */
function domainLabel(read: DomainRead): string {
  return `domain ${read.domain.id} ${read.domain.name} of ${clientLabel(read.client)}`;
}

function years(count: number): string {
  return count === 1 ? '1 year' : `${count} years`;
}

/** A YYYY-MM-DD date moved by whole years; 29 February falls back to the 28th, as WHMCS's dates do. */
export function addYears(day: string, count: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(year + count, month, 0)).getUTCDate();
  const target = new Date(Date.UTC(year + count, month - 1, Math.min(date, lastDay)));
  return target.toISOString().slice(0, 10);
}

function todayOf(ctx: RulesContext): string {
  return ctx.now().toISOString().slice(0, 10);
}

// ---- registrar spend -------------------------------------------------------------------------------------

type PriceKind = 'register' | 'renew' | 'transfer';

interface TldPrice {
  tld: string;
  amount: Cents | null;
  currency: string;
  redemptionFee: Cents | null;
}

/** The longest TLD in the pricing table that the domain name ends with ("co.uk" before "uk"). */
function tldOf(name: string, tlds: readonly string[]): string | null {
  const lower = name.toLowerCase();
  const matches = tlds.filter((tld) => lower.endsWith(`.${tld.replace(/^\./, '').toLowerCase()}`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}

/** The TLD's price for this period, in the currency GetTLDPricing answers in for the client. */
async function tldPrice(
  read: DomainRead,
  kind: PriceKind,
  period: number,
  ctx: RulesContext,
): Promise<TldPrice> {
  const reply = await ctx.whmcs.call('GetTLDPricing', { clientid: read.client.id });
  const pricing = isRecord(reply.pricing) ? reply.pricing : {};
  const currency = isRecord(reply.currency) ? textOf(reply.currency.code) : '';
  const tld = tldOf(read.domain.name, Object.keys(pricing));
  const entry = tld === null ? undefined : pricing[tld];
  const table = isRecord(entry) ? entry[kind] : undefined;
  const redemption = isRecord(entry) && isRecord(entry.redemption_period) ? entry.redemption_period : null;
  return {
    tld: (tld ?? read.domain.name.split('.').slice(1).join('.')).replace(/^\./, ''),
    amount: isRecord(table) ? (parseCents(table[String(period)]) ?? null) : null,
    currency,
    redemptionFee: redemption ? (parseCents(redemption.price) ?? null) : null,
  };
}

/**
 * Warns what the registrar charges and caps on that price: money leaving the business counts
 * against the per-action and daily caps like money moved in WHMCS, so a charge with no readable
 * price cannot run. The price is WHMCS's sale price for the TLD in the client's currency; what the
 * registrar bills the reseller account may differ.
 */
async function registrarSpend(
  action: string,
  read: DomainRead,
  kind: PriceKind,
  period: number,
  ctx: RulesContext,
  findings: Findings,
): Promise<TldPrice> {
  const price = await tldPrice(read, kind, period, ctx);
  const registrar = read.domain.registrar || 'the default registrar';
  const sameCurrency = price.currency === read.client.currency;
  findings.snapshot[`${kind}_price`] = price.amount === null || !sameCurrency ? null : money(price.amount);
  if (price.amount !== null && sameCurrency) {
    findings.warnings.push(
      `Registrar spend: ${registrar} charges for this ${kind} of ${years(period)}; the .${price.tld} ${kind} price is ${money(price.amount)} ${price.currency} in ${clientLabel(read.client)}'s currency (GetTLDPricing), counted against the per-action and daily caps. This call does not invoice the client.`,
    );
    findings.capAt(price.amount, price.currency);
  } else {
    findings.problems.push(
      `${action} spends money at ${registrar}, but GetTLDPricing lists no ${kind} price for .${price.tld} for ${years(period)} in ${read.client.currency}, so the per-action and daily caps cannot count it; it can run once WHMCS lists that price.`,
    );
  }
  return price;
}

/** A domain registrar command that must not run without a registrar module behind it. */
function registrarWarning(read: DomainRead, findings: Findings): void {
  if (read.domain.registrar === '') {
    findings.warnings.push(
      `No registrar is set on domain ${read.domain.id}; WHMCS uses the TLD's automatic registrar, or refuses if none is configured.`,
    );
  }
}

// ---- DomainRegister --------------------------------------------------------------------------------------

const ALREADY_REGISTERED = new Set(['Active', 'Grace', 'Redemption']);
const NOT_REGISTRABLE = new Set(['Fraud', 'Transferred Away', 'Pending Transfer']);

/** Registers a domain WHMCS holds as an order (Pending): the registrar charges for it. */
export const domainRegisterRules: ActionRules = {
  action: 'DomainRegister',
  entity: domainEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readDomainParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { domain, client } = read;
    if (ALREADY_REGISTERED.has(domain.status)) {
      findings.problems.push(
        `Domain ${domain.id} (${domain.name}) is ${domain.status}: it is already registered.`,
      );
      return findings.outcome();
    }
    if (NOT_REGISTRABLE.has(domain.status)) {
      findings.problems.push(
        `Domain ${domain.id} (${domain.name}) is ${domain.status}; it cannot be registered.`,
      );
      return findings.outcome();
    }
    const period = domain.regPeriod;
    await registrarSpend('DomainRegister', read, 'register', period, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    registrarWarning(read, findings);
    findings.impact.push(
      `${domainLabel(read)}: ${statusChange(domain.status, 'Active')}, registered for ${years(period)} at ${domain.registrar || 'the default registrar'}.`,
      `Expiry date ${domain.expiryDate ?? '(none)'} -> ${addYears(todayOf(ctx), period)}.`,
    );
    const { billing } = await unpaidInvoicesFor(client, 'domain', domain.id, ctx);
    findings.snapshot.unpaid_invoices_for_domain = billing.map((invoice) => invoice.id).join(',');
    if (billing.length > 0) {
      findings.warnings.push(
        `Registering before payment: ${billing.map((invoice) => unpaidInvoiceLabel(invoice, client.currency)).join('; ')} still unpaid for this domain.`,
      );
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const read = await readIntentDomain(intent.params, ctx);
    if (!read) return { state: 'unknown', evidence: 'The domain could not be read.' };
    if (read.status === 'Active')
      return {
        state: 'executed',
        evidence: `Domain ${read.id} is Active, expiring ${read.expiryDate ?? '(none)'}.`,
      };
    if (read.status === snapshotValue(intent, 'domain_status'))
      return notSeen(intent, ctx, `Domain ${read.id} is still ${read.status}.`);
    return {
      state: 'unknown',
      evidence: `Domain ${read.id} is ${read.status}, neither as before nor Active.`,
    };
  },
  summarize(_reply, params) {
    return `Domain ${domainName(params)} registered.`;
  },
};

async function readIntentDomain(
  params: Record<string, unknown>,
  ctx: RulesContext,
): Promise<DomainState | null> {
  const id = positiveId(params.domainid);
  if (id !== null) return readDomain(id, ctx);
  const name = textOf(params.domain).trim();
  return name ? readDomainByName(name, ctx) : null;
}

function domainName(params: Record<string, unknown>): string {
  return textOf(params.domainid) || textOf(params.domain) || '(none)';
}

// ---- DomainRenew -----------------------------------------------------------------------------------------

const RENEWABLE = new Set(['Active', 'Grace', 'Redemption', 'Expired']);
/** Registries refuse registrations running more than ten years ahead. */
const MAX_YEARS_AHEAD = 10;

/** Renews a domain at the registrar for regperiod years (the domain's own period when absent). */
export const domainRenewRules: ActionRules = {
  action: 'DomainRenew',
  entity: domainEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readDomainParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { domain, client } = read;
    findings.snapshot.expiry_date = domain.expiryDate;
    if (!RENEWABLE.has(domain.status)) {
      findings.problems.push(
        `Domain ${domain.id} (${domain.name}) is ${domain.status}; only an Active, Grace, Redemption or Expired domain can be renewed.`,
      );
      return findings.outcome();
    }
    const period = isBlank(params.regperiod) ? domain.regPeriod : positiveId(params.regperiod);
    if (period === null || period < 1 || period > MAX_YEARS_AHEAD) {
      findings.problems.push(`The renewal period must be 1 to ${MAX_YEARS_AHEAD} whole years.`);
      return findings.outcome();
    }
    const price = await registrarSpend('DomainRenew', read, 'renew', period, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    registrarWarning(read, findings);
    const from = domain.expiryDate ?? todayOf(ctx);
    const after = addYears(from, period);
    findings.impact.push(
      `${domainLabel(read)}: expiry date ${domain.expiryDate ?? '(none)'} -> ${after} (renewed for ${years(period)} at ${domain.registrar || 'the default registrar'}).`,
    );
    if (domain.status !== 'Active') findings.impact.push(`Status ${domain.status} -> Active.`);
    if (after > addYears(todayOf(ctx), MAX_YEARS_AHEAD)) {
      findings.warnings.push(
        `The new expiry date ${after} is more than ${MAX_YEARS_AHEAD} years ahead; most registries refuse such a renewal.`,
      );
    }
    if (domain.status === 'Redemption') {
      findings.warnings.push(
        `The domain is in Redemption: the registrar adds a restore fee${price.redemptionFee !== null ? ` (${money(price.redemptionFee)} ${price.currency} in WHMCS's pricing)` : ''} to the renewal.`,
      );
    }
    if (domain.doNotRenew) {
      findings.warnings.push(
        `Domain ${domain.id} is marked "do not renew" in WHMCS: the client asked not to renew it.`,
      );
    }
    if (client.status !== 'Active') findings.warnings.push(`${clientLabel(client)} is ${client.status}.`);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const domain = await readIntentDomain(intent.params, ctx);
    if (!domain) return { state: 'unknown', evidence: 'The domain could not be read.' };
    const before = snapshotValue(intent, 'expiry_date');
    const now = domain.expiryDate;
    if (now !== null && (typeof before !== 'string' || now > before)) {
      return {
        state: 'executed',
        evidence: `Domain ${domain.id} now expires ${now} (was ${textOf(before) || 'none'}).`,
      };
    }
    if (now === before) return notSeen(intent, ctx, `Domain ${domain.id} still expires ${now ?? '(none)'}.`);
    return {
      state: 'unknown',
      evidence: `Domain ${domain.id} expires ${now ?? '(none)'}, earlier than before.`,
    };
  },
  summarize(_reply, params) {
    const period = positiveId(params.regperiod);
    return `Domain ${domainName(params)} renewed${period ? ` for ${years(period)}` : ''}.`;
  },
};

// ---- DomainTransfer --------------------------------------------------------------------------------------

const TRANSFER_REFUSED = new Set(['Active', 'Pending Transfer', 'Fraud']);

/** Starts a transfer in from another registrar; the EPP code is sent but never shown or kept elsewhere. */
export const domainTransferRules: ActionRules = {
  action: 'DomainTransfer',
  entity: domainEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readDomainParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { domain } = read;
    if (TRANSFER_REFUSED.has(domain.status)) {
      findings.problems.push(
        `Domain ${domain.id} (${domain.name}) is ${domain.status}; ${domain.status === 'Active' ? 'it is already active in this account' : domain.status === 'Fraud' ? 'it cannot be transferred' : 'a transfer is already under way'}.`,
      );
      return findings.outcome();
    }
    await registrarSpend('DomainTransfer', read, 'transfer', 1, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    registrarWarning(read, findings);
    findings.impact.push(
      `${domainLabel(read)}: ${statusChange(domain.status, 'Pending Transfer')}; ${domain.registrar || 'the default registrar'} asks the current registrar to release it.`,
      isBlank(params.eppcode)
        ? 'No EPP code is given: the EPP code stored in WHMCS, if any, is used.'
        : 'An EPP code is given (a credential: not shown).',
    );
    findings.warnings.push(
      'A transfer takes days and needs the domain unlocked at its current registrar; most registries add a year to the expiry date when it completes.',
    );
    if (isBlank(params.eppcode)) {
      findings.warnings.push('Most registries refuse a transfer without the EPP (authorisation) code.');
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const domain = await readIntentDomain(intent.params, ctx);
    if (!domain) return { state: 'unknown', evidence: 'The domain could not be read.' };
    if (domain.status === 'Pending Transfer')
      return { state: 'executed', evidence: `Domain ${domain.id} is Pending Transfer.` };
    if (domain.status === snapshotValue(intent, 'domain_status'))
      return notSeen(intent, ctx, `Domain ${domain.id} is still ${domain.status}.`);
    return {
      state: 'unknown',
      evidence: `Domain ${domain.id} is ${domain.status}, neither as before nor Pending Transfer.`,
    };
  },
  summarize(_reply, params) {
    return `Transfer of domain ${domainName(params)} requested.`;
  },
};

// ---- DomainUpdateNameservers -----------------------------------------------------------------------------

const NAMESERVER_PARAMS = ['ns1', 'ns2', 'ns3', 'ns4', 'ns5'] as const;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const TOP_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/i;

/** A fully qualified host name: at least two labels, letters/digits/hyphens, an alphabetic TLD. */
export function isHostName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return (
    labels.length >= 2 && labels.every((label) => HOST_LABEL.test(label)) && TOP_LABEL.test(labels.at(-1)!)
  );
}

function requestedNameservers(params: Record<string, unknown>): string[] {
  return NAMESERVER_PARAMS.map((name) => textOf(params[name]).trim()).filter((value) => value !== '');
}

/** Error codes of a read that say WHMCS or the network failed, as opposed to the registrar refusing. */
const TRANSPORT_CODES = new Set([
  'timeout',
  'upstream_unavailable',
  'rate_limited',
  'auth_failed',
  'ip_not_allowed',
  'forbidden',
]);

/** The nameservers the registrar reports, or the registrar's refusal as text. */
async function currentNameservers(
  domainId: number,
  ctx: RulesContext,
): Promise<{ nameservers: string[] } | { refused: string }> {
  try {
    const reply = await ctx.whmcs.call('DomainGetNameservers', { domainid: domainId });
    return {
      nameservers: NAMESERVER_PARAMS.map((name) => textOf(reply[name]).trim()).filter(
        (value) => value !== '',
      ),
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || TRANSPORT_CODES.has(code)) throw error;
    return { refused: (error as Error).message };
  }
}

function sameNameservers(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) =>
    list.map((host) => host.toLowerCase().replace(/\.$/, '')).join(',');
  return norm(a) === norm(b);
}

/** Points a domain at 2 to 5 nameservers; the current ones are read from the registrar first. */
export const domainUpdateNameserversRules: ActionRules = {
  action: 'DomainUpdateNameservers',
  entity: domainEntity,
  async check(params, ctx) {
    const findings = new Findings();
    const wanted = requestedNameservers(params);
    if (isBlank(params.ns1) || isBlank(params.ns2)) {
      findings.problems.push('ns1 and ns2 are required: a domain needs at least two nameservers.');
    }
    const invalid = wanted.filter((host) => !isHostName(host));
    if (invalid.length > 0) {
      findings.problems.push(
        `Not valid host names: ${invalid.map((host) => JSON.stringify(host.slice(0, 80))).join(', ')}.`,
      );
    }
    if (findings.problems.length > 0) return findings.outcome();
    const read = await readDomainParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { domain } = read;
    if (domain.status !== 'Active' && domain.status !== 'Grace') {
      findings.problems.push(
        `Domain ${domain.id} (${domain.name}) is ${domain.status}; nameservers can only be changed while it is Active.`,
      );
      return findings.outcome();
    }
    const current = await currentNameservers(domain.id, ctx);
    if ('refused' in current) {
      findings.problems.push(`The registrar did not report the current nameservers: ${current.refused}`);
      return findings.outcome();
    }
    findings.snapshot.nameservers = current.nameservers.join(',');
    if (sameNameservers(current.nameservers, wanted)) {
      findings.problems.push(`Domain ${domain.id} already uses exactly these nameservers.`);
      return findings.outcome();
    }
    const duplicates = wanted.filter(
      (host, index) => wanted.findIndex((other) => other.toLowerCase() === host.toLowerCase()) !== index,
    );
    if (duplicates.length > 0) findings.warnings.push(`Listed twice: ${duplicates.join(', ')}.`);
    findings.impact.push(
      `${domainLabel(read)}: nameservers ${current.nameservers.join(', ') || '(none)'} -> ${wanted.join(', ')}.`,
    );
    findings.warnings.push(
      "The domain's websites and mail follow the new nameservers once the change spreads (up to 48 hours); make sure they serve the domain's DNS zone first.",
    );
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const domain = await readIntentDomain(intent.params, ctx);
    if (!domain) return { state: 'unknown', evidence: 'The domain could not be read.' };
    const current = await currentNameservers(domain.id, ctx);
    if ('refused' in current)
      return { state: 'unknown', evidence: `The registrar did not answer: ${current.refused}` };
    if (sameNameservers(current.nameservers, requestedNameservers(intent.params)))
      return { state: 'executed', evidence: `Domain ${domain.id} reports the requested nameservers.` };
    const before = textOf(snapshotValue(intent, 'nameservers')).split(',').filter(Boolean);
    if (sameNameservers(current.nameservers, before))
      return notSeen(intent, ctx, `Domain ${domain.id} still reports its previous nameservers.`);
    return {
      state: 'unknown',
      evidence: `Domain ${domain.id} reports other nameservers than before or requested.`,
    };
  },
  summarize(_reply, params) {
    return `Nameservers of domain ${domainName(params)} set to ${requestedNameservers(params).join(', ')}.`;
  },
};

export const DOMAIN_RULES: readonly ActionRules[] = [
  domainRegisterRules,
  domainRenewRules,
  domainTransferRules,
  domainUpdateNameserversRules,
];
