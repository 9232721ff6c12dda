/**
 * Write rules for client accounts: AddClient, UpdateClient, AddClientNote and CloseClient, and
 * what the service and domain rules read about a client (paged lists, its unpaid invoices and what
 * they bill). Credentials a client write can carry (the login password, the security answer, card
 * and bank data) never appear in an impact line, a warning, the snapshot or a summary.
 */
import { parseCents, type Cents } from '../../money.js';
import { getAction } from '../../whmcs/actions.js';
import type { WhmcsParams } from '../../whmcs/encode.js';
import { entityFromParams, type ActionRules, type ReconcileOutcome, type RulesContext } from '../rules.js';
import type { Intent } from '../types.js';
import {
  Findings,
  clientLabel,
  flagOf,
  isBlank,
  isRecord,
  money,
  notSeen,
  positiveId,
  quoted,
  readClient,
  readClientParam,
  readInvoice,
  readOrNull,
  rowsOf,
  snapshotValue,
  statusChange,
  textOf,
  type ClientState,
  type InvoiceLine,
  type Row,
} from './billing-common.js';

// ---- shared reads ------------------------------------------------------------------------------------

const PAGE_SIZE = 100;
/** Lists longer than this many pages are reported as incomplete rather than read to the end. */
const MAX_PAGES = 10;
/** How many invoices a rule reads whole (items and balance) before it stops and says so. */
export const MAX_INVOICE_READS = 50;

/**
 * Every row of a paged list action, deduplicated by id (a row added while paging shifts the rest);
 * `complete` is false when more rows remain than MAX_PAGES pages hold.
 */
export async function listAll(
  ctx: RulesContext,
  action: string,
  params: WhmcsParams,
  key: string,
): Promise<{ rows: Row[]; complete: boolean }> {
  const byId = new Map<string, Row>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await ctx.whmcs.call(action, {
      ...params,
      limitstart: page * PAGE_SIZE,
      limitnum: PAGE_SIZE,
    });
    const batch = rowsOf(reply[key]);
    for (const row of batch) byId.set(textOf(row.id) || `#${byId.size}`, row);
    const total = Number(reply.totalresults);
    // Some WHMCS list actions ignore limitnum and send everything at once.
    if (batch.length < PAGE_SIZE || (Number.isFinite(total) && byId.size >= total)) {
      return { rows: [...byId.values()], complete: true };
    }
  }
  return { rows: [...byId.values()], complete: false };
}

export interface UnpaidInvoice {
  id: number;
  dueDate: string;
  /** What is still owed; the total when the invoice was not read whole. */
  balance: Cents;
  /** The invoice's lines, or null when it was past MAX_INVOICE_READS and not read whole. */
  items: InvoiceLine[] | null;
}

/** The client's Unpaid invoices; the first MAX_INVOICE_READS are read whole (items and balance). */
export async function readUnpaidInvoices(
  clientId: number,
  ctx: RulesContext,
): Promise<{ invoices: UnpaidInvoice[]; complete: boolean }> {
  const listed = await listAll(ctx, 'GetInvoices', { userid: clientId, status: 'Unpaid' }, 'invoices');
  const rows = listed.rows
    .filter((row) => textOf(row.status) === 'Unpaid' && positiveId(row.userid) === clientId)
    .sort((a, b) => (positiveId(a.id) ?? 0) - (positiveId(b.id) ?? 0));
  const invoices: UnpaidInvoice[] = [];
  for (const [index, row] of rows.entries()) {
    const id = positiveId(row.id);
    if (id === null) continue;
    const whole = index < MAX_INVOICE_READS ? await readInvoice(id, ctx) : null;
    if (whole && whole.status !== 'Unpaid') continue;
    invoices.push({
      id,
      dueDate: whole?.dueDate ?? textOf(row.duedate),
      balance: whole ? whole.balance : (parseCents(row.total) ?? 0n),
      items: whole ? whole.items : null,
    });
  }
  return { invoices, complete: listed.complete && rows.length <= MAX_INVOICE_READS };
}

