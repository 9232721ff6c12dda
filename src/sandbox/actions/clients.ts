/**
 * Client accounts, their contacts and users: GetClients, GetClientsDetails, AddClient,
 * UpdateClient, CloseClient, AddClientNote, GetContacts, GetUsers.
 */
import { createHash } from 'node:crypto';
import type { SandboxParams } from '../types.js';
import { COUNTRIES } from '../seed.js';
import { CLIENT_STATUSES, EMAIL_PREFERENCES, ZERO_DATETIME, emailPreferenceBit } from '../state.js';
import type { Client, ClientStatus, Contact, SandboxState, User } from '../state.js';
import {
  bit,
  currencyAmount,
  decodeSerializedArray,
  directionOf,
  fail,
  filledParam,
  flagParam,
  intParam,
  isEmail,
  logActivity,
  mapParam,
  money,
  nowDateTime,
  pageOf,
  pagingOf,
  sortBy,
  textParam,
  toFlag,
  today,
} from './common.js';
import type { ActionContext, ActionHandler, Reply, ReplyValue } from './common.js';

export function requireClient(
  state: SandboxState,
  clientId: number | undefined,
  message = 'Client ID Not Found',
): Client {
  const client = clientId === undefined ? undefined : state.clients.get(clientId);
  if (!client) fail(message);
  return client;
}

/** The short client summary WHMCS embeds in lists (GetClients, GetQuotes). */
export function renderClientSummary(client: Client): Reply {
  return {
    id: client.id,
    firstname: client.firstname,
    lastname: client.lastname,
    companyname: client.companyname,
    email: client.email,
    datecreated: client.dateCreated,
    groupid: client.groupId,
    status: client.status,
  };
}

const CLIENT_SORT_KEYS: Readonly<Record<string, (client: Client) => string | number>> = {
  id: (client) => client.id,
  firstname: (client) => client.firstname.toLowerCase(),
  lastname: (client) => client.lastname.toLowerCase(),
  companyname: (client) => client.companyname.toLowerCase(),
  email: (client) => client.email.toLowerCase(),
  groupid: (client) => client.groupId,
  datecreated: (client) => client.dateCreated,
  status: (client) => client.status,
};

export const GetClients: ActionHandler = (params, ctx) => {
  const status = filledParam(params, 'status')?.toLowerCase();
  const search = filledParam(params, 'search')?.toLowerCase();
  const orderByName = filledParam(params, 'orderby')?.toLowerCase() ?? 'id';
  const orderBy = CLIENT_SORT_KEYS[orderByName];
  const direction = directionOf(filledParam(params, 'sorting'), 'asc');
  const matches: Client[] = [];
  for (const client of ctx.state.clients.values()) {
    if (status && client.status.toLowerCase() !== status) continue;
    if (search) {
      const fullname = `${client.firstname} ${client.lastname}`.toLowerCase();
      const hit = [client.email, client.firstname, client.lastname, client.companyname].some((field) =>
        field.toLowerCase().startsWith(search),
      );
      if (!hit && !fullname.startsWith(search)) continue;
    }
    matches.push(client);
  }
  // The table is already in id order; sort only when asked for something else.
  if (orderBy && (orderByName !== 'id' || direction === 'desc')) sortBy(matches, orderBy, direction);
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    numreturned: page.length,
    clients: page.length ? { client: page.map(renderClientSummary) } : [],
  } satisfies Reply;
};

function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '').replace(/^0+/, '');
}

function lastLoginText(client: Client): string {
  if (client.lastLogin === ZERO_DATETIME) return 'No Login Logged';
  const [day = '', time = ''] = client.lastLogin.split(' ');
  const [y, m, d] = day.split('-');
  return `Date: ${d}/${m}/${y} ${time.slice(0, 5)}<br>IP Address: ${client.lastLoginIp}<br>Host: ${client.lastLoginIp}`;
}

