/**
 * The sandbox's in-memory WHMCS database. Records are compact and typed (money as bigint cents,
 * dates as the strings WHMCS stores, flags as booleans); handlers render them into WHMCS's reply
 * shapes only when answering. Every table is a Map keyed by id and every "records of client X"
 * question goes through an index, so single-record reads are O(1) at 20,000 clients.
 */
import type { Cents } from '../money.js';
import { populateSandbox } from './seed.js';

// ---------------------------------------------------------------------------------------------
// Dates: WHMCS stores `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS`, with zeros for "never". The sandbox
// works in UTC so the same seed gives the same dates on every machine.

/** A calendar date as WHMCS stores it (`YYYY-MM-DD`), or ZERO_DATE. */
export type Day = string;
/** A timestamp as WHMCS stores it (`YYYY-MM-DD HH:MM:SS`), or ZERO_DATETIME. */
export type DateTime = string;

export const ZERO_DATE: Day = '0000-00-00';
export const ZERO_DATETIME: DateTime = '0000-00-00 00:00:00';

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));

export function formatDay(date: Date): Day {
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

export function formatDateTime(date: Date): DateTime {
  return `${formatDay(date)} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Parses `YYYY-MM-DD[ HH:MM[:SS]]` as UTC; undefined for anything else, including zero dates. */
export function parseWhmcsDate(text: string): Date | undefined {
  const match = DAY_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, y, m, d, hh = '0', mm = '0', ss = '0'] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d), Number(hh), Number(mm), Number(ss)));
  // Reject 2025-02-31 and friends rather than rolling them over into the next month.
  if (formatDay(date) !== `${y}-${m}-${d}`) return undefined;
  return date;
}

const MS_PER_DAY = 86_400_000;

export function addDays(day: Day, days: number): Day {
  const date = parseWhmcsDate(day);
  if (!date) return day;
  return formatDay(new Date(date.getTime() + days * MS_PER_DAY));
}

/** Adds calendar months, clamping to the month's last day as WHMCS's next-due-date logic does. */
export function addMonths(day: Day, months: number): Day {
  const date = parseWhmcsDate(day);
  if (!date) return day;
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return formatDay(target);
}

export function isZeroDate(value: string): boolean {
  return value === '' || value.startsWith('0000-00-00');
}

// ---------------------------------------------------------------------------------------------
// Status vocabularies, spelled as WHMCS spells them in replies.

export const CLIENT_STATUSES = ['Active', 'Inactive', 'Closed'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

export const SERVICE_STATUSES = [
  'Pending',
  'Active',
  'Suspended',
  'Terminated',
  'Cancelled',
  'Fraud',
  'Completed',
] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const DOMAIN_STATUSES = [
  'Pending',
  'Pending Registration',
  'Pending Transfer',
  'Active',
  'Grace',
  'Redemption',
  'Expired',
  'Transferred Away',
  'Cancelled',
  'Fraud',
] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

export const INVOICE_STATUSES = [
  'Draft',
  'Unpaid',
  'Paid',
  'Cancelled',
  'Refunded',
  'Collections',
  'Payment Pending',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const ORDER_STATUSES = ['Pending', 'Active', 'Cancelled', 'Fraud'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TICKET_PRIORITIES = ['Low', 'Medium', 'High'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const QUOTE_STAGES = ['Draft', 'Delivered', 'On Hold', 'Accepted', 'Lost', 'Dead'] as const;
export type QuoteStage = (typeof QUOTE_STAGES)[number];

/** Billing cycles as WHMCS displays them; `cycleFromInput` maps the lowercase API spellings. */
export const BILLING_CYCLES = [
  'Free Account',
  'One Time',
  'Monthly',
  'Quarterly',
  'Semi-Annually',
  'Annually',
  'Biennially',
  'Triennially',
] as const;
export type BillingCycle = (typeof BILLING_CYCLES)[number];

/** Months each cycle covers; 0 for cycles that never renew. */
export const CYCLE_MONTHS: Readonly<Record<BillingCycle, number>> = {
  'Free Account': 0,
  'One Time': 0,
  Monthly: 1,
  Quarterly: 3,
  'Semi-Annually': 6,
  Annually: 12,
  Biennially: 24,
  Triennially: 36,
};

/** Email preference bits, in the order GetClientsDetails lists them. */
export const EMAIL_PREFERENCES = ['general', 'invoice', 'support', 'product', 'domain', 'affiliate'] as const;
export type EmailPreference = (typeof EMAIL_PREFERENCES)[number];
export const ALL_EMAIL_PREFERENCES = (1 << EMAIL_PREFERENCES.length) - 1;

export function emailPreferenceBit(name: EmailPreference): number {
  return 1 << EMAIL_PREFERENCES.indexOf(name);
}

// ---------------------------------------------------------------------------------------------
// Configuration-like records (small tables).

export interface Currency {
  id: number;
  code: string;
  prefix: string;
  suffix: string;
  /** WHMCS's number format id (1 = 1234.56). */
  format: number;
  /** Exchange rate against the default currency, five places as WHMCS stores it ("0.92000"). */
  rate: string;
  isDefault: boolean;
}

export interface PaymentGateway {
  /** System name ("stripe", "paypal"): what invoices and transactions store. */
  module: string;
  displayName: string;
  /** Card gateways can capture stored pay methods (CapturePayment, ccgateway in GetInvoice). */
  capturesCards: boolean;
}

export interface Admin {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  notes: string;
  signature: string;
  /** Support departments the admin is assigned to. */
  departmentIds: number[];
  permissions: string[];
  disabled: boolean;
}

export interface ClientCustomFieldDefinition {
  id: number;
  name: string;
}

export interface ProductGroup {
  id: number;
  name: string;
  slug: string;
  hidden: boolean;
}

export type ProductType = 'hostingaccount' | 'reselleraccount' | 'server' | 'other';
export type PayType = 'free' | 'onetime' | 'recurring';

/** Per-currency prices in cents; undefined means the cycle is not offered ("-1.00" in replies). */
export interface ProductPricing {
  setupFee: Partial<Record<BillingCycle, Cents>>;
  recurring: Partial<Record<BillingCycle, Cents>>;
}

export interface ProductConfigOptionChoice {
  id: number;
  name: string;
  /** Monthly price per currency id. */
  monthly: ReadonlyMap<number, Cents>;
}

export interface ProductConfigOption {
  id: number;
  name: string;
  /** WHMCS option type code: 1 dropdown, 2 radio, 3 yes/no, 4 quantity. */
  type: number;
  minQty: number;
  maxQty: number;
  choices: ProductConfigOptionChoice[];
}

export interface ProductCustomField {
  id: number;
  name: string;
  description: string;
  required: boolean;
}

export interface Product {
  id: number;
  groupId: number;
  type: ProductType;
  name: string;
  slug: string;
  description: string;
  /** Provisioning module ("cpanel"); empty when the product is not provisioned by a module. */
  module: string;
  payType: PayType;
  allowQuantity: number;
  stockControl: boolean;
  quantityAvailable: number;
  /** Keyed by currency id. */
  pricing: ReadonlyMap<number, ProductPricing>;
  customFields: ProductCustomField[];
  configOptions: ProductConfigOption[];
  hidden: boolean;
}

/** A predefined product addon (tbladdons). */
export interface ProductAddon {
  id: number;
  name: string;
  description: string;
  billingCycle: BillingCycle;
  /** Keyed by currency id. */
  setupFee: ReadonlyMap<number, Cents>;
  recurring: ReadonlyMap<number, Cents>;
}

export interface Server {
  id: number;
  name: string;
  hostname: string;
  ipAddress: string;
  module: string;
  active: boolean;
  maxAccounts: number;
  disabled: boolean;
}

/** Prices per registration period in years, in cents of the default currency. */
export interface TldPricing {
  tld: string;
  categories: string[];
  group: string;
  dnsManagement: boolean;
  emailForwarding: boolean;
  idProtection: boolean;
  gracePeriodDays: number | null;
  redemptionPeriodDays: number | null;
  register: ReadonlyMap<number, Cents>;
  transfer: ReadonlyMap<number, Cents>;
  renew: ReadonlyMap<number, Cents>;
  /** Registrar module that serves the TLD; empty for TLDs WHOIS cannot look up. */
  whoisServer: string;
}

export interface SupportDepartment {
  id: number;
  name: string;
  description: string;
  email: string;
  hidden: boolean;
}

export interface TicketStatusDefinition {
  title: string;
  color: string;
  /** Counted as active ("All Active Tickets"). */
  showActive: boolean;
  /** Counted as awaiting a staff reply. */
  showAwaiting: boolean;
  sortOrder: number;
}

export type EmailTemplateType =
  'general' | 'product' | 'domain' | 'invoice' | 'support' | 'affiliate' | 'admin';

export interface EmailTemplate {
  id: number;
  type: EmailTemplateType;
  name: string;
  subject: string;
  custom: boolean;
  language: string;
  disabled: boolean;
}

export interface Promotion {
  id: number;
  code: string;
  type: 'Percentage' | 'Fixed Amount' | 'Price Override' | 'Free Setup';
  recurring: boolean;
  /** Percentage in hundredths of a percent, or an amount in cents, depending on type. */
  value: Cents;
  cycles: string;
  appliesTo: number[];
  requires: number[];
  requiresExisting: boolean;
  startDate: Day;
  expirationDate: Day;
  maxUses: number;
  uses: number;
  lifetimePromo: boolean;
  applyOnce: boolean;
  newSignups: boolean;
  existingClient: boolean;
  oncePerClient: boolean;
  recurFor: number;
  upgrades: boolean;
  notes: string;
}

// ---------------------------------------------------------------------------------------------
// Client records.

export interface ClientCustomFieldValue {
  fieldId: number;
  value: string;
}

export interface Client {
  id: number;
  uuid: string;
  ownerUserId: number;
  firstname: string;
  lastname: string;
  companyname: string;
  email: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  postcode: string;
  /** ISO 3166 alpha-2. */
  country: string;
  phonenumber: string;
  taxId: string;
  status: ClientStatus;
  currencyId: number;
  groupId: number;
  /** Credit balance in the client's currency. */
  credit: Cents;
  defaultGateway: string;
  /** Contact id invoices go to; 0 for the client itself. */
  billingContactId: number;
  language: string;
  notes: string;
  dateCreated: Day;
  lastLogin: DateTime;
  lastLoginIp: string;
  emailPreferences: number;
  taxExempt: boolean;
  lateFeeOverride: boolean;
  overrideDueNotices: boolean;
  separateInvoices: boolean;
  disableAutoCc: boolean;
  emailOptOut: boolean;
  marketingOptIn: boolean;
  overrideAutoClose: boolean;
  allowSingleSignOn: boolean;
  emailVerified: boolean;
  customFields: ClientCustomFieldValue[];
  /** Secrets WHMCS keeps on the account; never rendered by any emulated read. */
  securityQuestionId: number;
  securityAnswer: string;
  passwordHash: string;
}

export interface Contact {
  id: number;
  clientId: number;
  firstname: string;
  lastname: string;
  companyname: string;
  email: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  phonenumber: string;
  emailPreferences: number;
  createdAt: DateTime;
  updatedAt: DateTime;
}

export interface UserClientLink {
  clientId: number;
  isOwner: boolean;
}

/** A WHMCS 8 user: a login that can own or manage several client accounts. */
export interface User {
  id: number;
  firstname: string;
  lastname: string;
  email: string;
  dateCreated: DateTime;
  language: string;
  passwordHash: string;
  securityQuestionId: number;
  securityAnswer: string;
  emailVerified: boolean;
  clients: UserClientLink[];
}

export type PayMethodType = 'CreditCard' | 'RemoteCreditCard' | 'BankAccount' | 'RemoteBankAccount';

export interface PayMethod {
  id: number;
  clientId: number;
  type: PayMethodType;
  description: string;
  gateway: string;
  cardType: string;
  cardLastFour: string;
  /** `MM/YY`; empty for bank accounts. */
  expiryDate: string;
  startDate: string;
  issueNumber: string;
  bankName: string;
  /** Gateway token (secret). */
  remoteToken: string;
  /** WHMCS shows `DD/MM/YYYY HH:MM`. */
  lastUpdated: string;
  isDefault: boolean;
}

export interface ClientNote {
  id: number;
  clientId: number;
  adminId: number;
  created: DateTime;
  modified: DateTime;
  note: string;
  sticky: boolean;
}

// ---------------------------------------------------------------------------------------------
// Products and domains a client holds.

export interface ServiceConfigOptionValue {
  optionId: number;
  /** The chosen value as WHMCS renders it (choice name, or a quantity). */
  value: string;
}

/** A client's product/service (tblhosting). */
export interface Service {
  id: number;
  clientId: number;
  orderId: number;
  productId: number;
  serverId: number;
  quantity: number;
  regDate: Day;
  domain: string;
  dedicatedIp: string;
  assignedIps: string;
  status: ServiceStatus;
  billingCycle: BillingCycle;
  nextDueDate: Day;
  terminationDate: Day;
  firstPaymentAmount: Cents;
  recurringAmount: Cents;
  paymentMethod: string;
  username: string;
  /** Service password (secret; GetClientsProducts returns it as WHMCS does). */
  password: string;
  suspensionReason: string;
  subscriptionId: string;
  promoId: number;
  overrideAutoSuspend: boolean;
  overrideSuspendUntil: Day;
  ns1: string;
  ns2: string;
  notes: string;
  diskUsage: number;
  diskLimit: number;
  bandwidthUsage: number;
  bandwidthLimit: number;
  lastUpdate: DateTime;
  configOptions: ServiceConfigOptionValue[];
}

/** A client's addon on a service (tblhostingaddons). */
export interface ServiceAddon {
  id: number;
  clientId: number;
  orderId: number;
  serviceId: number;
  /** Predefined addon id (tbladdons); 0 for a custom addon. */
  addonId: number;
  name: string;
  quantity: number;
  setupFee: Cents;
  recurring: Cents;
  billingCycle: BillingCycle;
  status: ServiceStatus;
  regDate: Day;
  nextDueDate: Day;
  nextInvoiceDate: Day;
  paymentMethod: string;
  notes: string;
}

export type DomainRegType = 'Register' | 'Transfer';

export interface Domain {
  id: number;
  clientId: number;
  orderId: number;
  regType: DomainRegType;
  domainName: string;
  registrar: string;
  regPeriod: number;
  firstPaymentAmount: Cents;
  recurringAmount: Cents;
  paymentMethod: string;
  regDate: Day;
  expiryDate: Day;
  nextDueDate: Day;
  status: DomainStatus;
  subscriptionId: string;
  promoId: number;
  dnsManagement: boolean;
  emailForwarding: boolean;
  idProtection: boolean;
  doNotRenew: boolean;
  notes: string;
  nameservers: string[];
  locked: boolean;
  eppCode: string;
}

// ---------------------------------------------------------------------------------------------
// Billing.

export type InvoiceItemType =
  | 'Hosting'
  | 'Addon'
  | 'Domain'
  | 'DomainRegister'
  | 'DomainTransfer'
  | 'Item'
  | 'Setup'
  | 'PromoHosting'
  | '';

export interface InvoiceItem {
  id: number;
  type: InvoiceItemType;
  relId: number;
  description: string;
  amount: Cents;
  taxed: boolean;
}

export interface Invoice {
  id: number;
  clientId: number;
  invoiceNum: string;
  date: Day;
  dueDate: Day;
  datePaid: DateTime;
  lastCaptureAttempt: DateTime;
  dateRefunded: DateTime;
  dateCancelled: DateTime;
  /** Sum of the items. */
  subtotal: Cents;
  /** Credit applied from the client's balance; already subtracted from total. */
  credit: Cents;
  tax: Cents;
  tax2: Cents;
  /** subtotal + tax + tax2 - credit. */
  total: Cents;
  /** Percent with three places as WHMCS stores it ("20.000"). */
  taxRate: string;
  taxRate2: string;
  status: InvoiceStatus;
  paymentMethod: string;
  payMethodId: number | null;
  notes: string;
  createdAt: DateTime;
  updatedAt: DateTime;
  items: InvoiceItem[];
}

export interface Transaction {
  id: number;
  clientId: number;
  /** 0 when the transaction belongs to a client (the client's currency applies). */
  currencyId: number;
  gateway: string;
  date: DateTime;
  description: string;
  amountIn: Cents;
  fees: Cents;
  amountOut: Cents;
  rate: string;
  transId: string;
  invoiceId: number;
  /** For a refund, the id of the payment transaction it refunds. */
  refundId: number;
}

export interface CreditEntry {
  id: number;
  clientId: number;
  adminId: number;
  date: Day;
  description: string;
  /** Positive when credit was added, negative when it was used or removed. */
  amount: Cents;
  /** Invoice the credit relates to, or 0. */
  relId: number;
}

/** A gateway's answer to a capture or callback (tblgatewaylog). */
export interface GatewayLogEntry {
  id: number;
  date: DateTime;
  gateway: string;
  data: string;
  result: 'Success' | 'Declined' | 'Error';
  invoiceId: number;
}

export interface Order {
  id: number;
  orderNum: number;
  clientId: number;
  contactId: number;
  requestorId: number;
  adminRequestorId: number;
  date: DateTime;
  nameservers: string;
  transferSecret: string;
  promoCode: string;
  promoType: string;
  promoValue: string;
  amount: Cents;
  paymentMethod: string;
  invoiceId: number;
  status: OrderStatus;
  ipAddress: string;
  fraudModule: string;
  fraudOutput: string;
  notes: string;
}

export interface QuoteItem {
  id: number;
  description: string;
  quantity: number;
  unitPrice: Cents;
  /** Discount percentage in hundredths (250 = 2.50%). */
  discountBasisPoints: number;
  taxable: boolean;
}

export interface Quote {
  id: number;
  subject: string;
  stage: QuoteStage;
  validUntil: Day;
  /** 0 for a quote to a prospect who is not a client yet. */
  clientId: number;
  firstname: string;
  lastname: string;
  companyname: string;
  email: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  phonenumber: string;
  taxId: string;
  currencyId: number;
  subtotal: Cents;
  tax1: Cents;
  tax2: Cents;
  total: Cents;
  proposal: string;
  customerNotes: string;
  adminNotes: string;
  dateCreated: Day;
  lastModified: Day;
  dateSent: Day;
  dateAccepted: Day;
  items: QuoteItem[];
}

// ---------------------------------------------------------------------------------------------
// Support.

export type RequestorType =
  'Owner' | 'Authorized User' | 'Registered User' | 'Sub-Account' | 'Guest' | 'Operator';

export interface TicketReply {
  id: number;
  clientId: number;
  contactId: number;
  /** Name and email of a guest or client author; empty for staff. */
  name: string;
  email: string;
  /** Admin display name for staff replies; empty otherwise. */
  admin: string;
  requestorType: RequestorType;
  date: DateTime;
  message: string;
  attachment: string;
  rating: number;
}

export interface TicketNote {
  id: number;
  date: DateTime;
  message: string;
  admin: string;
}

export interface Ticket {
  id: number;
  /** Public ticket number shown to clients ("516757"). */
  tid: string;
  /** Access code used in client-area links. */
  c: string;
  departmentId: number;
  clientId: number;
  contactId: number;
  /** Guest name/email (or the client's at the time of opening). */
  name: string;
  email: string;
  cc: string;
  date: DateTime;
  subject: string;
  /** The opening message; replies follow in `replies`. */
  message: string;
  openedByAdmin: string;
  requestorType: RequestorType;
  attachment: string;
  status: string;
  priority: TicketPriority;
  /** Display name of the admin who last replied. */
  admin: string;
  lastReply: DateTime;
  /** Admin id the ticket is flagged to, or 0. */
  flag: number;
  /** "S<serviceid>" or "D<domainid>" when the ticket concerns one. */
  service: string;
  replies: TicketReply[];
  notes: TicketNote[];
}

// ---------------------------------------------------------------------------------------------
// Logs and admin lists.

export interface ActivityLogEntry {
  id: number;
  date: DateTime;
  description: string;
  /** Admin username, or the client's email for client-area actions. */
  username: string;
  clientId: number;
  userId: number;
  adminId: number;
  ipAddress: string;
}

export interface ToDoItem {
  id: number;
  date: Day;
  title: string;
  description: string;
  adminId: number;
  status: 'New' | 'Pending' | 'In Progress' | 'Completed' | 'Postponed';
  dueDate: Day;
}

export interface AutomationLogEntry {
  id: number;
  date: DateTime;
  /** Task namespace ("Invoices", "OverdueSuspensions", "DomainRenewalNotices"). */
  namespace: string;
  successCount: number;
  failureCount: number;
}

export interface EmailLogEntry {
  id: number;
  clientId: number;
  date: DateTime;
  to: string;
  subject: string;
  message: string;
  templateName: string;
  relatedId: number;
}

// ---------------------------------------------------------------------------------------------
// The state itself.

/** One-to-many index: owner id -> ids of owned records, in insertion (= id) order. */
export class IdIndex {
  private readonly lists = new Map<number, number[]>();

  add(owner: number, id: number): void {
    const list = this.lists.get(owner);
    if (list) list.push(id);
    else this.lists.set(owner, [id]);
  }

  remove(owner: number, id: number): void {
    const list = this.lists.get(owner);
    if (!list) return;
    const at = list.indexOf(id);
    if (at >= 0) list.splice(at, 1);
  }

  get(owner: number): readonly number[] {
    return this.lists.get(owner) ?? EMPTY_IDS;
  }
}

const EMPTY_IDS: readonly number[] = Object.freeze([]);

type EntityKind =
  | 'client'
  | 'contact'
  | 'user'
  | 'payMethod'
  | 'clientNote'
  | 'service'
  | 'serviceAddon'
  | 'domain'
  | 'invoice'
  | 'invoiceItem'
  | 'transaction'
  | 'credit'
  | 'gatewayLog'
  | 'order'
  | 'quote'
  | 'quoteItem'
  | 'ticket'
  | 'ticketReply'
  | 'ticketNote'
  | 'activity'
  | 'todo'
  | 'automation'
  | 'email';

/** A small deterministic generator (mulberry32) for ids the state invents: ticket numbers, codes. */
export class SandboxRandom {
  private value: number;

  constructor(seed: number) {
    this.value = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.value = (this.value + 0x6d2b79f5) >>> 0;
    let t = this.value;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  digits(length: number): string {
    let out = String(this.int(1, 9));
    while (out.length < length) out += String(this.int(0, 9));
    return out;
  }

  alphanumeric(length: number): string {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
    let out = '';
    while (out.length < length) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}

export interface SandboxStateOptions {
  /** PRNG seed for the generated data and for codes handlers invent later. Default 1. */
  seed?: number;
  /** Number of clients to generate (at least SEED_MIN_CLIENTS). Default 50. */
  clients?: number;
  /** Base date the seed's dates are relative to. Default SEED_BASE_DATE. */
  baseDate?: Date;
}

export class SandboxState {
  // Configuration tables.
  readonly currencies = new Map<number, Currency>();
  readonly gateways = new Map<string, PaymentGateway>();
  readonly admins = new Map<number, Admin>();
  readonly clientCustomFields = new Map<number, ClientCustomFieldDefinition>();
  readonly productGroups = new Map<number, ProductGroup>();
  readonly products = new Map<number, Product>();
  readonly productAddons = new Map<number, ProductAddon>();
  readonly servers = new Map<number, Server>();
  readonly tlds = new Map<string, TldPricing>();
  readonly departments = new Map<number, SupportDepartment>();
  readonly ticketStatuses: TicketStatusDefinition[] = [];
  readonly emailTemplates = new Map<number, EmailTemplate>();
  readonly promotions = new Map<number, Promotion>();
  /** Security questions by id (tbladminsecurityquestions). */
  readonly securityQuestions = new Map<number, string>();

  // Business tables.
  readonly clients = new Map<number, Client>();
  readonly contacts = new Map<number, Contact>();
  readonly users = new Map<number, User>();
  readonly payMethods = new Map<number, PayMethod>();
  readonly clientNotes = new Map<number, ClientNote>();
  readonly services = new Map<number, Service>();
  readonly serviceAddons = new Map<number, ServiceAddon>();
  readonly domains = new Map<number, Domain>();
  readonly invoices = new Map<number, Invoice>();
  readonly transactions = new Map<number, Transaction>();
  readonly credits = new Map<number, CreditEntry>();
  readonly gatewayLog = new Map<number, GatewayLogEntry>();
  readonly orders = new Map<number, Order>();
  readonly quotes = new Map<number, Quote>();
  readonly tickets = new Map<number, Ticket>();
  readonly activityLog = new Map<number, ActivityLogEntry>();
  readonly todoItems = new Map<number, ToDoItem>();
  readonly automationLog = new Map<number, AutomationLogEntry>();
  readonly emailLog = new Map<number, EmailLogEntry>();

  // Indexes.
  readonly clientIdByEmail = new Map<string, number>();
  readonly userIdByEmail = new Map<string, number>();
  readonly domainIdByName = new Map<string, number>();
  readonly ticketIdByTid = new Map<string, number>();
  readonly contactsByClient = new IdIndex();
  readonly usersByClient = new IdIndex();
  readonly payMethodsByClient = new IdIndex();
  readonly notesByClient = new IdIndex();
  readonly servicesByClient = new IdIndex();
  readonly servicesByOrder = new IdIndex();
  readonly addonsByClient = new IdIndex();
  readonly addonsByService = new IdIndex();
  readonly addonsByOrder = new IdIndex();
  readonly domainsByClient = new IdIndex();
  readonly domainsByOrder = new IdIndex();
  readonly invoicesByClient = new IdIndex();
  readonly transactionsByClient = new IdIndex();
  readonly transactionsByInvoice = new IdIndex();
  readonly creditsByClient = new IdIndex();
  readonly ordersByClient = new IdIndex();
  readonly quotesByClient = new IdIndex();
  readonly ticketsByClient = new IdIndex();

  /** The admin the API credential belongs to (GetAdminDetails, staff replies, log entries). */
  apiAdminId = 1;
  /** WHMCS version the sandbox reports (WhmcsDetails); the billing rules are WHMCS 8's. */
  whmcsVersion = '8.13.1';
  /** The daily cron's last run, for GetAutomationLog. */
  lastDailyCron: DateTime = ZERO_DATETIME;
  /** Invents ticket numbers, access codes and gateway ids after seeding; seeded, so reruns agree. */
  readonly random: SandboxRandom;

  private readonly lastIds: Record<EntityKind, number> = {
    client: 0,
    contact: 0,
    user: 0,
    payMethod: 0,
    clientNote: 0,
    service: 0,
    serviceAddon: 0,
    domain: 0,
    invoice: 0,
    invoiceItem: 0,
    transaction: 0,
    credit: 0,
    gatewayLog: 0,
    order: 0,
    quote: 0,
    quoteItem: 0,
    ticket: 0,
    ticketReply: 0,
    ticketNote: 0,
    activity: 0,
    todo: 0,
    automation: 0,
    email: 0,
  };

  constructor(seed = 1) {
    this.random = new SandboxRandom(seed ^ 0x5eed5eed);
  }

  /** Allocates the next id of a kind, for records that live inside another (invoice items, replies). */
  nextId(kind: 'invoiceItem' | 'quoteItem' | 'ticketReply' | 'ticketNote'): number {
    return ++this.lastIds[kind];
  }

  private insert<T extends { id: number }>(kind: EntityKind, table: Map<number, T>, data: Omit<T, 'id'>): T {
    const id = ++this.lastIds[kind];
    const record = { id, ...data } as T;
    flattenStrings(record);
    table.set(id, record);
    return record;
  }

  // --- lookups ---------------------------------------------------------------------------------

  defaultCurrency(): Currency {
    for (const currency of this.currencies.values()) if (currency.isDefault) return currency;
    const first = this.currencies.values().next();
    if (first.done) throw new Error('sandbox state has no currency');
    return first.value;
  }

  currencyOf(client: Client | undefined): Currency {
    return (client && this.currencies.get(client.currencyId)) ?? this.defaultCurrency();
  }

  apiAdmin(): Admin {
    const admin = this.admins.get(this.apiAdminId);
    if (!admin) throw new Error('sandbox state has no API admin');
    return admin;
  }

  findClientByEmail(email: string): Client | undefined {
    const id = this.clientIdByEmail.get(email.trim().toLowerCase());
    return id === undefined ? undefined : this.clients.get(id);
  }

  findUserByEmail(email: string): User | undefined {
    const id = this.userIdByEmail.get(email.trim().toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  findDomainByName(name: string): Domain | undefined {
    const id = this.domainIdByName.get(name.trim().toLowerCase());
    return id === undefined ? undefined : this.domains.get(id);
  }

  findTicketByTid(tid: string): Ticket | undefined {
    const id = this.ticketIdByTid.get(tid.trim());
    return id === undefined ? undefined : this.tickets.get(id);
  }

  /** Records of a table whose ids an index lists, skipping any that were removed. */
  pick<T>(table: ReadonlyMap<number, T>, ids: readonly number[]): T[] {
    const out: T[] = [];
    for (const id of ids) {
      const record = table.get(id);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  /** Net amount received on an invoice: payments in minus refunds out. */
  invoiceAmountPaid(invoiceId: number): Cents {
    let paid = 0n;
    for (const id of this.transactionsByInvoice.get(invoiceId)) {
      const transaction = this.transactions.get(id);
      if (transaction) paid += transaction.amountIn - transaction.amountOut;
    }
    return paid;
  }

  /** What the client still owes on the invoice (WHMCS: total minus net payments). */
  invoiceBalance(invoice: Invoice): Cents {
    return invoice.total - this.invoiceAmountPaid(invoice.id);
  }

  // --- inserts that keep the indexes --------------------------------------------------------------

  insertClient(data: Omit<Client, 'id'>): Client {
    const client = this.insert('client', this.clients, data);
    this.clientIdByEmail.set(client.email.toLowerCase(), client.id);
    return client;
  }

  /** Changes a client's email, keeping the email index right. */
  setClientEmail(client: Client, email: string): void {
    this.clientIdByEmail.delete(client.email.toLowerCase());
    client.email = email;
    this.clientIdByEmail.set(email.toLowerCase(), client.id);
  }

  insertContact(data: Omit<Contact, 'id'>): Contact {
    const contact = this.insert('contact', this.contacts, data);
    this.contactsByClient.add(contact.clientId, contact.id);
    return contact;
  }

  insertUser(data: Omit<User, 'id'>): User {
    const user = this.insert('user', this.users, data);
    this.userIdByEmail.set(user.email.toLowerCase(), user.id);
    for (const link of user.clients) this.usersByClient.add(link.clientId, user.id);
    return user;
  }

  linkUserToClient(user: User, clientId: number, isOwner: boolean): void {
    user.clients.push({ clientId, isOwner });
    this.usersByClient.add(clientId, user.id);
  }

  insertPayMethod(data: Omit<PayMethod, 'id'>): PayMethod {
    const payMethod = this.insert('payMethod', this.payMethods, data);
    this.payMethodsByClient.add(payMethod.clientId, payMethod.id);
    return payMethod;
  }

  insertClientNote(data: Omit<ClientNote, 'id'>): ClientNote {
    const note = this.insert('clientNote', this.clientNotes, data);
    this.notesByClient.add(note.clientId, note.id);
    return note;
  }

  insertService(data: Omit<Service, 'id'>): Service {
    const service = this.insert('service', this.services, data);
    this.servicesByClient.add(service.clientId, service.id);
    if (service.orderId) this.servicesByOrder.add(service.orderId, service.id);
    return service;
  }

  insertServiceAddon(data: Omit<ServiceAddon, 'id'>): ServiceAddon {
    const addon = this.insert('serviceAddon', this.serviceAddons, data);
    this.addonsByClient.add(addon.clientId, addon.id);
    this.addonsByService.add(addon.serviceId, addon.id);
    if (addon.orderId) this.addonsByOrder.add(addon.orderId, addon.id);
    return addon;
  }

  insertDomain(data: Omit<Domain, 'id'>): Domain {
    const domain = this.insert('domain', this.domains, data);
    this.domainsByClient.add(domain.clientId, domain.id);
    if (domain.orderId) this.domainsByOrder.add(domain.orderId, domain.id);
    this.domainIdByName.set(domain.domainName.toLowerCase(), domain.id);
    return domain;
  }

  /** Renames a domain, keeping the name index right. */
  setDomainName(domain: Domain, name: string): void {
    if (this.domainIdByName.get(domain.domainName.toLowerCase()) === domain.id) {
      this.domainIdByName.delete(domain.domainName.toLowerCase());
    }
    domain.domainName = name;
    this.domainIdByName.set(name.toLowerCase(), domain.id);
  }

  insertInvoice(data: Omit<Invoice, 'id'>): Invoice {
    const invoice = this.insert('invoice', this.invoices, data);
    this.invoicesByClient.add(invoice.clientId, invoice.id);
    return invoice;
  }

  insertTransaction(data: Omit<Transaction, 'id'>): Transaction {
    const transaction = this.insert('transaction', this.transactions, data);
    if (transaction.clientId) this.transactionsByClient.add(transaction.clientId, transaction.id);
    if (transaction.invoiceId) this.transactionsByInvoice.add(transaction.invoiceId, transaction.id);
    return transaction;
  }

  insertCredit(data: Omit<CreditEntry, 'id'>): CreditEntry {
    const credit = this.insert('credit', this.credits, data);
    this.creditsByClient.add(credit.clientId, credit.id);
    return credit;
  }

  insertGatewayLog(data: Omit<GatewayLogEntry, 'id'>): GatewayLogEntry {
    return this.insert('gatewayLog', this.gatewayLog, data);
  }

  insertOrder(data: Omit<Order, 'id'>): Order {
    const order = this.insert('order', this.orders, data);
    this.ordersByClient.add(order.clientId, order.id);
    return order;
  }

  /** Ties an already inserted service, addon or domain to an order created after it. */
  attachToOrder(
    kind: 'service' | 'addon' | 'domain',
    record: { id: number; orderId: number },
    orderId: number,
  ): void {
    record.orderId = orderId;
    const index =
      kind === 'service' ? this.servicesByOrder : kind === 'addon' ? this.addonsByOrder : this.domainsByOrder;
    index.add(orderId, record.id);
  }

  insertQuote(data: Omit<Quote, 'id'>): Quote {
    const quote = this.insert('quote', this.quotes, data);
    if (quote.clientId) this.quotesByClient.add(quote.clientId, quote.id);
    return quote;
  }

  insertTicket(data: Omit<Ticket, 'id'>): Ticket {
    const ticket = this.insert('ticket', this.tickets, data);
    this.ticketIdByTid.set(ticket.tid, ticket.id);
    if (ticket.clientId) this.ticketsByClient.add(ticket.clientId, ticket.id);
    return ticket;
  }

  /** Moves a ticket to another client (UpdateTicket userid), keeping the index right. */
  setTicketClient(ticket: Ticket, clientId: number): void {
    if (ticket.clientId) this.ticketsByClient.remove(ticket.clientId, ticket.id);
    ticket.clientId = clientId;
    if (clientId) this.ticketsByClient.add(clientId, ticket.id);
  }

  /** A ticket number no other ticket has, from the seeded generator. */
  newTicketNumber(random: SandboxRandom = this.random): string {
    for (;;) {
      const tid = random.digits(6);
      if (!this.ticketIdByTid.has(tid)) return tid;
    }
  }

  insertActivity(data: Omit<ActivityLogEntry, 'id'>): ActivityLogEntry {
    return this.insert('activity', this.activityLog, data);
  }

  insertToDoItem(data: Omit<ToDoItem, 'id'>): ToDoItem {
    return this.insert('todo', this.todoItems, data);
  }

  insertAutomationLog(data: Omit<AutomationLogEntry, 'id'>): AutomationLogEntry {
    return this.insert('automation', this.automationLog, data);
  }

  insertEmail(data: Omit<EmailLogEntry, 'id'>): EmailLogEntry {
    return this.insert('email', this.emailLog, data);
  }

  // --- invoice arithmetic --------------------------------------------------------------------------

  /**
   * Recomputes subtotal, taxes and total from the items, the tax rates and the credit applied.
   * Tax is charged on taxed items only and rounded half up to the cent, per level (not compound).
   */
  recalculateInvoice(invoice: Invoice): void {
    let subtotal = 0n;
    let taxable = 0n;
    for (const item of invoice.items) {
      subtotal += item.amount;
      if (item.taxed) taxable += item.amount;
    }
    invoice.subtotal = subtotal;
    invoice.tax = percentOf(taxable, invoice.taxRate);
    invoice.tax2 = percentOf(taxable, invoice.taxRate2);
    invoice.total = subtotal + invoice.tax + invoice.tax2 - invoice.credit;
  }
}

/**
 * Strings built by concatenation are trees of pieces in V8 (about 20 bytes a node); reading one
 * character flattens a string in place, and the collector then drops the pieces. Applied to every
 * stored record (and the records in its lists), this keeps a 20,000-client state well within budget.
 */
function flattenStrings(record: object, depth = 0): void {
  for (const value of Object.values(record)) {
    if (typeof value === 'string') value.charCodeAt(0);
    else if (depth < 2 && typeof value === 'object' && value !== null)
      flattenStrings(value as object, depth + 1);
  }
}

/** `amount * rate%`, rate given with up to three decimals ("20.000"), rounded half away from zero. */
export function percentOf(amount: Cents, rate: string): Cents {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(rate.trim());
  if (!match) return 0n;
  const thousandths = BigInt(match[1] ?? '0') * 1000n + BigInt(((match[2] ?? '') + '000').slice(0, 3));
  const scaled = amount * thousandths;
  const divisor = 100_000n;
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const rounded = (abs + divisor / 2n) / divisor;
  return negative ? -rounded : rounded;
}

/** Formats a tax rate as WHMCS stores it: three decimals. */
export function formatTaxRate(rate: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!match) return undefined;
  return `${String(Number(match[1]))}.${((match[2] ?? '') + '000').slice(0, 3)}`;
}

/** Converts an amount in the default currency to another currency at its rate, half up. */
export function convertFromDefault(amount: Cents, currency: Currency): Cents {
  const match = /^(\d+)(?:\.(\d{1,5}))?$/.exec(currency.rate);
  if (!match) return amount;
  const rate = BigInt(match[1] ?? '0') * 100_000n + BigInt(((match[2] ?? '') + '00000').slice(0, 5));
  return (amount * rate + 50_000n) / 100_000n;
}

/**
 * A sandbox database filled with the deterministic seed (see seed.ts and SEED_FACTS there). The
 * same options always give the same state.
 */
export function createSandboxState(options: SandboxStateOptions = {}): SandboxState {
  const state = new SandboxState(options.seed ?? 1);
  populateSandbox(state, options);
  return state;
}