/** Whether an invoice line bills this item: a service (Hosting) or a domain (its three line types). */
export function billsItem(line: InvoiceLine, kind: 'service' | 'domain', id: number): boolean {
  if (line.relId !== id) return false;
  if (kind === 'service') return line.type === 'Hosting' || line.type === 'PromoHosting';
  return line.type === 'Domain' || line.type === 'DomainRegister' || line.type === 'DomainTransfer';
}

/** "invoice 3 (24.95 USD owed, due 2026-11-02)". */
export function unpaidInvoiceLabel(invoice: UnpaidInvoice, currency: string): string {
  return `invoice ${invoice.id} (${money(invoice.balance)} ${currency} owed${invoice.dueDate ? `, due ${invoice.dueDate}` : ''})`;
}

/**
 * Sorts the client's unpaid invoices into those that bill the item and the rest, for warnings.
 * Invoices not read whole are counted apart: whether they bill the item is not known.
 */
export async function unpaidInvoicesFor(
  client: ClientState,
  kind: 'service' | 'domain',
  id: number,
  ctx: RulesContext,
): Promise<{
  billing: UnpaidInvoice[];
  others: UnpaidInvoice[];
  unchecked: UnpaidInvoice[];
  complete: boolean;
}> {
  const { invoices, complete } = await readUnpaidInvoices(client.id, ctx);
  const billing: UnpaidInvoice[] = [];
  const others: UnpaidInvoice[] = [];
  const unchecked: UnpaidInvoice[] = [];
  for (const invoice of invoices) {
    if (invoice.items === null) unchecked.push(invoice);
    else if (invoice.items.some((line) => billsItem(line, kind, id))) billing.push(invoice);
    else others.push(invoice);
  }
  return { billing, others, unchecked, complete };
}

function sumBalances(invoices: readonly UnpaidInvoice[]): Cents {
  return invoices.reduce((sum, invoice) => sum + invoice.balance, 0n);
}

/** A short list of ids for a warning: "4, 8" or "4, 8, 9 and 12 more". */
export function idList(ids: readonly number[], shown = 8): string {
  const head = ids.slice(0, shown).join(', ');
  return ids.length > shown ? `${head} and ${ids.length - shown} more` : head;
}

/** The other unpaid invoices of the client, as one warning line (none when there are none). */
export function otherUnpaidWarning(
  client: ClientState,
  others: readonly UnpaidInvoice[],
  unchecked: readonly UnpaidInvoice[],
): string[] {
  const lines: string[] = [];
  if (others.length > 0) {
    lines.push(
      `${clientLabel(client)} has ${others.length} other unpaid invoice(s) (${idList(others.map((invoice) => invoice.id))}), ${money(sumBalances(others))} ${client.currency} owed in all.`,
    );
  }
  if (unchecked.length > 0) {
    lines.push(
      `${unchecked.length} more unpaid invoice(s) of ${clientLabel(client)} (${idList(unchecked.map((invoice) => invoice.id))}) were not read line by line; check in WHMCS whether they bill this item too.`,
    );
  }
  return lines;
}

