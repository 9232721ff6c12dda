/**
 * Client-area projections: what a client, its statistics, contacts, users, pay methods and credit
 * log look like when they leave the server. Tools, aggregators and resources all build from these,
 * so a client reads the same everywhere. Each schema lists every field that may leave; secrets
 * WHMCS sends beside them (password hashes, security answers, card data, gateway tokens) have no
 * field here and are dropped by construction.
 */
import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { toBool, toDate, toInt, toMoney } from '../../whmcs/normalize.js';
import type { WhmcsReply } from '../define.js';
import { money, untrustedText, whmcsDate } from '../schemas.js';
import { clientRecord, isRow, plainText, type Row, rowsOf, text } from '../shared/fields.js';
import { untrusted } from '../untrusted.js';

// --- amounts ------------------------------------------------------------------------------------

/**
 * Reads an amount that WHMCS formatted for display ("$2,645.80 USD", "€1.234,56 EUR", "-£5.00 GBP",
 * "1,234" for the no-decimals format) as an exact two-place string. GetClientsDetails' statistics
 * only come formatted. The separator followed by one or two final digits is the decimal point;
 * every other separator groups thousands. Null when no amount can be read.
 */
export function parseFormattedAmount(value: unknown): string | null {
  if (typeof value === 'number') return toMoney(value) ?? null;
  if (typeof value !== 'string') return null;
  const plain = toMoney(value);
  if (plain !== undefined) return plain;
  const digits = /\d(?:[\d.,' ]*\d)?/.exec(value);
  if (!digits) return null;
  const before = value.slice(0, digits.index);
  const negative = before.includes('-') || /^\s*\(/.test(value);
  const run = digits[0];
  const decimal = /[.,](\d{1,2})$/.exec(run);
  const whole = (decimal ? run.slice(0, decimal.index) : run).replace(/\D/g, '');
  const amount = toMoney(`${negative ? '-' : ''}${whole || '0'}.${decimal?.[1] ?? '00'}`);
  return amount ?? null;
}

// --- client summary -----------------------------------------------------------------------------

export const clientSummarySchema = z.object({
  id: z.number().int().describe('Client id.'),
  firstname: z.string(),
  lastname: z.string(),
  companyname: z.string().describe('Company name; empty for a private person.'),
  email: z.string(),
  status: z.string().describe('Client status: Active, Inactive or Closed.'),
  datecreated: whmcsDate.describe('Signup date (YYYY-MM-DD); null when the source does not give it.'),
  groupid: z.number().int().describe('Client group id; 0 when the client is in no group.'),
  currency_code: z
    .string()
    .nullable()
    .describe("The client's currency (USD, EUR...); null when the source does not give it."),
});
export type ClientSummary = z.infer<typeof clientSummarySchema>;

/**
 * The short form of a client, from a normalized GetClientsDetails reply or from one GetClients row.
 * `currencyCode` overrides what the source says (e.g. a code resolved through GetCurrencies).
 */
export function projectClientSummary(source: WhmcsReply, currencyCode?: string | null): ClientSummary {
  const client = clientRecord(source);
  return {
    id: toInt(client.id) ?? toInt(client.userid) ?? 0,
    firstname: plainText(client.firstname),
    lastname: plainText(client.lastname),
    companyname: plainText(client.companyname),
    email: plainText(client.email),
    status: plainText(client.status),
    datecreated: toDate(client.datecreated),
    groupid: toInt(client.groupid) ?? 0,
    currency_code: currencyCode !== undefined ? currencyCode : text(client.currency_code),
  };
}

// --- client statistics --------------------------------------------------------------------------

const invoiceBucketSchema = z.object({
  count: z.number().int().nullable(),
  amount: money.nullable().describe("Total in the client's currency; null when WHMCS does not give it."),
});

const countPairSchema = z.object({
  active: z.number().int().nullable(),
  total: z.number().int().nullable(),
});

export const clientStatsSchema = z.object({
  income: money.nullable().describe('Payments received minus gateway fees and refunds.'),
  gross_revenue: money.nullable().describe('Payments received, before fees and refunds.'),
  invoices: z
    .object({
      due: invoiceBucketSchema.describe('Unpaid invoices and their outstanding balance.'),
      overdue: invoiceBucketSchema.describe('Unpaid invoices past their due date.'),
      paid: invoiceBucketSchema,
      draft: invoiceBucketSchema,
      cancelled: invoiceBucketSchema,
      refunded: invoiceBucketSchema,
      collections: invoiceBucketSchema,
      payment_pending: invoiceBucketSchema,
    })
    .describe('Invoice counts and totals by status, as WHMCS counts them.'),
  services: countPairSchema.describe('Products/services: active and all.'),
  domains: countPairSchema,
  tickets: countPairSchema.describe('Support tickets: active (open statuses) and all.'),
  quotes: z.object({ accepted: z.number().int().nullable(), total: z.number().int().nullable() }),
});
export type ClientStats = z.infer<typeof clientStatsSchema>;

/** GetClientsDetails' `stats` block (requested with stats=true), with its formatted amounts read. */
export function projectClientStats(stats: Row): ClientStats {
  const bucket = (countKey: string, amountKey: string) => ({
    count: toInt(stats[countKey]) ?? null,
    amount: parseFormattedAmount(stats[amountKey]),
  });
  const count = (key: string): number | null => toInt(stats[key]) ?? null;
  return {
    income: parseFormattedAmount(stats.income),
    gross_revenue: parseFormattedAmount(stats.grossRevenue),
    invoices: {
      due: bucket('numdueinvoices', 'dueinvoicesbalance'),
      overdue: bucket('numoverdueinvoices', 'overdueinvoicesbalance'),
      paid: bucket('numpaidinvoices', 'paidinvoicesamount'),
      draft: bucket('numDraftInvoices', 'draftInvoicesBalance'),
      cancelled: bucket('numcancelledinvoices', 'cancelledinvoicesamount'),
      refunded: bucket('numrefundedinvoices', 'refundedinvoicesamount'),
      collections: bucket('numcollectionsinvoices', 'collectionsinvoicesamount'),
      payment_pending: bucket('numpaymentpendinginvoices', 'paymentpendinginvoicesamount'),
    },
    services: { active: count('productsnumactive'), total: count('productsnumtotal') },
    domains: { active: count('numactivedomains'), total: count('numdomains') },
    tickets: { active: count('numactivetickets'), total: count('numtickets') },
    quotes: { accepted: count('numacceptedquotes'), total: count('numquotes') },
  };
}

// --- client details -----------------------------------------------------------------------------

const lastLoginSchema = z.object({
  date_as_displayed: z
    .string()
    .describe(
      "Date and time as WHMCS displays them, in the installation's date format (e.g. 03/10/2026 10:26).",
    ),
  ip_address: z.string().nullable(),
  host: z.string().nullable(),
});

const clientUserSchema = z.object({
  id: z.number().int().describe('User id (a login that can manage this client).'),
  name: z.string(),
  email: z.string(),
  is_owner: z.boolean().nullable(),
});

export const clientDetailsSchema = clientSummarySchema.extend({
  fullname: z.string(),
  uuid: z.string().nullable(),
  address1: z.string(),
  address2: z.string(),
  city: z.string(),
  state: z.string(),
  postcode: z.string(),
  country: z.string().describe('ISO 3166 country code.'),
  countryname: z.string().nullable(),
  phonenumber: z.string(),
  phonenumber_formatted: z.string().nullable().describe('International form, e.g. +44.1234567890.'),
  tax_id: z.string().nullable(),
  language: z.string().nullable().describe('Preferred language; null for the system default.'),
  currency_id: z.number().int().nullable(),
  credit_balance: money.nullable().describe("Credit balance in the client's currency."),
  default_gateway: z
    .string()
    .nullable()
    .describe('Default payment gateway module; null for the system default.'),
  billing_contact_id: z
    .number()
    .int()
    .nullable()
    .describe('Contact invoices go to; null for the client itself.'),
  email_verified: z.boolean().nullable(),
  tax_exempt: z.boolean().nullable(),
  late_fee_override: z.boolean().nullable(),
  override_due_notices: z.boolean().nullable(),
  separate_invoices: z.boolean().nullable(),
  disable_auto_cc: z.boolean().nullable().describe('True when automatic card capture is disabled.'),
  email_opt_out: z.boolean().nullable(),
  marketing_emails_opt_in: z.boolean().nullable(),
  email_preferences: z
    .record(z.string(), z.boolean())
    .describe('Which kinds of email the client receives (general, invoice, support, product, domain...).'),
  last_login: lastLoginSchema.nullable().describe('Null when the client never logged in.'),
  owner_user_id: z.number().int().nullable(),
  users: z.array(clientUserSchema).describe('Users (logins) linked to this client.'),
  custom_fields: z.array(
    z.object({
      id: z.number().int(),
      label: z
        .string()
        .nullable()
        .describe('Name from MCP_CLIENT_CUSTOM_FIELD_LABELS; null when not configured.'),
      value: untrustedText,
    }),
  ),
  notes: untrustedText.describe('Admin notes on the client profile.'),
  stats: clientStatsSchema.nullable().describe('Null when statistics were not requested or not given.'),
});
export type ClientDetails = z.infer<typeof clientDetailsSchema>;

/** "Date: 03/10/2016 10:26<br>IP Address: 1.2.3.4<br>Host: x" as WHMCS sends it; null for no login. */
export function parseLastLogin(value: unknown): ClientDetails['last_login'] {
  const raw = plainText(value).trim();
  const parts = raw.split(/<br\s*\/?>/i).map((part) => part.replace(/<[^>]*>/g, '').trim());
  const field = (label: string): string | null => {
    const part = parts.find((entry) => entry.toLowerCase().startsWith(`${label.toLowerCase()}:`));
    return part === undefined ? null : part.slice(label.length + 1).trim() || null;
  };
  const date = field('Date') ?? (parts.length === 1 ? text(parts[0]) : null);
  if (date === null || /no login/i.test(date)) return null;
  return { date_as_displayed: date, ip_address: field('IP Address'), host: field('Host') };
}

export interface ClientDetailsOptions {
  /** Custom field id -> label (MCP_CLIENT_CUSTOM_FIELD_LABELS). */
  customFieldLabels: ReadonlyMap<number, string>;
  /** The client's currency code when the reply lacks `currency_code` (resolved via GetCurrencies). */
  currencyCode?: string | null;
}

/** The full client, from a normalized GetClientsDetails reply (with `stats` when it was asked for). */
export function projectClientDetails(reply: WhmcsReply, options: ClientDetailsOptions): ClientDetails {
  const client = clientRecord(reply);
  const summary = projectClientSummary(reply, options.currencyCode);
  const flag = (key: string): boolean | null => toBool(client[key]) ?? null;
  const preferences: Record<string, boolean> = {};
  if (isRow(client.email_preferences)) {
    for (const [name, value] of Object.entries(client.email_preferences)) {
      const enabled = toBool(value);
      if (enabled !== undefined) preferences[name] = enabled;
    }
  }
  const billingContact = toInt(client.billingcid);
  return {
    ...summary,
    fullname: plainText(client.fullname) || `${summary.firstname} ${summary.lastname}`.trim(),
    uuid: text(client.uuid),
    address1: plainText(client.address1),
    address2: plainText(client.address2),
    city: plainText(client.city),
    state: plainText(client.state),
    postcode: plainText(client.postcode),
    country: plainText(client.countrycode) || plainText(client.country),
    countryname: text(client.countryname),
    phonenumber: plainText(client.phonenumber),
    phonenumber_formatted: text(client.phonenumberformatted),
    tax_id: text(client.tax_id),
    language: text(client.language),
    currency_id: toInt(client.currency) ?? null,
    credit_balance: toMoney(client.credit) ?? null,
    default_gateway: text(client.defaultgateway),
    billing_contact_id: billingContact === undefined || billingContact === 0 ? null : billingContact,
    email_verified: flag('email_verified'),
    tax_exempt: flag('taxexempt'),
    late_fee_override: flag('latefeeoveride'),
    override_due_notices: flag('overideduenotices'),
    separate_invoices: flag('separateinvoices'),
    disable_auto_cc: flag('disableautocc'),
    email_opt_out: flag('emailoptout'),
    marketing_emails_opt_in: flag('marketing_emails_opt_in') ?? flag('isOptedInToMarketingEmails'),
    email_preferences: preferences,
    last_login: parseLastLogin(client.lastlogin),
    owner_user_id: toInt(client.owner_user_id) || null,
    users: rowsOf(client.users).map((user) => ({
      id: toInt(user.id) ?? 0,
      name: plainText(user.name),
      email: plainText(user.email),
      is_owner: toBool(user.is_owner) ?? null,
    })),
    custom_fields: rowsOf(client.customfields).map((field) => {
      const id = toInt(field.id) ?? 0;
      return {
        id,
        label: options.customFieldLabels.get(id) ?? null,
        value: untrusted(plainText(field.value), 'customer'),
      };
    }),
    notes: untrusted(plainText(client.notes), 'staff'),
    stats: isRow(reply.stats) ? projectClientStats(reply.stats) : null,
  };
}

// --- contacts -----------------------------------------------------------------------------------

export const contactSchema = z.object({
  id: z.number().int().describe('Contact id.'),
  client_id: z.number().int(),
  firstname: z.string(),
  lastname: z.string(),
  companyname: z.string().nullable(),
  email: z.string(),
  address1: z.string(),
  address2: z.string(),
  city: z.string(),
  state: z.string(),
  postcode: z.string(),
  country: z.string(),
  phonenumber: z.string(),
  email_preferences: z
    .object({
      general: z.boolean().nullable(),
      invoice: z.boolean().nullable(),
      support: z.boolean().nullable(),
      product: z.boolean().nullable(),
      domain: z.boolean().nullable(),
      affiliate: z.boolean().nullable(),
    })
    .describe('Which kinds of email are copied to this contact.'),
  created_at: whmcsDate,
  updated_at: whmcsDate,
});
export type ContactRecord = z.infer<typeof contactSchema>;

/** One GetContacts row. */
export function projectContact(row: Row): ContactRecord {
  const flag = (key: string): boolean | null => toBool(row[key]) ?? null;
  return {
    id: toInt(row.id) ?? 0,
    client_id: toInt(row.userid) ?? 0,
    firstname: plainText(row.firstname),
    lastname: plainText(row.lastname),
    companyname: text(row.companyname),
    email: plainText(row.email),
    address1: plainText(row.address1),
    address2: plainText(row.address2),
    city: plainText(row.city),
    state: plainText(row.state),
    postcode: plainText(row.postcode),
    country: plainText(row.country),
    phonenumber: plainText(row.phonenumber),
    email_preferences: {
      general: flag('generalemails'),
      invoice: flag('invoiceemails'),
      support: flag('supportemails'),
      product: flag('productemails'),
      domain: flag('domainemails'),
      affiliate: flag('affiliateemails'),
    },
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

// --- users --------------------------------------------------------------------------------------

export const userSchema = z.object({
  id: z.number().int().describe('User id (a login; one user can manage several clients).'),
  name: z.string().describe('Full name.'),
  firstname: z.string().nullable(),
  lastname: z.string().nullable(),
  email: z.string(),
  datecreated: whmcsDate,
  clients: z
    .array(z.object({ client_id: z.number().int(), is_owner: z.boolean().nullable() }))
    .describe('Client accounts this user may manage (in client mode, only the visible ones).'),
});
export type UserRecord = z.infer<typeof userSchema>;

/** One GetUsers row; `visibleClient` hides links to clients the caller may not see. */
export function projectUser(row: Row, visibleClient: (clientId: number) => boolean = () => true): UserRecord {
  const firstname = plainText(row.firstname);
  const lastname = plainText(row.lastname);
  return {
    id: toInt(row.id) ?? 0,
    name: `${firstname} ${lastname}`.trim(),
    firstname,
    lastname,
    email: plainText(row.email),
    datecreated: toDate(row.datecreated),
    clients: userClientIds(row)
      .filter((link) => visibleClient(link.client_id))
      .map((link) => ({ client_id: link.client_id, is_owner: link.is_owner })),
  };
}

/** The client links of a GetUsers row. */
export function userClientIds(row: Row): Array<{ client_id: number; is_owner: boolean | null }> {
  return rowsOf(row.clients).flatMap((link) => {
    const clientId = toInt(link.id);
    if (clientId === undefined) return [];
    return [{ client_id: clientId, is_owner: toBool(link.isOwner ?? link.is_owner) ?? null }];
  });
}

// --- pay methods --------------------------------------------------------------------------------

export const payMethodSchema = z.object({
  id: z.number().int().describe('Pay method id.'),
  type: z
    .string()
    .describe('CreditCard, RemoteCreditCard (tokenised at the gateway), BankAccount or RemoteBankAccount.'),
  description: z.string(),
  card_type: z.string().nullable().describe('Visa, MasterCard...; null for bank accounts.'),
  card_last_four: z.string().nullable().describe('Last four digits of the card; null for bank accounts.'),
  expiry: z.string().nullable().describe('Card expiry as MM/YY; null for bank accounts.'),
  bank_name: z.string().nullable(),
  gateway_name: z
    .string()
    .nullable()
    .describe('Gateway module holding the token; null for locally stored methods.'),
  is_default: z
    .boolean()
    .describe(
      "True for the first pay method in the client's order of preference: the one WHMCS charges first.",
    ),
});
export type PayMethodRecord = z.infer<typeof payMethodSchema>;

/** MM/YY from WHMCS's expiry forms (MM/YY, MM/YYYY, MMYY); null for anything else. */
function expiryOf(value: unknown): string | null {
  const match = /^(\d{2})\s*\/?\s*(?:\d{2})?(\d{2})$/.exec(plainText(value).trim());
  return match ? `${match[1]}/${match[2]}` : null;
}

/**
 * One GetPayMethods row, masked: only the card's last four digits, its type and expiry. The remote
 * token, full numbers and bank account numbers have no field and never leave.
 */
export function projectPayMethod(row: Row, isDefault: boolean): PayMethodRecord {
  const lastFour = plainText(row.card_last_four).trim();
  return {
    id: toInt(row.id) ?? 0,
    type: plainText(row.type),
    description: plainText(row.description),
    card_type: text(row.card_type),
    card_last_four: /^\d{4}$/.test(lastFour) ? lastFour : null,
    expiry: expiryOf(row.expiry_date),
    bank_name: text(row.bank_name),
    gateway_name: text(row.gateway_name),
    is_default: isDefault,
  };
}

// --- credit log ---------------------------------------------------------------------------------

export const creditEntrySchema = z.object({
  id: z.number().int(),
  date: whmcsDate,
  description: z.string(),
  amount: money.describe('Positive when credit was added, negative when it was applied or removed.'),
  relid: z
    .number()
    .int()
    .nullable()
    .describe(
      'Related record WHMCS links the entry to (e.g. the invoice credit was applied to); null for none.',
    ),
});
export type CreditEntry = z.infer<typeof creditEntrySchema>;

/** One GetCredits row. An amount that is not a number fails the call: an amount is never guessed. */
export function projectCreditEntry(row: Row): CreditEntry {
  const amount = toMoney(row.amount);
  if (amount === undefined) {
    throw new WhmcsMcpError('upstream_error', 'WHMCS sent a credit log entry without a readable amount.', {
      internal: `GetCredits entry ${plainText(row.id)} amount ${JSON.stringify(row.amount)}`,
    });
  }
  const relid = toInt(row.relid);
  return {
    id: toInt(row.id) ?? 0,
    date: toDate(row.date),
    description: plainText(row.description),
    amount,
    relid: relid === undefined || relid === 0 ? null : relid,
  };
}
