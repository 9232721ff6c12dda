/**
 * Installation-wide reads and logs: GetActivityLog, LogActivity, GetStats, GetToDoItems,
 * GetAutomationLog, GetCurrencies, GetPaymentMethods, GetServers, GetHealthStatus, WhmcsDetails,
 * GetAdminDetails, GetEmailTemplates, SendEmail.
 */
import { addDays } from '../state.js';
import type { ActivityLogEntry, Currency, EmailTemplateType, SandboxState } from '../state.js';
import type { Cents } from '../../money.js';
import {
  adminDisplayName,
  currencyAmount,
  currentAdmin,
  fail,
  filledParam,
  flagParam,
  intParam,
  logActivity,
  money,
  nowDateTime,
  pageOf,
  pagingOf,
  textParam,
  toDay,
  today,
} from './common.js';
import type { ActionContext, ActionHandler, Reply } from './common.js';

// --- activity log --------------------------------------------------------------------------------------

function renderActivity(entry: ActivityLogEntry): Reply {
  return {
    id: entry.id,
    clientId: entry.clientId,
    userId: entry.userId,
    adminId: entry.adminId,
    date: entry.date,
    description: entry.description,
    username: entry.username,
    ipaddress: entry.ipAddress,
    userid: entry.clientId,
  };
}

export const GetActivityLog: ActionHandler = (params, ctx) => {
  const clientId = intParam(params, 'clientid') ?? intParam(params, 'userid');
  const dateText = filledParam(params, 'date');
  const day = dateText === undefined ? undefined : toDay(dateText);
  const user = filledParam(params, 'user')?.toLowerCase();
  const description = filledParam(params, 'description')?.toLowerCase();
  const ipAddress = filledParam(params, 'ipaddress');
  const matches: ActivityLogEntry[] = [];
  for (const entry of ctx.state.activityLog.values()) {
    if (clientId !== undefined && entry.clientId !== clientId) continue;
    if (day !== undefined && !entry.date.startsWith(day)) continue;
    if (user !== undefined && entry.username.toLowerCase() !== user) continue;
    if (description !== undefined && !entry.description.toLowerCase().includes(description)) continue;
    if (ipAddress !== undefined && entry.ipAddress !== ipAddress) continue;
    matches.push(entry);
  }
  matches.reverse();
  const paging = pagingOf(params);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    activity: { entry: pageOf(matches, paging).map(renderActivity) },
  } satisfies Reply;
};

export const LogActivity: ActionHandler = (params, ctx) => {
  const description = textParam(params, 'description')?.trim() ?? '';
  if (description === '') fail('Description is required');
  logActivity(ctx, description, intParam(params, 'clientid') ?? 0);
  return {};
};

// --- statistics -----------------------------------------------------------------------------------------

/** An amount in a client's currency converted to the default currency at its rate, half up. */
function toDefaultCurrency(amount: Cents, currency: Currency): Cents {
  const match = /^(\d+)(?:\.(\d{1,5}))?$/.exec(currency.rate);
  if (!match || currency.isDefault) return amount;
  const rate = BigInt(match[1] ?? '0') * 100_000n + BigInt(((match[2] ?? '') + '00000').slice(0, 5));
  if (rate === 0n) return amount;
  return (amount * 100_000n + rate / 2n) / rate;
}

