/**
 * Products and the services clients hold: GetProducts, GetClientsProducts, GetClientsAddons,
 * ModuleCreate, ModuleSuspend, ModuleUnsuspend, ModuleTerminate, UpdateClientProduct.
 *
 * The provisioning modules are simulated: a module command succeeds when the service is in a state
 * the real module could act on, and fails with a server-style message otherwise.
 */
import { BILLING_CYCLES, CYCLE_MONTHS, SERVICE_STATUSES, ZERO_DATE } from '../state.js';
import type { BillingCycle, Product, SandboxState, Service, ServiceAddon, ServiceStatus } from '../state.js';
import { usernameFor } from '../seed.js';
import {
  fail,
  filledParam,
  flagParam,
  intParam,
  listParam,
  logActivity,
  money,
  moneyParam,
  nowDateTime,
  pageOf,
  pagingOf,
  textParam,
  toDay,
  today,
} from './common.js';
import type { ActionContext, ActionHandler, Reply, ReplyValue } from './common.js';

/** Reads a billing cycle as callers spell it ("monthly", "semiannually", "Semi-Annually", "free"). */
export function cycleFromInput(value: string | undefined): BillingCycle | undefined {
  if (value === undefined) return undefined;
  const key = value.toLowerCase().replace(/[^a-z]/g, '');
  if (key === 'free' || key === 'freeaccount') return 'Free Account';
  if (key === 'onetime') return 'One Time';
  return BILLING_CYCLES.find((cycle) => cycle.toLowerCase().replace(/[^a-z]/g, '') === key);
}

export function gatewayName(state: SandboxState, module: string): string {
  return state.gateways.get(module)?.displayName ?? module;
}

/** "Shared Hosting", for a product id. */
export function productGroupName(state: SandboxState, product: Product | undefined): string {
  return product ? (state.productGroups.get(product.groupId)?.name ?? '') : '';
}

const CONFIG_OPTION_TYPES: Readonly<Record<number, string>> = {
  1: 'dropdown',
  2: 'radio',
  3: 'yesno',
  4: 'quantity',
};

function renderService(state: SandboxState, service: Service): Reply {
  const product = state.products.get(service.productId);
  const server = state.servers.get(service.serverId);
  const order = state.orders.get(service.orderId);
  const groupName = productGroupName(state, product);
  const configOptions: ReplyValue[] = service.configOptions.map((chosen) => {
    const option = product?.configOptions.find((entry) => entry.id === chosen.optionId);
    return {
      id: String(chosen.optionId),
      option: option?.name ?? '',
      type: CONFIG_OPTION_TYPES[option?.type ?? 1] ?? 'dropdown',
      value: chosen.value,
    };
  });
  const customFields: ReplyValue[] = (product?.customFields ?? []).map((field) => ({
    id: String(field.id),
    name: field.name,
    translated_name: field.name,
    value: '',
  }));
  return {
    id: String(service.id),
    qty: String(service.quantity),
    clientid: String(service.clientId),
    orderid: String(service.orderId),
    ordernumber: order ? String(order.orderNum) : '',
    pid: String(service.productId),
    regdate: service.regDate,
    name: product?.name ?? '',
    translated_name: product?.name ?? '',
    groupname: groupName,
    translated_groupname: groupName,
    domain: service.domain,
    dedicatedip: service.dedicatedIp,
    serverid: String(service.serverId),
    servername: server?.name ?? '',
    serverip: server?.ipAddress ?? '',
    serverhostname: server?.hostname ?? '',
    suspensionreason: service.suspensionReason,
    firstpaymentamount: money(service.firstPaymentAmount),
    recurringamount: money(service.recurringAmount),
    paymentmethod: service.paymentMethod,
    paymentmethodname: gatewayName(state, service.paymentMethod),
    billingcycle: service.billingCycle,
    nextduedate: service.nextDueDate,
    status: service.status,
    username: service.username,
    password: service.password,
    subscriptionid: service.subscriptionId,
    promoid: String(service.promoId),
    overideautosuspend: service.overrideAutoSuspend ? '1' : '',
    overidesuspenduntil: service.overrideSuspendUntil,
    ns1: service.ns1,
    ns2: service.ns2,
    assignedips: service.assignedIps,
    notes: service.notes,
    diskusage: String(service.diskUsage),
    disklimit: String(service.diskLimit),
    bwusage: String(service.bandwidthUsage),
    bwlimit: String(service.bandwidthLimit),
    lastupdate: service.lastUpdate,
    customfields: { customfield: customFields },
    configoptions: { configoption: configOptions },
  };
}