/** A readable before -> after for text values, quoted so blanks and spaces show. */
function textChange(before: unknown, after: unknown): string {
  return `${quoted(before)} -> ${quoted(after)}`;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function looksLikeEmail(value: unknown): boolean {
  return EMAIL_PATTERN.test(textOf(value).trim());
}

/** Ids of the clients whose e-mail address is exactly this one (GetClients searches by prefix). */
async function clientsWithEmail(email: string, ctx: RulesContext): Promise<number[]> {
  const reply = await ctx.whmcs.call('GetClients', { search: email, limitnum: PAGE_SIZE });
  const wanted = email.trim().toLowerCase();
  return rowsOf(reply.clients)
    .filter((row) => textOf(row.email).trim().toLowerCase() === wanted)
    .map((row) => positiveId(row.id) ?? 0)
    .filter((id) => id > 0)
    .sort((a, b) => a - b);
}

async function userHasEmail(email: string, ctx: RulesContext): Promise<boolean> {
  const reply = await ctx.whmcs.call('GetUsers', { search: email, limitnum: PAGE_SIZE });
  const wanted = email.trim().toLowerCase();
  return rowsOf(reply.users).some((row) => textOf(row.email).trim().toLowerCase() === wanted);
}

async function currencyCodes(ctx: RulesContext): Promise<Map<number, string>> {
  const reply = await ctx.whmcs.call('GetCurrencies', {});
  return new Map(
    rowsOf(reply.currencies).map((row) => [positiveId(row.id) ?? 0, textOf(row.code)] as [number, string]),
  );
}

/** Parameters that carry card or bank data: never accepted through the write-flow. */
const CARD_PARAMS = [
  'cardtype',
  'cardnum',
  'expdate',
  'startdate',
  'issuenumber',
  'cvv',
  'bankcode',
  'bankacct',
] as const;

function cardParamsGiven(params: Record<string, unknown>): string[] {
  return CARD_PARAMS.filter((name) => !isBlank(params[name]));
}

// ---- AddClient -----------------------------------------------------------------------------------------

const REQUIRED_CONTACT_FIELDS: ReadonlyArray<[param: string, label: string]> = [
  ['firstname', 'first name'],
  ['lastname', 'last name'],
  ['address1', 'address'],
  ['city', 'city'],
  ['state', 'state'],
  ['postcode', 'postcode'],
  ['phonenumber', 'phone number'],
];

/**
 * A new client account. The e-mail address must be free among clients (and among users, unless the
 * client joins an existing user); the password (password2) and security answer are never shown.
 */
export const addClientRules: ActionRules = {
  action: 'AddClient',
  entity: () => ({ kind: 'client', id: null, client_id: null }),
  async check(params, ctx) {
    const findings = new Findings();
    const email = textOf(params.email).trim();
    const skipValidation = flagOf(params.skipvalidation) === true;
    const cards = cardParamsGiven(params);
    if (cards.length > 0) {
      findings.problems.push(
        `Card details (${cards.join(', ')}) are not accepted through the write-flow; add a pay method in WHMCS instead.`,
      );
    }
    if (!looksLikeEmail(email)) findings.problems.push('The e-mail address is missing or not valid.');
    if (!skipValidation) {
      const missing = REQUIRED_CONTACT_FIELDS.filter(([param]) => isBlank(params[param])).map(
        ([, label]) => label,
      );
      if (missing.length > 0) findings.problems.push(`WHMCS requires the ${missing.join(', ')}.`);
      if (!/^[A-Za-z]{2}$/.test(textOf(params.country).trim())) {
        findings.problems.push('The country must be a two-letter ISO code, e.g. "GB".');
      }
    }
    if (findings.problems.length > 0) return findings.outcome();

    const taken = await clientsWithEmail(email, ctx);
    findings.snapshot.clients_with_email = taken.join(',');
    if (taken.length > 0) {
      findings.problems.push(`The e-mail address ${email} is already used by client ${idList(taken)}.`);
      return findings.outcome();
    }
    const owner = positiveId(params.owner_user_id);
    if (owner === null && (await userHasEmail(email, ctx))) {
      findings.problems.push(
        `A WHMCS user already has the e-mail address ${email}; pass owner_user_id to add the client under that user.`,
      );
      return findings.outcome();
    }

    let currency = 'the default currency';
    const currencyId = positiveId(params.currency);
    if (currencyId !== null) {
      const code = (await currencyCodes(ctx)).get(currencyId);
      if (!code) {
        findings.problems.push(`Currency ${currencyId} does not exist in WHMCS.`);
        return findings.outcome();
      }
      currency = code;
    }
    const name = `${textOf(params.firstname)} ${textOf(params.lastname)}`.trim();
    const company = textOf(params.companyname).trim();
    const place = [textOf(params.city).trim(), textOf(params.country).trim().toUpperCase()]
      .filter(Boolean)
      .join(', ');
    findings.impact.push(
      `New client ${quoted(name)}${company ? ` of ${quoted(company)}` : ''}, e-mail ${email}${place ? `, ${place}` : ''}; currency ${currency}; status Active.`,
    );
    findings.impact.push(
      owner !== null
        ? `The client is added under the existing user ${owner}, who becomes its owner.`
        : `A new login user with the e-mail address ${email} becomes its owner.`,
    );
    findings.impact.push(
      isBlank(params.password2)
        ? 'No login password (password2) is given.'
        : 'A login password is set (password2; not shown).',
    );
    if (!isBlank(params.securityqans)) findings.impact.push('A security question answer is set (not shown).');
    if (skipValidation) {
      findings.warnings.push('skipvalidation is set: WHMCS does not check the required profile fields.');
    }
    if (flagOf(params.noemail) !== true) {
      findings.warnings.push(
        `WHMCS e-mails ${email} its sign-up message (customer e-mail); set noemail to prevent it.`,
      );
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const email = textOf(intent.params.email).trim();
    const before = new Set(textOf(snapshotValue(intent, 'clients_with_email')).split(',').filter(Boolean));
    const found = (await clientsWithEmail(email, ctx)).filter((id) => !before.has(String(id)));
    if (found.length > 0) {
      return {
        state: 'executed',
        evidence: `Client ${found.join(', ')} now has the requested e-mail address.`,
      };
    }
    return notSeen(intent, ctx, 'No client has the requested e-mail address.');
  },
  summarize(reply, params) {
    const id = positiveId(reply.clientid);
    const name = `${textOf(params.firstname)} ${textOf(params.lastname)}`.trim();
    return `Client ${id ?? '(id not returned)'} created for ${quoted(name)}.`;
  },
};

// ---- UpdateClient --------------------------------------------------------------------------------------

type FieldKind = 'text' | 'flag' | 'country' | 'currency';

/** UpdateClient parameters this rule compares, with where GetClientsDetails shows the current value. */
const CLIENT_FIELDS: ReadonlyArray<[param: string, detail: string, label: string, kind: FieldKind]> = [
  ['firstname', 'firstname', 'first name', 'text'],
  ['lastname', 'lastname', 'last name', 'text'],
  ['companyname', 'companyname', 'company name', 'text'],
  ['email', 'email', 'e-mail address', 'text'],
  ['address1', 'address1', 'address line 1', 'text'],
  ['address2', 'address2', 'address line 2', 'text'],
  ['city', 'city', 'city', 'text'],
  ['state', 'state', 'state', 'text'],
  ['postcode', 'postcode', 'postcode', 'text'],
  ['country', 'countrycode', 'country', 'country'],
  ['phonenumber', 'phonenumber', 'phone number', 'text'],
  ['tax_id', 'tax_id', 'tax id', 'text'],
  ['language', 'language', 'language', 'text'],
  ['notes', 'notes', 'admin notes', 'text'],
  ['paymentmethod', 'defaultgateway', 'default payment method', 'text'],
  ['groupid', 'groupid', 'client group', 'text'],
  ['currency', 'currency', 'currency', 'currency'],
  ['latefeeoveride', 'latefeeoveride', 'late fee exemption', 'flag'],
  ['overideduenotices', 'overideduenotices', 'overdue notice exemption', 'flag'],
  ['taxexempt', 'taxexempt', 'tax exemption', 'flag'],
  ['separateinvoices', 'separateinvoices', 'separate invoices', 'flag'],
  ['disableautocc', 'disableautocc', 'automatic card charging disabled', 'flag'],
  ['overrideautoclose', 'overrideautoclose', 'auto-close exemption', 'flag'],
  ['marketingoptin', 'marketing_emails_opt_in', 'marketing e-mails opt-in', 'flag'],
];

const EMAIL_PREFERENCE_NAMES = ['general', 'product', 'domain', 'invoice', 'support', 'affiliate'] as const;

interface FieldChange {
  param: string;
  label: string;
  kind: FieldKind;
  before: string;
  after: string;
}

function normalizedValue(kind: FieldKind, value: unknown): string {
  if (kind === 'flag') return flagOf(value) === true ? 'yes' : 'no';
  if (kind === 'country') return textOf(value).trim().toUpperCase();
  if (kind === 'currency') return String(positiveId(value) ?? textOf(value));
  return textOf(value);
}

/** The fields an UpdateClient call would change, compared with the client's details as read. */
function clientChanges(params: Record<string, unknown>, details: Row): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [param, detail, label, kind] of CLIENT_FIELDS) {
    if (params[param] === undefined || params[param] === null) continue;
    const before = normalizedValue(kind, details[detail]);
    const after = normalizedValue(kind, params[param]);
    if (before !== after) changes.push({ param, label, kind, before, after });
  }
  const preferences = isRecord(details.email_preferences) ? details.email_preferences : {};
  for (const name of EMAIL_PREFERENCE_NAMES) {
    const param = `email_preferences[${name}]`;
    if (params[param] === undefined || params[param] === null) continue;
    const before = normalizedValue('flag', preferences[name]);
    const after = normalizedValue('flag', params[param]);
    if (before !== after) changes.push({ param, label: `${name} e-mails`, kind: 'flag', before, after });
  }
  return changes;
}