export const GetStats: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const base = state.defaultCurrency();
  const day = today(ctx);
  const yesterday = addDays(day, -1);
  const month = day.slice(0, 7);
  const year = day.slice(0, 4);
  const timelineDays = Math.min(90, Math.max(0, intParam(params, 'timeline_days') ?? 0));
  const timelineStart = addDays(day, -(timelineDays - 1));
  const incomeByDay = new Map<string, Cents>();
  const income = { today: 0n, month: 0n, year: 0n, all: 0n };
  for (const transaction of state.transactions.values()) {
    const client = state.clients.get(transaction.clientId);
    const currency = transaction.currencyId
      ? (state.currencies.get(transaction.currencyId) ?? base)
      : state.currencyOf(client);
    const net = toDefaultCurrency(transaction.amountIn - transaction.fees - transaction.amountOut, currency);
    const date = transaction.date.slice(0, 10);
    income.all += net;
    if (date.startsWith(year)) income.year += net;
    if (date.startsWith(month)) income.month += net;
    if (date === day) income.today += net;
    if (timelineDays && date >= timelineStart && date <= day)
      incomeByDay.set(date, (incomeByDay.get(date) ?? 0n) + net);
  }
  const orders = {
    pending: 0,
    today: new Map<string, number>(),
    yesterday: new Map<string, number>(),
    month: 0,
    year: 0,
  };
  const newOrdersByDay = new Map<string, number>();
  const acceptedByDay = new Map<string, number>();
  for (const order of state.orders.values()) {
    const date = order.date.slice(0, 10);
    if (order.status === 'Pending') orders.pending++;
    if (date === day) orders.today.set(order.status, (orders.today.get(order.status) ?? 0) + 1);
    if (date === yesterday) orders.yesterday.set(order.status, (orders.yesterday.get(order.status) ?? 0) + 1);
    if (date.startsWith(month)) orders.month++;
    if (date.startsWith(year)) orders.year++;
    if (timelineDays && date >= timelineStart && date <= day) {
      newOrdersByDay.set(date, (newOrdersByDay.get(date) ?? 0) + 1);
      if (order.status === 'Active') acceptedByDay.set(date, (acceptedByDay.get(date) ?? 0) + 1);
    }
  }
  const sumOf = (counts: Map<string, number>): number =>
    [...counts.values()].reduce((sum, count) => sum + count, 0);
  const tickets = new Map<string, number>();
  const newTicketsByDay = new Map<string, number>();
  const active = new Set(
    state.ticketStatuses.filter((status) => status.showActive).map((status) => status.title),
  );
  const awaiting = new Set(
    state.ticketStatuses.filter((status) => status.showAwaiting).map((status) => status.title),
  );
  let allActive = 0;
  let awaitingReply = 0;
  let flagged = 0;
  const adminId = currentAdmin(ctx).id;
  for (const ticket of state.tickets.values()) {
    tickets.set(ticket.status, (tickets.get(ticket.status) ?? 0) + 1);
    if (active.has(ticket.status)) allActive++;
    if (awaiting.has(ticket.status)) awaitingReply++;
    if (ticket.flag === adminId && active.has(ticket.status)) flagged++;
    const date = ticket.date.slice(0, 10);
    if (timelineDays && date >= timelineStart && date <= day)
      newTicketsByDay.set(date, (newTicketsByDay.get(date) ?? 0) + 1);
  }
  let quotesValid = 0;
  for (const quote of state.quotes.values()) {
    if (
      (quote.stage === 'Delivered' || quote.stage === 'Draft' || quote.stage === 'On Hold') &&
      quote.validUntil >= day
    )
      quotesValid++;
  }
  let todoDue = 0;
  for (const item of state.todoItems.values())
    if (item.status !== 'Completed' && item.dueDate <= day) todoDue++;
  const reply: Reply = {
    income_today: currencyAmount(base, income.today),
    income_thismonth: currencyAmount(base, income.month),
    income_thisyear: currencyAmount(base, income.year),
    income_alltime: currencyAmount(base, income.all),
    orders_pending: orders.pending,
    orders_today_cancelled: orders.today.get('Cancelled') ?? 0,
    orders_today_pending: orders.today.get('Pending') ?? 0,
    orders_today_fraud: orders.today.get('Fraud') ?? 0,
    orders_today_active: orders.today.get('Active') ?? 0,
    orders_today_total: sumOf(orders.today),
    orders_yesterday_cancelled: orders.yesterday.get('Cancelled') ?? 0,
    orders_yesterday_pending: orders.yesterday.get('Pending') ?? 0,
    orders_yesterday_fraud: orders.yesterday.get('Fraud') ?? 0,
    orders_yesterday_active: orders.yesterday.get('Active') ?? 0,
    orders_yesterday_total: sumOf(orders.yesterday),
    orders_thismonth_total: orders.month,
    orders_thisyear_total: orders.year,
    tickets_allactive: allActive,
    tickets_awaitingreply: awaitingReply,
    tickets_flaggedtickets: flagged,
    tickets_open: tickets.get('Open') ?? 0,
    tickets_answered: tickets.get('Answered') ?? 0,
    tickets_customerreply: tickets.get('Customer-Reply') ?? 0,
    tickets_closed: tickets.get('Closed') ?? 0,
    tickets_onhold: tickets.get('On Hold') ?? 0,
    tickets_inprogress: tickets.get('In Progress') ?? 0,
    cancellations_pending: 0,
    todoitems_due: todoDue,
    networkissues_open: 0,
    billableitems_uninvoiced: 0,
    quotes_valid: quotesValid,
    staff_online: 1,
  };
  if (timelineDays) {
    const days: string[] = [];
    for (let offset = 0; offset < timelineDays; offset++) days.push(addDays(day, -offset));
    const counts = (map: Map<string, number>): Reply =>
      Object.fromEntries(days.map((date) => [date, map.get(date) ?? 0]));
    reply.timeline_data = {
      new_orders: counts(newOrdersByDay),
      accepted_orders: counts(acceptedByDay),
      income: Object.fromEntries(days.map((date) => [date, money(incomeByDay.get(date) ?? 0n)])),
      expenditure: Object.fromEntries(days.map((date) => [date, '0.00'])),
      new_tickets: counts(newTicketsByDay),
    };
  }
  return reply;
};