export const GetClientsProducts: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const clientId = intParam(params, 'clientid');
  const serviceId = intParam(params, 'serviceid');
  const productId = intParam(params, 'pid');
  const domain = filledParam(params, 'domain')?.toLowerCase();
  const username = filledParam(params, 'username2');
  let source: Iterable<Service>;
  if (serviceId !== undefined) source = state.pick(state.services, [serviceId]);
  else if (clientId !== undefined) source = state.pick(state.services, state.servicesByClient.get(clientId));
  else source = state.services.values();
  const matches: Service[] = [];
  for (const service of source) {
    if (clientId !== undefined && service.clientId !== clientId) continue;
    if (productId !== undefined && service.productId !== productId) continue;
    if (domain !== undefined && service.domain.toLowerCase() !== domain) continue;
    if (username !== undefined && service.username !== username) continue;
    matches.push(service);
  }
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    // WHMCS echoes the filters it was given, null for those it was not.
    clientid: clientId === undefined ? null : String(clientId),
    serviceid: serviceId === undefined ? null : String(serviceId),
    pid: productId === undefined ? null : String(productId),
    domain: domain === undefined ? null : (filledParam(params, 'domain') ?? null),
    totalresults: String(matches.length),
    startnumber: paging.start,
    numreturned: page.length,
    products: page.length ? { product: page.map((service) => renderService(state, service)) } : '',
  } satisfies Reply;
};

function renderAddon(state: SandboxState, addon: ServiceAddon): Reply {
  const predefined = state.productAddons.get(addon.addonId);
  return {
    id: String(addon.id),
    qty: String(addon.quantity),
    userid: String(addon.clientId),
    orderid: String(addon.orderId),
    serviceid: String(addon.serviceId),
    addonid: String(addon.addonId),
    name: addon.name || predefined?.name || '',
    setupfee: money(addon.setupFee),
    recurring: money(addon.recurring),
    billingcycle: addon.billingCycle,
    tax: '',
    status: addon.status,
    regdate: addon.regDate,
    nextduedate: addon.nextDueDate,
    nextinvoicedate: addon.nextInvoiceDate,
    paymentmethod: addon.paymentMethod,
    paymentmethodname: gatewayName(state, addon.paymentMethod),
    notes: addon.notes,
  };
}

export const GetClientsAddons: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const serviceText = filledParam(params, 'serviceid');
  // serviceid may be one id or a comma-separated list.
  const serviceIds =
    serviceText === undefined
      ? undefined
      : new Set(serviceText.split(',').map((part) => Number(part.trim())));
  const clientId = intParam(params, 'clientid');
  const addonId = intParam(params, 'addonid');
  let source: Iterable<ServiceAddon>;
  if (clientId !== undefined) source = state.pick(state.serviceAddons, state.addonsByClient.get(clientId));
  else if (serviceIds !== undefined) {
    source = [...serviceIds].flatMap((id) => state.pick(state.serviceAddons, state.addonsByService.get(id)));
  } else source = state.serviceAddons.values();
  const matches: ServiceAddon[] = [];
  for (const addon of source) {
    if (serviceIds !== undefined && !serviceIds.has(addon.serviceId)) continue;
    if (addonId !== undefined && addon.addonId !== addonId) continue;
    matches.push(addon);
  }
  return {
    serviceid: serviceText ?? '',
    clientid: clientId === undefined ? '' : String(clientId),
    totalresults: String(matches.length),
    addons: matches.length ? { addon: matches.map((addon) => renderAddon(state, addon)) } : '',
  } satisfies Reply;
};

// --- product catalogue -----------------------------------------------------------------------------

const CYCLE_PRICE_KEYS: readonly [cycle: BillingCycle, price: string, setup: string][] = [
  ['Monthly', 'monthly', 'msetupfee'],
  ['Quarterly', 'quarterly', 'qsetupfee'],
  ['Semi-Annually', 'semiannually', 'ssetupfee'],
  ['Annually', 'annually', 'asetupfee'],
  ['Biennially', 'biennially', 'bsetupfee'],
  ['Triennially', 'triennially', 'tsetupfee'],
];