/** The client an UpdateClient names (clientid, or clientemail), with its raw details. */
async function readUpdateTarget(
  params: Record<string, unknown>,
  ctx: RulesContext,
  findings: Findings,
): Promise<{ client: ClientState; details: Row } | null> {
  let id = positiveId(params.clientid);
  const email = textOf(params.clientemail).trim();
  if (id === null && email !== '') {
    const reply = await readOrNull(ctx, 'GetClientsDetails', { email });
    const found = reply && isRecord(reply.client) ? reply.client : reply;
    id = positiveId(found?.id ?? found?.userid);
  }
  const client = id === null ? null : await readClient(id, ctx);
  const reply = client ? await readOrNull(ctx, 'GetClientsDetails', { clientid: client.id }) : null;
  const details = reply && isRecord(reply.client) ? reply.client : null;
  if (!client || !details) {
    findings.problems.push(`Client ${textOf(params.clientid) || email || '(none)'} was not found.`);
    return null;
  }
  return { client, details };
}

function changeLine(change: FieldChange, codes: ReadonlyMap<number, string>): string {
  if (change.kind === 'flag') return `${change.label} ${change.before} -> ${change.after}`;
  if (change.kind === 'currency') {
    const name = (value: string) => codes.get(Number(value)) ?? `currency ${value}`;
    return `currency ${name(change.before)} -> ${name(change.after)}`;
  }
  return `${change.label} ${textChange(change.before, change.after)}`;
}