function renderClientDetails(state: SandboxState, client: Client): Reply {
  const currency = state.currencyOf(client);
  const country = COUNTRIES[client.country];
  const phonecc = country?.phoneCc ?? '';
  const digits = phoneDigits(client.phonenumber);
  const formatted = digits ? `+${phonecc}.${digits}` : '';
  const preferences: Reply = {};
  for (const name of EMAIL_PREFERENCES)
    preferences[name] = bit((client.emailPreferences & emailPreferenceBit(name)) !== 0);
  const customFields: Reply[] = [];
  const reply: Reply = {
    client_id: client.id,
    owner_user_id: client.ownerUserId,
    userid: client.id,
    id: client.id,
    uuid: client.uuid,
    firstname: client.firstname,
    lastname: client.lastname,
    fullname: `${client.firstname} ${client.lastname}`,
    companyname: client.companyname,
    email: client.email,
    address1: client.address1,
    address2: client.address2,
    city: client.city,
    fullstate: client.state,
    state: client.state,
    postcode: client.postcode,
    countrycode: client.country,
    country: client.country,
    phonenumber: client.phonenumber,
    tax_id: client.taxId,
    email_preferences: preferences,
    statecode: client.state,
    countryname: country?.name ?? client.country,
    phonecc,
    phonenumberformatted: formatted,
    telephoneNumber: formatted,
    billingcid: client.billingContactId,
    notes: client.notes,
    currency: currency.id,
    defaultgateway: client.defaultGateway,
    groupid: client.groupId,
    status: client.status,
    credit: money(client.credit),
    taxexempt: client.taxExempt,
    latefeeoveride: client.lateFeeOverride,
    overideduenotices: client.overrideDueNotices,
    separateinvoices: client.separateInvoices,
    disableautocc: client.disableAutoCc,
    emailoptout: client.emailOptOut,
    marketing_emails_opt_in: client.marketingOptIn,
    overrideautoclose: client.overrideAutoClose,
    allowSingleSignOn: client.allowSingleSignOn ? 1 : 0,
    email_verified: client.emailVerified,
    language: client.language,
    isOptedInToMarketingEmails: client.marketingOptIn,
    lastlogin: lastLoginText(client),
    currency_code: currency.code,
    customfields: customFields,
  };
  // WHMCS lists every client custom field, and repeats each value as customfieldsN (1-based).
  let position = 1;
  for (const field of state.clientCustomFields.values()) {
    const value = client.customFields.find((entry) => entry.fieldId === field.id)?.value ?? '';
    customFields.push({ id: field.id, value });
    reply[`customfields${position++}`] = value;
  }
  const users = state.pick(state.users, state.usersByClient.get(client.id)).map((user) => ({
    id: user.id,
    name: `${user.firstname} ${user.lastname}`,
    email: user.email,
    is_owner: user.clients.some((link) => link.clientId === client.id && link.isOwner),
  }));
  reply.users = { user: users };
  return reply;
}