function renderProduct(state: SandboxState, product: Product): Reply {
  const pricing: Reply = {};
  for (const currency of state.currencies.values()) {
    const prices = product.pricing.get(currency.id);
    const entry: Reply = { prefix: currency.prefix, suffix: currency.suffix };
    for (const [cycle, , setupKey] of CYCLE_PRICE_KEYS) {
      const setup = prices?.setupFee[cycle];
      entry[setupKey] = money(setup ?? 0n);
    }
    for (const [cycle, priceKey] of CYCLE_PRICE_KEYS) {
      const price = prices?.recurring[cycle];
      // WHMCS marks a cycle that is not offered with -1.00.
      entry[priceKey] = price === undefined ? '-1.00' : money(price);
    }
    pricing[currency.code] = entry;
  }
  const group = state.productGroups.get(product.groupId);
  return {
    pid: product.id,
    gid: product.groupId,
    type: product.type,
    name: product.name,
    slug: product.slug,
    'product-url': `https://sandbox.example/store/${group?.slug ?? 'products'}/${product.slug}`,
    description: product.description,
    module: product.module,
    paytype: product.payType,
    allowqty: product.allowQuantity,
    quantity_available: product.quantityAvailable,
    pricing,
    customfields: {
      customfield: product.customFields.map((field) => ({
        id: field.id,
        name: field.name,
        description: field.description,
        required: field.required ? 'on' : '',
      })),
    },
    configoptions: {
      configoption: product.configOptions.map((option) => ({
        id: option.id,
        name: option.name,
        type: String(option.type),
        minqty: option.minQty,
        maxqty: option.maxQty,
        options: {
          option: option.choices.map((choice) => {
            const choicePricing: Reply = {};
            for (const currency of state.currencies.values()) {
              const monthly = choice.monthly.get(currency.id) ?? 0n;
              const entry: Reply = {};
              for (const [, , setupKey] of CYCLE_PRICE_KEYS) entry[setupKey] = '0.00';
              for (const [cycle, priceKey] of CYCLE_PRICE_KEYS) {
                entry[priceKey] = money(monthly * BigInt(CYCLE_MONTHS[cycle]));
              }
              choicePricing[currency.code] = entry;
            }
            return {
              id: choice.id,
              name: choice.name,
              rawName: null,
              recurring: 0,
              required: null,
              pricing: choicePricing,
            };
          }),
        },
      })),
    },
  };
}

export const GetProducts: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const pidText = filledParam(params, 'pid');
  const productIds =
    pidText === undefined ? undefined : new Set(pidText.split(',').map((part) => Number(part.trim())));
  const groupId = intParam(params, 'gid');
  const module = filledParam(params, 'module')?.toLowerCase();
  const matches = [...state.products.values()].filter(
    (product) =>
      (productIds === undefined || productIds.has(product.id)) &&
      (groupId === undefined || product.groupId === groupId) &&
      (module === undefined || product.module.toLowerCase() === module),
  );
  return {
    totalresults: matches.length,
    products: matches.length ? { product: matches.map((product) => renderProduct(state, product)) } : [],
  } satisfies Reply;
};

// --- module commands ------------------------------------------------------------------------------

function requireModuleService(
  ctx: ActionContext,
  serviceId: number | undefined,
): { service: Service; product: Product | undefined } {
  if (serviceId === undefined) fail('Service ID is required');
  const service = ctx.state.services.get(serviceId);
  if (!service) fail('Service ID not found');
  const product = ctx.state.products.get(service.productId);
  if (!product?.module) fail('Service not assigned to a module');
  return { service, product };
}

function setAddonsStatus(
  state: SandboxState,
  service: Service,
  from: readonly ServiceStatus[],
  to: ServiceStatus,
): void {
  for (const addon of state.pick(state.serviceAddons, state.addonsByService.get(service.id))) {
    if (from.includes(addon.status)) addon.status = to;
  }
}