/**
 * Contact and preference fields of a client, before -> after. Status changes (closing goes
 * through CloseClient) and card or bank data are refused here.
 */
export const updateClientRules: ActionRules = {
  action: 'UpdateClient',
  entity(params) {
    const entity = entityFromParams(params);
    return entity.kind === 'client' ? entity : { kind: 'client', id: null, client_id: null };
  },
  async check(params, ctx) {
    const findings = new Findings();
    if (!isBlank(params.status)) {
      findings.problems.push(
        'The client status is not changed through UpdateClient here: close a client with CloseClient, and reactivate one in WHMCS.',
      );
    }
    const cards = cardParamsGiven(params);
    if (cards.length > 0 || flagOf(params.clearcreditcard) === true) {
      findings.problems.push(
        `Card and bank details (${[...cards, ...(flagOf(params.clearcreditcard) === true ? ['clearcreditcard'] : [])].join(', ')}) are not changed through the write-flow; manage pay methods in WHMCS.`,
      );
    }
    if (findings.problems.length > 0) return findings.outcome();
    const target = await readUpdateTarget(params, ctx, findings);
    if (!target) return findings.outcome();
    const { client, details } = target;
    findings.snapshot.client_status = client.status;

    const changes = clientChanges(params, details);
    const codes = changes.some((change) => change.kind === 'currency') ? await currencyCodes(ctx) : new Map();
    for (const change of changes) {
      findings.snapshot[`client_${change.param}`] = change.before;
      if (change.kind === 'currency' && !codes.has(Number(change.after))) {
        findings.problems.push(`Currency ${change.after} does not exist in WHMCS.`);
      }
    }
    const emailChange = changes.find((change) => change.param === 'email');
    if (emailChange) {
      if (!looksLikeEmail(emailChange.after)) {
        findings.problems.push('The new e-mail address is not valid.');
      } else {
        const others = (await clientsWithEmail(emailChange.after, ctx)).filter((id) => id !== client.id);
        if (others.length > 0) {
          findings.problems.push(
            `The e-mail address ${emailChange.after} is already used by another client.`,
          );
        }
      }
    }
    const countryChange = changes.find((change) => change.param === 'country');
    if (countryChange && !/^[A-Z]{2}$/.test(countryChange.after)) {
      findings.problems.push('The country must be a two-letter ISO code, e.g. "GB".');
    }
    const unchecked = ['customfields'].filter((name) => !isBlank(params[name]));
    if (changes.length === 0 && unchecked.length === 0) {
      findings.problems.push(`Nothing would change: ${clientLabel(client)} already has these values.`);
    }
    if (findings.problems.length > 0) return findings.outcome();

    for (const change of changes)
      findings.impact.push(`${clientLabel(client)}: ${changeLine(change, codes)}.`);
    if (unchecked.length > 0) {
      findings.impact.push(
        `${clientLabel(client)}: custom fields are set to the encoded values given (not compared here).`,
      );
    }
    if (changes.some((change) => change.kind === 'currency')) {
      findings.warnings.push(
        `Changing the currency affects what WHMCS bills from now on; existing invoices, transactions and the credit balance (${money(client.credit)} ${client.currency}) are not converted.`,
      );
    }
    if (emailChange) {
      findings.warnings.push(
        'WHMCS sends invoices, notices and password resets to the new e-mail address from now on.',
      );
    }
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const findings = new Findings();
    const target = await readUpdateTarget(intent.params, ctx, findings);
    if (!target) return { state: 'unknown', evidence: 'The client could not be read.' };
    const fields = Object.keys(intent.validation?.snapshot ?? {})
      .filter((key) => key.startsWith('client_') && key !== 'client_status')
      .map((key) => key.slice('client_'.length));
    return compareFields(intent, ctx, fields, (param) => {
      const known = CLIENT_FIELDS.find(([name]) => name === param);
      if (known) {
        return {
          now: normalizedValue(known[3], target.details[known[1]]),
          wanted: normalizedValue(known[3], intent.params[param]),
        };
      }
      const preference = /^email_preferences\[(\w+)\]$/.exec(param)?.[1] ?? '';
      const preferences = isRecord(target.details.email_preferences) ? target.details.email_preferences : {};
      return {
        now: normalizedValue('flag', preferences[preference]),
        wanted: normalizedValue('flag', intent.params[param]),
      };
    });
  },
  summarize(_reply, params) {
    const named = Object.keys(params).filter((key) => key !== 'clientid' && key !== 'clientemail');
    return `Client ${textOf(params.clientid) || 'by e-mail'} updated (${named.join(', ') || 'no fields'}).`;
  },
};