// --- to-do list and automation log ----------------------------------------------------------------------

export const GetToDoItems: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const status = filledParam(params, 'status')?.toLowerCase();
  const matches = [...state.todoItems.values()].filter((item) => {
    if (status === undefined) return true;
    if (status === 'incomplete') return item.status !== 'Completed';
    return item.status.toLowerCase() === status;
  });
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  const reply: Reply = { totalresults: String(matches.length), startnumber: String(paging.start) };
  // With nothing to list WHMCS leaves the items out altogether, as the official example shows.
  if (page.length) {
    reply.numreturned = page.length;
    reply.items = {
      item: page.map((item) => {
        const admin = state.admins.get(item.adminId);
        return {
          id: item.id,
          date: item.date,
          title: item.title,
          description: item.description,
          admin: item.adminId,
          adminname: admin ? adminDisplayName(admin) : '',
          status: item.status,
          duedate: item.dueDate,
        };
      }),
    };
  }
  return reply;
};

export const GetAutomationLog: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const day = today(ctx);
  const read = (name: string): string => {
    const value = filledParam(params, name);
    const parsed = value === undefined ? day : toDay(value);
    return parsed === 'invalid' ? day : parsed;
  };
  const start = read('startdate');
  const end = read('enddate');
  const namespace = filledParam(params, 'namespace')?.toLowerCase();
  // statistics: date -> task namespace -> counts of successful and failed items.
  const statistics: { [date: string]: { [namespace: string]: { success: number; failed: number } } } = {};
  for (const entry of state.automationLog.values()) {
    const date = entry.date.slice(0, 10);
    if (date < start || date > end) continue;
    if (namespace !== undefined && entry.namespace.toLowerCase() !== namespace) continue;
    const byNamespace = (statistics[date] ??= {});
    const counts = (byNamespace[entry.namespace] ??= { success: 0, failed: 0 });
    counts.success += entry.successCount;
    counts.failed += entry.failureCount;
  }
  return {
    currentDatetime: nowDateTime(ctx),
    lastDailyCronInvocationTime: state.lastDailyCron,
    startdate: `${start} 00:00:00`,
    enddate: `${end} 23:59:59`,
    statistics: Object.keys(statistics).length ? statistics : [],
  } satisfies Reply;
};