export const ModuleCreate: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const { service, product } = requireModuleService(ctx, intParam(params, 'serviceid'));
  if (service.status === 'Active' || service.status === 'Suspended') {
    fail(`An account already exists for ${service.username || service.domain || `service ${service.id}`}`);
  }
  if (service.serverId === 0) {
    for (const server of state.servers.values()) {
      if (server.module === product?.module && server.active) {
        service.serverId = server.id;
        break;
      }
    }
  }
  if (!service.username) service.username = usernameFor(service.domain, service.clientId);
  if (!service.password) service.password = `Sbx!${state.random.alphanumeric(12)}`;
  service.status = 'Active';
  service.terminationDate = ZERO_DATE;
  service.lastUpdate = nowDateTime(ctx);
  setAddonsStatus(state, service, ['Pending', 'Terminated', 'Cancelled'], 'Active');
  logActivity(ctx, `Module Create Successful - Service ID: ${service.id}`, service.clientId);
  return {};
};

export const ModuleSuspend: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const { service } = requireModuleService(ctx, intParam(params, 'serviceid'));
  if (service.status !== 'Active') fail(`Cannot suspend the account: the service is ${service.status}`);
  service.status = 'Suspended';
  service.suspensionReason = textParam(params, 'suspendreason')?.trim() ?? '';
  setAddonsStatus(state, service, ['Active'], 'Suspended');
  logActivity(
    ctx,
    `Module Suspend Successful - Service ID: ${service.id}${service.suspensionReason ? ` - Reason: ${service.suspensionReason}` : ''}`,
    service.clientId,
  );
  return {};
};

export const ModuleUnsuspend: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const { service } = requireModuleService(ctx, intParam(params, 'serviceid'));
  if (service.status !== 'Suspended') fail(`Cannot unsuspend the account: the service is ${service.status}`);
  service.status = 'Active';
  service.suspensionReason = '';
  setAddonsStatus(state, service, ['Suspended'], 'Active');
  logActivity(ctx, `Module Unsuspend Successful - Service ID: ${service.id}`, service.clientId);
  return {};
};

export const ModuleTerminate: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const { service } = requireModuleService(ctx, intParam(params, 'serviceid'));
  if (service.status !== 'Active' && service.status !== 'Suspended') {
    fail(`Cannot terminate the account: the service is ${service.status}`);
  }
  service.status = 'Terminated';
  service.terminationDate = today(ctx);
  setAddonsStatus(state, service, ['Active', 'Suspended', 'Pending'], 'Terminated');
  logActivity(ctx, `Module Terminate Successful - Service ID: ${service.id}`, service.clientId);
  return {};
};

// --- UpdateClientProduct ----------------------------------------------------------------------------

const SERVICE_TEXT_FIELDS = [
  ['domain', 'domain'],
  ['paymentmethod', 'paymentMethod'],
  ['subscriptionid', 'subscriptionId'],
  ['notes', 'notes'],
  ['serviceusername', 'username'],
  ['servicepassword', 'password'],
  ['ns1', 'ns1'],
  ['ns2', 'ns2'],
  ['dedicatedip', 'dedicatedIp'],
  ['assignedips', 'assignedIps'],
  ['suspendreason', 'suspensionReason'],
] as const;

const SERVICE_DATE_FIELDS = [
  ['regdate', 'regDate'],
  ['nextduedate', 'nextDueDate'],
  ['terminationdate', 'terminationDate'],
  ['overidesuspenduntil', 'overrideSuspendUntil'],
] as const;

const SERVICE_NUMBER_FIELDS = [
  ['diskusage', 'diskUsage'],
  ['disklimit', 'diskLimit'],
  ['bwusage', 'bandwidthUsage'],
  ['bwlimit', 'bandwidthLimit'],
  ['promoid', 'promoId'],
] as const;

const UNSETTABLE: Readonly<Record<string, (typeof SERVICE_TEXT_FIELDS)[number][1]>> = {
  domain: 'domain',
  serviceusername: 'username',
  servicepassword: 'password',
  subscriptionid: 'subscriptionId',
  ns1: 'ns1',
  ns2: 'ns2',
  dedicatedip: 'dedicatedIp',
  assignedips: 'assignedIps',
  notes: 'notes',
  suspendreason: 'suspensionReason',
};