/**
 * Settles a field-by-field update: every field as requested is executed, every field as the
 * snapshot recorded is not seen (yet), anything else cannot be told apart from someone else's edit.
 */
export function compareFields(
  intent: Intent,
  ctx: RulesContext,
  fields: readonly string[],
  read: (field: string) => { now: string; wanted: string },
  label = 'client',
  prefix = 'client_',
): ReconcileOutcome {
  if (fields.length === 0)
    return { state: 'unknown', evidence: `No readable field of the ${label} changes.` };
  let asRequested = 0;
  let asBefore = 0;
  for (const field of fields) {
    const { now, wanted } = read(field);
    if (now === wanted) asRequested++;
    else if (now === textOf(snapshotValue(intent, `${prefix}${field}`))) asBefore++;
  }
  if (asRequested === fields.length) {
    return { state: 'executed', evidence: `Every changed field of the ${label} reads as requested.` };
  }
  if (asBefore === fields.length) return notSeen(intent, ctx, `The ${label}'s fields still read as before.`);
  return {
    state: 'unknown',
    evidence: `Some fields of the ${label} read as requested and others do not: check it in WHMCS.`,
  };
}

// ---- AddClientNote -------------------------------------------------------------------------------------

/**
 * A staff note on a client's profile. WHMCS's API has no read of client notes, so an unknown
 * outcome is settled by a person looking at the profile.
 */