function renderClientStats(state: SandboxState, client: Client, ctx: ActionContext): Reply {
  const currency = state.currencyOf(client);
  const day = today(ctx);
  const counts = new Map<string, { count: number; amount: bigint }>();
  const bump = (key: string, amount: bigint): void => {
    const entry = counts.get(key) ?? { count: 0, amount: 0n };
    entry.count++;
    entry.amount += amount;
    counts.set(key, entry);
  };
  for (const invoice of state.pick(state.invoices, state.invoicesByClient.get(client.id))) {
    const balance = state.invoiceBalance(invoice);
    bump(invoice.status, invoice.status === 'Unpaid' ? balance : invoice.total);
    if (invoice.status === 'Unpaid' && invoice.dueDate < day) bump('Overdue', balance);
  }
  let gross = 0n;
  let fees = 0n;
  let refunds = 0n;
  for (const transaction of state.pick(state.transactions, state.transactionsByClient.get(client.id))) {
    gross += transaction.amountIn;
    fees += transaction.fees;
    refunds += transaction.amountOut;
  }
  const count = (key: string): number => counts.get(key)?.count ?? 0;
  const amount = (key: string): string => currencyAmount(currency, counts.get(key)?.amount ?? 0n);
  const products = {
    activehosting: 0,
    hosting: 0,
    activereseller: 0,
    reseller: 0,
    activeservers: 0,
    servers: 0,
    activeother: 0,
    other: 0,
  };
  let activeProducts = 0;
  let totalProducts = 0;
  for (const service of state.pick(state.services, state.servicesByClient.get(client.id))) {
    const type = state.products.get(service.productId)?.type ?? 'other';
    const active = service.status === 'Active';
    const bucket =
      type === 'hostingaccount'
        ? 'hosting'
        : type === 'reselleraccount'
          ? 'reseller'
          : type === 'server'
            ? 'servers'
            : 'other';
    products[bucket]++;
    if (active) {
      products[`active${bucket}`]++;
      activeProducts++;
    }
    totalProducts++;
  }
  const domains = state.pick(state.domains, state.domainsByClient.get(client.id));
  const quotes = state.pick(state.quotes, state.quotesByClient.get(client.id));
  const tickets = state.pick(state.tickets, state.ticketsByClient.get(client.id));
  const activeTitles = new Set(
    state.ticketStatuses.filter((status) => status.showActive).map((status) => status.title),
  );
  return {
    numdueinvoices: count('Unpaid'),
    dueinvoicesbalance: amount('Unpaid'),
    incredit: client.credit > 0n,
    creditbalance: currencyAmount(currency, client.credit),
    grossRevenue: currencyAmount(currency, gross),
    expenses: currencyAmount(currency, fees + refunds),
    income: currencyAmount(currency, gross - fees - refunds),
    numoverdueinvoices: count('Overdue'),
    overdueinvoicesbalance: amount('Overdue'),
    numDraftInvoices: count('Draft'),
    draftInvoicesBalance: amount('Draft'),
    numunpaidinvoices: count('Unpaid'),
    unpaidinvoicesamount: amount('Unpaid'),
    numpaidinvoices: count('Paid'),
    paidinvoicesamount: amount('Paid'),
    numcancelledinvoices: count('Cancelled'),
    cancelledinvoicesamount: amount('Cancelled'),
    numrefundedinvoices: count('Refunded'),
    refundedinvoicesamount: amount('Refunded'),
    numcollectionsinvoices: count('Collections'),
    collectionsinvoicesamount: amount('Collections'),
    numpaymentpendinginvoices: count('Payment Pending'),
    paymentpendinginvoicesamount: amount('Payment Pending'),
    productsnumactivehosting: products.activehosting,
    productsnumhosting: products.hosting,
    productsnumactivereseller: products.activereseller,
    productsnumreseller: products.reseller,
    productsnumactiveservers: products.activeservers,
    productsnumservers: products.servers,
    productsnumactiveother: products.activeother,
    productsnumother: products.other,
    productsnumactive: activeProducts,
    productsnumtotal: totalProducts,
    numactivedomains: domains.filter((domain) => domain.status === 'Active').length,
    numdomains: domains.length,
    numacceptedquotes: quotes.filter((quote) => quote.stage === 'Accepted').length,
    numquotes: quotes.length,
    numtickets: tickets.length,
    numactivetickets: tickets.filter((ticket) => activeTitles.has(ticket.status)).length,
    numaffiliatesignups: 0,
    isAffiliate: false,
  };
}

export const GetClientsDetails: ActionHandler = (params, ctx) => {
  const clientId = intParam(params, 'clientid');
  const email = filledParam(params, 'email');
  if (clientId === undefined && email === undefined) fail('Either clientid Or email Is Required');
  const client =
    clientId !== undefined ? ctx.state.clients.get(clientId) : ctx.state.findClientByEmail(email ?? '');
  if (!client) fail('Client Not Found');
  const reply: Reply = { client: renderClientDetails(ctx.state, client) };
  if (flagParam(params, 'stats')) reply.stats = renderClientStats(ctx.state, client, ctx);
  return reply;
};

// --- writes ---------------------------------------------------------------------------------------

function hashSecret(secret: string): string {
  // Stands in for WHMCS's bcrypt hash: never stored or shown in clear.
  return `sandbox-sha256$${createHash('sha256').update(secret).digest('hex')}`;
}

function applyCustomFields(state: SandboxState, client: Client, encoded: string | undefined): void {
  if (encoded === undefined) return;
  const values = decodeSerializedArray(encoded);
  if (!values) return;
  for (const [key, value] of values) {
    const fieldId = Number(key);
    if (!state.clientCustomFields.has(fieldId)) continue;
    const existing = client.customFields.find((entry) => entry.fieldId === fieldId);
    if (existing) existing.value = value;
    else client.customFields.push({ fieldId, value });
  }
}

function applyEmailPreferences(client: Client | Contact, params: SandboxParams): void {
  const preferences = mapParam(params, 'email_preferences');
  for (const name of EMAIL_PREFERENCES) {
    const value = preferences.get(name);
    if (value === undefined) continue;
    const flag = emailPreferenceBit(name);
    client.emailPreferences = toFlag(value)
      ? client.emailPreferences | flag
      : client.emailPreferences & ~flag;
  }
}