export const UpdateClientProduct: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const service = state.services.get(intParam(params, 'serviceid') ?? 0);
  if (!service) fail('Service ID Not Found');
  // Validate everything first so a refused call changes nothing.
  const statusText = filledParam(params, 'status');
  const status =
    statusText === undefined
      ? undefined
      : SERVICE_STATUSES.find((entry) => entry.toLowerCase() === statusText.toLowerCase());
  if (statusText !== undefined && !status)
    fail(`Invalid Service Status. Valid statuses are: ${SERVICE_STATUSES.join(',')}`);
  const cycleText = filledParam(params, 'billingcycle');
  const cycle = cycleFromInput(cycleText);
  if (cycleText !== undefined && !cycle)
    fail(`Invalid Billing Cycle. Valid cycles are: ${BILLING_CYCLES.join(',')}`);
  const productId = intParam(params, 'pid');
  if (productId !== undefined && !state.products.has(productId)) fail('Product ID Not Found');
  const serverId = intParam(params, 'serverid');
  if (serverId !== undefined && serverId !== 0 && !state.servers.has(serverId)) fail('Server ID Not Found');
  const amounts = {
    firstpaymentamount: moneyParam(params, 'firstpaymentamount'),
    recurringamount: moneyParam(params, 'recurringamount'),
  };
  for (const [name, value] of Object.entries(amounts)) {
    if (value === 'invalid') fail(`Invalid ${name}: amounts must be in decimal format ### or ###.##`);
  }
  const dates = new Map<(typeof SERVICE_DATE_FIELDS)[number][1], string>();
  for (const [param, field] of SERVICE_DATE_FIELDS) {
    const value = filledParam(params, param);
    if (value === undefined) continue;
    const day = value.startsWith('0000-00-00') ? ZERO_DATE : toDay(value);
    if (day === 'invalid') fail(`Invalid date for ${param}: use YYYY-MM-DD`);
    dates.set(field, day);
  }

  for (const [param, field] of SERVICE_TEXT_FIELDS) {
    const value = textParam(params, param);
    if (value !== undefined) service[field] = value;
  }
  for (const [field, day] of dates) service[field] = day;
  for (const [param, field] of SERVICE_NUMBER_FIELDS) {
    const value = intParam(params, param);
    if (value !== undefined) service[field] = value;
  }
  for (const name of listParam(params, 'unset')) {
    const field = UNSETTABLE[name.trim().toLowerCase()];
    if (field) service[field] = '';
  }
  if (productId !== undefined) service.productId = productId;
  if (serverId !== undefined) service.serverId = serverId;
  if (cycle) service.billingCycle = cycle;
  if (amounts.firstpaymentamount !== undefined && amounts.firstpaymentamount !== 'invalid') {
    service.firstPaymentAmount = amounts.firstpaymentamount;
  }
  if (amounts.recurringamount !== undefined && amounts.recurringamount !== 'invalid') {
    service.recurringAmount = amounts.recurringamount;
  }
  if (flagParam(params, 'autorecalc')) {
    const client = state.clients.get(service.clientId);
    const price = state.products.get(service.productId)?.pricing.get(state.currencyOf(client).id)?.recurring[
      service.billingCycle
    ];
    if (price !== undefined) service.recurringAmount = price;
  }
  const overrideAutoSuspend = filledParam(params, 'overideautosuspend')?.toLowerCase();
  if (overrideAutoSuspend !== undefined)
    service.overrideAutoSuspend =
      overrideAutoSuspend === 'on' || overrideAutoSuspend === '1' || overrideAutoSuspend === 'true';
  if (status && status !== service.status) {
    service.status = status;
    if (status === 'Terminated' && service.terminationDate === ZERO_DATE)
      service.terminationDate = today(ctx);
    // Leaving Suspended clears the reason unless the caller set one in the same call.
    if (status !== 'Suspended' && textParam(params, 'suspendreason') === undefined)
      service.suspensionReason = '';
  }
  logActivity(ctx, `Modified Product/Service - Service ID: ${service.id}`, service.clientId);
  return { serviceid: String(service.id) } satisfies Reply;
};

export const serviceHandlers: Readonly<Record<string, ActionHandler>> = {
  GetProducts,
  GetClientsProducts,
  GetClientsAddons,
  ModuleCreate,
  ModuleSuspend,
  ModuleUnsuspend,
  ModuleTerminate,
  UpdateClientProduct,
};