export const addClientNoteRules: ActionRules = {
  action: 'AddClientNote',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const client = await readClientParam(params.userid, ctx, findings);
    if (!client) return findings.outcome();
    findings.snapshot.client_status = client.status;
    const note = textOf(params.notes).trim();
    if (note === '') {
      findings.problems.push('The note is empty; WHMCS refuses an empty note.');
      return findings.outcome();
    }
    const sticky = flagOf(params.sticky) === true;
    findings.impact.push(
      `${clientLabel(client)}: a staff note of ${note.length} characters is added${sticky ? ', sticky (shown at the top of the profile)' : ''}: ${quoted(note)}.`,
      'Staff-only: the client does not see it and WHMCS sends no e-mail.',
    );
    return findings.outcome();
  },
  summarize(reply, params) {
    const id = positiveId(reply.noteid);
    return `${id ? `Note ${id}` : 'A note'} added to client ${textOf(params.userid)}.`;
  },
};

// ---- CloseClient ---------------------------------------------------------------------------------------

/** Statuses CloseClient leaves alone, per kind, as WHMCS does. */
const SERVICE_KEPT = new Set(['Terminated', 'Fraud', 'Cancelled']);
const DOMAIN_CANCELLED_FROM = new Set(['Active', 'Pending', 'Pending Registration']);
/** At most this many impact lines per kind of item; the rest are counted. */
const MAX_ITEM_LINES = 15;

function itemLines(lines: string[], noun: string): string[] {
  if (lines.length <= MAX_ITEM_LINES) return lines;
  return [...lines.slice(0, MAX_ITEM_LINES), `... and ${lines.length - MAX_ITEM_LINES} more ${noun}.`];
}

/**
 * Closes an Active client. As WHMCS does, its services and addons become Cancelled, its active and
 * pending domains Cancelled, and its Unpaid and Draft invoices Cancelled: what was owed on them is
 * written off, and that sum is the amount the caps see.
 */