// --- configuration reads ---------------------------------------------------------------------------------

export const GetCurrencies: ActionHandler = (_params, ctx) => {
  const currencies = [...ctx.state.currencies.values()];
  return {
    totalresults: String(currencies.length),
    currencies: {
      currency: currencies.map((currency) => ({
        id: String(currency.id),
        code: currency.code,
        prefix: currency.prefix,
        suffix: currency.suffix,
        format: String(currency.format),
        rate: currency.rate,
      })),
    },
  } satisfies Reply;
};

export const GetPaymentMethods: ActionHandler = (_params, ctx) => {
  const gateways = [...ctx.state.gateways.values()];
  return {
    totalresults: gateways.length,
    paymentmethods: {
      paymentmethod: gateways.map((gateway) => ({
        module: gateway.module,
        displayname: gateway.displayName,
      })),
    },
  } satisfies Reply;
};

export const GetServers: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const serviceId = intParam(params, 'serviceId');
  const addonId = intParam(params, 'addonId');
  const fetchStatus = flagParam(params, 'fetchStatus') === true;
  let module: string | undefined;
  if (serviceId !== undefined) {
    const service = state.services.get(serviceId);
    module = service ? state.products.get(service.productId)?.module : undefined;
  } else if (addonId !== undefined) {
    const addon = state.serviceAddons.get(addonId);
    const service = addon ? state.services.get(addon.serviceId) : undefined;
    module = service ? state.products.get(service.productId)?.module : undefined;
  }
  const activeServices = new Map<number, number>();
  for (const service of state.services.values()) {
    if (service.status === 'Active' || service.status === 'Suspended') {
      activeServices.set(service.serverId, (activeServices.get(service.serverId) ?? 0) + 1);
    }
  }
  const servers = [...state.servers.values()].filter(
    (server) => !server.disabled && (module === undefined || server.module === module),
  );
  return {
    servers: servers.map((server) => {
      const count = activeServices.get(server.id) ?? 0;
      return {
        id: server.id,
        name: server.name,
        hostname: server.hostname,
        ipaddress: server.ipAddress,
        active: server.active,
        activeServices: count,
        maxAllowedServices: server.maxAccounts,
        percentUsed: server.maxAccounts ? Math.round((count / server.maxAccounts) * 100) : 0,
        module: server.module,
        status: fetchStatus
          ? { http: true, load: '0.42', uptime: '41 days, 7 hours' }
          : { http: false, load: '', uptime: '' },
      };
    }),
    fetchStatus: textParam(params, 'fetchStatus') ?? '',
  } satisfies Reply;
};

/** The documented reply carries nothing beyond `result`; a healthy sandbox says success. */
export const GetHealthStatus: ActionHandler = () => ({});

export const WhmcsDetails: ActionHandler = (_params, ctx) => ({
  whmcs: { version: ctx.whmcsVersion, canonicalversion: `${ctx.whmcsVersion}-release.1` },
});

export const GetAdminDetails: ActionHandler = (_params, ctx) => {
  const admin = currentAdmin(ctx);
  return {
    adminid: String(admin.id),
    name: adminDisplayName(admin),
    notes: admin.notes,
    signature: admin.signature,
    allowedpermissions: admin.permissions.join(','),
    departments: `,${admin.departmentIds.join(',')},`,
    whmcs: { version: ctx.whmcsVersion, canonicalversion: `${ctx.whmcsVersion}-release.1` },
  } satisfies Reply;
};