export const AddClient: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const skipValidation = flagParam(params, 'skipvalidation') === true;
  const ownerUserId = intParam(params, 'owner_user_id');
  const owner = ownerUserId === undefined ? undefined : state.users.get(ownerUserId);
  if (ownerUserId !== undefined && !owner) fail('Invalid Owner User ID');
  const value = (name: string): string => textParam(params, name)?.trim() ?? '';
  const required = (name: string, message: string): void => {
    if (!skipValidation && value(name) === '') fail(message);
  };
  required('firstname', 'You did not enter your first name');
  required('lastname', 'You did not enter your last name');
  const email = value('email');
  if (email === '') fail('You did not enter your email address');
  if (!isEmail(email)) fail('The email address you entered was not valid');
  required('address1', 'You did not enter your  address line 1');
  required('city', 'You did not enter your city');
  required('state', 'You did not enter your state');
  required('postcode', 'You did not enter your postcode');
  const country = value('country').toUpperCase();
  if (!skipValidation && !/^[A-Z]{2}$/.test(country)) fail('Valid country required');
  required('phonenumber', 'You did not enter your phone number');
  if (value('phonenumber') !== '' && !/^[+\d().\s-]+$/.test(value('phonenumber')))
    fail('Invalid telephone phone number');
  if (state.findClientByEmail(email)) fail('The email address entered is not available for use.');
  if (!owner && state.findUserByEmail(email)) fail('A user already exists with that email address');

  const currencyId = intParam(params, 'currency');
  const now = nowDateTime(ctx);
  const password = value('password2');
  const client = state.insertClient({
    uuid: uuidFrom(state),
    ownerUserId: 0,
    firstname: value('firstname'),
    lastname: value('lastname'),
    companyname: value('companyname'),
    email,
    address1: value('address1'),
    address2: value('address2'),
    city: value('city'),
    state: value('state'),
    postcode: value('postcode'),
    country: country || 'US',
    phonenumber: value('phonenumber'),
    taxId: value('tax_id'),
    status: 'Active',
    currencyId:
      currencyId !== undefined && state.currencies.has(currencyId) ? currencyId : state.defaultCurrency().id,
    groupId: intParam(params, 'groupid') ?? 0,
    credit: 0n,
    defaultGateway: '',
    billingContactId: 0,
    language: value('language'),
    notes: value('notes'),
    dateCreated: today(ctx),
    lastLogin: ZERO_DATETIME,
    lastLoginIp: value('clientip'),
    emailPreferences: (1 << EMAIL_PREFERENCES.length) - 1,
    taxExempt: false,
    lateFeeOverride: false,
    overrideDueNotices: false,
    separateInvoices: false,
    disableAutoCc: false,
    emailOptOut: false,
    marketingOptIn: flagParam(params, 'marketingoptin') === true,
    overrideAutoClose: false,
    allowSingleSignOn: true,
    emailVerified: false,
    customFields: [],
    securityQuestionId: intParam(params, 'securityqid') ?? 0,
    securityAnswer: value('securityqans') ? hashSecret(value('securityqans')) : '',
    passwordHash: password ? hashSecret(password) : '',
  });
  applyCustomFields(state, client, filledParam(params, 'customfields'));
  if (owner) {
    state.linkUserToClient(owner, client.id, true);
    client.ownerUserId = owner.id;
  } else {
    const user = state.insertUser({
      firstname: client.firstname,
      lastname: client.lastname,
      email: client.email,
      dateCreated: now,
      language: client.language,
      passwordHash: client.passwordHash,
      securityQuestionId: client.securityQuestionId,
      securityAnswer: client.securityAnswer,
      emailVerified: false,
      clients: [{ clientId: client.id, isOwner: true }],
    });
    client.ownerUserId = user.id;
  }
  logActivity(
    ctx,
    `Created Client ${client.firstname} ${client.lastname} - User ID: ${client.id}`,
    client.id,
  );
  return { clientid: String(client.id) };
};