export const closeClientRules: ActionRules = {
  action: 'CloseClient',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const client = await readClientParam(params.clientid, ctx, findings);
    if (!client) return findings.outcome();
    Object.assign(findings.snapshot, {
      client_status: client.status,
      client_credit: money(client.credit),
      currency: client.currency,
    });
    if (client.status !== 'Active') {
      findings.problems.push(`Client ${client.id} is ${client.status}; only an Active client can be closed.`);
      return findings.outcome();
    }
    const [services, addons, domains, unpaid, drafts] = await Promise.all([
      listAll(ctx, 'GetClientsProducts', { clientid: client.id }, 'products'),
      ctx.whmcs.call('GetClientsAddons', { clientid: client.id }),
      listAll(ctx, 'GetClientsDomains', { clientid: client.id }, 'domains'),
      readUnpaidInvoices(client.id, ctx),
      listAll(ctx, 'GetInvoices', { userid: client.id, status: 'Draft' }, 'invoices'),
    ]);
    if (!services.complete || !domains.complete || !unpaid.complete || !drafts.complete) {
      findings.problems.push(
        `${clientLabel(client)} holds more services, domains or invoices than this check reads; close it in WHMCS by hand after reviewing them.`,
      );
      return findings.outcome();
    }

    const serviceRows = services.rows.filter((row) => positiveId(row.clientid) === client.id);
    const cancelledServices = serviceRows.filter((row) => !SERVICE_KEPT.has(textOf(row.status)));
    const addonRows = rowsOf(addons.addons).filter(
      (row) => positiveId(row.userid) === client.id && !SERVICE_KEPT.has(textOf(row.status)),
    );
    const domainRows = domains.rows.filter((row) => positiveId(row.userid) === client.id);
    const cancelledDomains = domainRows.filter((row) => DOMAIN_CANCELLED_FROM.has(textOf(row.status)));
    const draftRows = drafts.rows.filter(
      (row) => positiveId(row.userid) === client.id && textOf(row.status) === 'Draft',
    );
    const writtenOff = sumBalances(unpaid.invoices);

    Object.assign(findings.snapshot, {
      services: serviceRows.map((row) => `${textOf(row.id)}:${textOf(row.status)}`).join(','),
      domains: domainRows.map((row) => `${textOf(row.id)}:${textOf(row.status)}`).join(','),
      unpaid_invoices: unpaid.invoices.map((invoice) => `${invoice.id}:${money(invoice.balance)}`).join(','),
      draft_invoices: draftRows.map((row) => textOf(row.id)).join(','),
    });

    findings.impact.push(`${clientLabel(client)}: ${statusChange('Active', 'Closed')}.`);
    findings.impact.push(
      ...itemLines(
        cancelledServices.map(
          (row) =>
            `Service ${textOf(row.id)} (${[textOf(row.name), textOf(row.domain)].filter(Boolean).join(', ')}): ${statusChange(textOf(row.status), 'Cancelled')}.`,
        ),
        'services',
      ),
      ...itemLines(
        addonRows.map(
          (row) =>
            `Addon ${textOf(row.id)} (${textOf(row.name)}) of service ${textOf(row.serviceid)}: ${statusChange(textOf(row.status), 'Cancelled')}.`,
        ),
        'addons',
      ),
      ...itemLines(
        cancelledDomains.map(
          (row) =>
            `Domain ${textOf(row.id)} (${textOf(row.domainname)}): ${statusChange(textOf(row.status), 'Cancelled')}.`,
        ),
        'domains',
      ),
      ...itemLines(
        unpaid.invoices.map(
          (invoice) =>
            `Invoice ${invoice.id}: ${statusChange('Unpaid', 'Cancelled')}; ${money(invoice.balance)} ${client.currency} no longer owed.`,
        ),
        'invoices',
      ),
      ...itemLines(
        draftRows.map((row) => `Invoice ${textOf(row.id)}: ${statusChange('Draft', 'Cancelled')}.`),
        'draft invoices',
      ),
    );
    if (writtenOff > 0n) {
      findings.impact.push(`In all, ${money(writtenOff)} ${client.currency} owed is written off.`);
    }
    findings.warnings.push(
      `Closing cancels what the client holds, as WHMCS does: ${cancelledServices.length} service(s), ${addonRows.length} addon(s), ${cancelledDomains.length} domain(s) and ${unpaid.invoices.length + draftRows.length} unpaid or draft invoice(s). Only statuses change: accounts stay on their servers and domains at their registrar until they are terminated or expire.`,
    );
    if (client.credit > 0n) {
      findings.warnings.push(
        `The credit balance of ${money(client.credit)} ${client.currency} stays on the closed account; refund it separately if it is owed back.`,
      );
    }
    if (getAction('CloseClient')?.effects.includes('money')) findings.capAt(writtenOff, client.currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const id = positiveId(intent.params.clientid) ?? 0;
    const client = await readClient(id, ctx);
    if (!client) return { state: 'unknown', evidence: `Client ${id} could not be read.` };
    if (client.status === 'Closed') return { state: 'executed', evidence: `Client ${id} is Closed.` };
    if (client.status === snapshotValue(intent, 'client_status'))
      return notSeen(intent, ctx, `Client ${id} is still ${client.status}.`);
    return { state: 'unknown', evidence: `Client ${id} is ${client.status}, neither as before nor Closed.` };
  },
  summarize(_reply, params) {
    return `Client ${textOf(params.clientid)} closed; its services, domains and unpaid invoices are cancelled.`;
  },
};

export const CLIENT_RULES: readonly ActionRules[] = [
  addClientRules,
  updateClientRules,
  addClientNoteRules,
  closeClientRules,
];