export const GetEmailTemplates: ActionHandler = (params, ctx) => {
  const type = filledParam(params, 'type')?.toLowerCase();
  const language = filledParam(params, 'language')?.toLowerCase() ?? '';
  const templates = [...ctx.state.emailTemplates.values()].filter(
    (template) =>
      (type === undefined || template.type === type) && template.language.toLowerCase() === language,
  );
  return {
    totalresults: String(templates.length),
    emailtemplates: {
      emailtemplate: templates.map((template) => ({
        id: String(template.id),
        name: template.name,
        subject: template.subject,
        custom: template.custom ? '1' : '0',
      })),
    },
  } satisfies Reply;
};

const CUSTOM_MESSAGE_TYPES: readonly EmailTemplateType[] = [
  'general',
  'product',
  'domain',
  'invoice',
  'support',
  'affiliate',
];

/** The client a related id points at for each template type, or undefined when it does not exist. */
function recipientOf(state: SandboxState, type: EmailTemplateType, relatedId: number): number | undefined {
  switch (type) {
    case 'general':
    case 'affiliate':
      return state.clients.get(relatedId)?.id;
    case 'product':
      return state.services.get(relatedId)?.clientId;
    case 'domain':
      return state.domains.get(relatedId)?.clientId;
    case 'invoice':
      return state.invoices.get(relatedId)?.clientId;
    case 'support':
      return state.tickets.get(relatedId)?.clientId;
    default:
      return undefined;
  }
}

/** Records the email in the sandbox's mail log (nothing is sent); see GetEmails in WHMCS. */
export const SendEmail: ActionHandler = (params, ctx: ActionContext) => {
  const state = ctx.state;
  const templateName = filledParam(params, 'messagename');
  const customTypeText = filledParam(params, 'customtype')?.toLowerCase();
  if (templateName === undefined && customTypeText === undefined) {
    fail('You must provide either an existing email template name or a custom message type');
  }
  let type: EmailTemplateType;
  let subject: string;
  let message = '';
  if (templateName !== undefined) {
    const template = [...state.emailTemplates.values()].find(
      (entry) => entry.name.toLowerCase() === templateName.toLowerCase(),
    );
    if (!template) fail('Email Template not found');
    if (template.disabled) fail('Email Template is disabled');
    type = template.type;
    subject = template.subject;
  } else {
    const customType = CUSTOM_MESSAGE_TYPES.find((entry) => entry === customTypeText);
    if (!customType) fail('Invalid message type provided');
    type = customType;
    subject = filledParam(params, 'customsubject') ?? '';
    message = textParam(params, 'custommessage') ?? '';
    if (subject === '') fail('A subject is required for a custom message');
    if (message.trim() === '') fail('A message body is required for a custom message');
  }
  const customVars = params.customvars;
  if (customVars !== undefined && typeof customVars === 'string' && customVars.trim() !== '') {
    // customvars is an array, or base64 of a serialized array; plain text is neither.
    if (!/^[A-Za-z0-9+/=\s]+$/.test(customVars)) fail('The custom variables you provided are invalid.');
  }
  const relatedId = intParam(params, 'id');
  if (relatedId === undefined || relatedId === 0) fail('A related ID is required');
  const clientId = recipientOf(state, type, relatedId);
  const client = clientId === undefined ? undefined : state.clients.get(clientId);
  if (!client) fail('Sending Failed. Please see documentation.');
  state.insertEmail({
    clientId: client.id,
    date: nowDateTime(ctx),
    to: client.email,
    subject,
    message,
    templateName: templateName ?? `custom ${type}`,
    relatedId,
  });
  logActivity(
    ctx,
    `Email Sent to ${client.firstname} ${client.lastname} (${subject}) - User ID: ${client.id}`,
    client.id,
  );
  return {};
};

export const systemHandlers: Readonly<Record<string, ActionHandler>> = {
  GetActivityLog,
  LogActivity,
  GetStats,
  GetToDoItems,
  GetAutomationLog,
  GetCurrencies,
  GetPaymentMethods,
  GetServers,
  GetHealthStatus,
  WhmcsDetails,
  GetAdminDetails,
  GetEmailTemplates,
  SendEmail,
};