function uuidFrom(state: SandboxState): string {
  const hex = (count: number): string => {
    let out = '';
    for (let i = 0; i < count; i++) out += state.random.int(0, 15).toString(16);
    return out;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[state.random.int(0, 3)]}${hex(3)}-${hex(12)}`;
}

const CLIENT_TEXT_FIELDS = [
  ['firstname', 'firstname'],
  ['lastname', 'lastname'],
  ['companyname', 'companyname'],
  ['address1', 'address1'],
  ['address2', 'address2'],
  ['city', 'city'],
  ['state', 'state'],
  ['postcode', 'postcode'],
  ['phonenumber', 'phonenumber'],
  ['tax_id', 'taxId'],
  ['language', 'language'],
  ['notes', 'notes'],
  ['paymentmethod', 'defaultGateway'],
] as const;

const CLIENT_FLAG_FIELDS = [
  ['latefeeoveride', 'lateFeeOverride'],
  ['overideduenotices', 'overrideDueNotices'],
  ['taxexempt', 'taxExempt'],
  ['separateinvoices', 'separateInvoices'],
  ['disableautocc', 'disableAutoCc'],
  ['overrideautoclose', 'overrideAutoClose'],
  ['marketingoptin', 'marketingOptIn'],
] as const;

export const UpdateClient: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const clientId = intParam(params, 'clientid');
  const clientEmail = filledParam(params, 'clientemail');
  const client =
    clientId !== undefined
      ? state.clients.get(clientId)
      : clientEmail
        ? state.findClientByEmail(clientEmail)
        : undefined;
  if (!client) fail('Client ID Not Found');

  const email = filledParam(params, 'email');
  if (email !== undefined && email.toLowerCase() !== client.email.toLowerCase()) {
    if (!isEmail(email)) fail('The email address entered is not valid');
    if (state.findClientByEmail(email)) fail('Duplicate Email Address');
  }
  const status = filledParam(params, 'status');
  const nextStatus =
    status === undefined
      ? undefined
      : CLIENT_STATUSES.find((entry) => entry.toLowerCase() === status.toLowerCase());

  const changed: string[] = [];
  for (const [param, field] of CLIENT_TEXT_FIELDS) {
    const value = textParam(params, param);
    if (value !== undefined && value !== client[field]) {
      client[field] = value;
      changed.push(param);
    }
  }
  const country = filledParam(params, 'country');
  if (country !== undefined && /^[A-Za-z]{2}$/.test(country)) {
    client.country = country.toUpperCase();
    changed.push('country');
  }
  if (email !== undefined && email !== client.email) {
    state.setClientEmail(client, email);
    changed.push('email');
  }
  for (const [param, field] of CLIENT_FLAG_FIELDS) {
    const value = flagParam(params, param);
    if (value !== undefined) {
      client[field] = value;
      changed.push(param);
    }
  }
  const currencyId = intParam(params, 'currency');
  if (currencyId !== undefined && state.currencies.has(currencyId)) client.currencyId = currencyId;
  const groupId = intParam(params, 'groupid');
  if (groupId !== undefined) client.groupId = groupId;
  if (nextStatus) client.status = nextStatus as ClientStatus;
  applyEmailPreferences(client, params);
  applyCustomFields(state, client, filledParam(params, 'customfields'));
  if (flagParam(params, 'clearcreditcard')) {
    for (const payMethod of state.pick(state.payMethods, state.payMethodsByClient.get(client.id))) {
      if (payMethod.type === 'CreditCard' || payMethod.type === 'RemoteCreditCard') {
        state.payMethods.delete(payMethod.id);
        state.payMethodsByClient.remove(client.id, payMethod.id);
      }
    }
  }
  logActivity(
    ctx,
    `Client Profile Modified - ${changed.join(', ') || 'no changes'} - User ID: ${client.id}`,
    client.id,
  );
  return { clientid: String(client.id) };
};

/** Closing a client cancels what it holds, as WHMCS's "Close Client" does. */
export const CloseClient: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const client = requireClient(state, intParam(params, 'clientid'));
  const now = nowDateTime(ctx);
  for (const service of state.pick(state.services, state.servicesByClient.get(client.id))) {
    if (service.status !== 'Terminated' && service.status !== 'Fraud') service.status = 'Cancelled';
  }
  for (const addon of state.pick(state.serviceAddons, state.addonsByClient.get(client.id))) {
    if (addon.status !== 'Terminated' && addon.status !== 'Fraud') addon.status = 'Cancelled';
  }
  for (const domain of state.pick(state.domains, state.domainsByClient.get(client.id))) {
    if (
      domain.status === 'Active' ||
      domain.status === 'Pending' ||
      domain.status === 'Pending Registration'
    ) {
      domain.status = 'Cancelled';
    }
  }
  for (const invoice of state.pick(state.invoices, state.invoicesByClient.get(client.id))) {
    if (invoice.status === 'Unpaid' || invoice.status === 'Draft') {
      invoice.status = 'Cancelled';
      invoice.dateCancelled = now;
      invoice.updatedAt = now;
    }
  }
  client.status = 'Closed';
  logActivity(ctx, `Client Status changed to Closed - User ID: ${client.id}`, client.id);
  return {};
};

export const AddClientNote: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const client = requireClient(state, intParam(params, 'userid'), 'Client ID not found');
  const note = textParam(params, 'notes')?.trim() ?? '';
  if (note === '') fail('Notes can not be empty');
  const now = nowDateTime(ctx);
  const record = state.insertClientNote({
    clientId: client.id,
    adminId: state.apiAdminId,
    created: now,
    modified: now,
    note,
    sticky: flagParam(params, 'sticky') === true,
  });
  logActivity(ctx, `Added Note - User ID: ${client.id}`, client.id);
  return { noteid: String(record.id) };
};

// --- contacts and users -----------------------------------------------------------------------------

const CONTACT_FILTERS = [
  'firstname',
  'lastname',
  'companyname',
  'email',
  'address1',
  'address2',
  'city',
  'state',
  'postcode',
  'country',
  'phonenumber',
] as const;

function renderContact(contact: Contact): Reply {
  const has = (name: (typeof EMAIL_PREFERENCES)[number]): boolean =>
    (contact.emailPreferences & emailPreferenceBit(name)) !== 0;
  return {
    id: contact.id,
    userid: contact.clientId,
    firstname: contact.firstname,
    lastname: contact.lastname,
    email: contact.email,
    address1: contact.address1,
    address2: contact.address2,
    city: contact.city,
    state: contact.state,
    postcode: contact.postcode,
    country: contact.country,
    phonenumber: contact.phonenumber,
    domainemails: has('domain'),
    generalemails: has('general'),
    invoiceemails: has('invoice'),
    productemails: has('product'),
    supportemails: has('support'),
    affiliateemails: has('affiliate'),
    created_at: contact.createdAt,
    updated_at: contact.updatedAt,
  };
}

export const GetContacts: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const clientId = intParam(params, 'userid');
  const source =
    clientId !== undefined
      ? state.pick(state.contacts, state.contactsByClient.get(clientId))
      : [...state.contacts.values()];
  const filters = CONTACT_FILTERS.flatMap((name) => {
    const value = filledParam(params, name);
    return value === undefined ? [] : [[name, value.toLowerCase()] as const];
  });
  const matches = source.filter((contact) =>
    filters.every(([name, value]) => contact[name].toLowerCase() === value),
  );
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    numreturned: page.length,
    contacts: page.length ? { contact: page.map(renderContact) } : [],
  } satisfies Reply;
};

function renderUser(user: User): Reply {
  const clients: ReplyValue[] = user.clients.map((link) => ({ id: link.clientId, isOwner: link.isOwner }));
  return {
    id: user.id,
    firstname: user.firstname,
    lastname: user.lastname,
    email: user.email,
    datecreated: user.dateCreated,
    validationdata: '',
    clients,
  };
}

export const GetUsers: ActionHandler = (params, ctx) => {
  const search = filledParam(params, 'search')?.toLowerCase();
  const direction = directionOf(filledParam(params, 'sorting'), 'asc');
  const matches: User[] = [];
  for (const user of ctx.state.users.values()) {
    if (search) {
      const fullname = `${user.firstname} ${user.lastname}`.toLowerCase();
      const hit = [user.email, user.firstname, user.lastname, fullname].some((field) =>
        field.toLowerCase().startsWith(search),
      );
      if (!hit) continue;
    }
    matches.push(user);
  }
  if (direction === 'desc') matches.reverse();
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    numreturned: page.length,
    users: page.map(renderUser),
  } satisfies Reply;
};

export const clientHandlers: Readonly<Record<string, ActionHandler>> = {
  GetClients,
  GetClientsDetails,
  AddClient,
  UpdateClient,
  CloseClient,
  AddClientNote,
  GetContacts,
  GetUsers,
};
