/**
 * Orders, quotes and promotions: GetOrders, AddOrder, AcceptOrder, CancelOrder, PendingOrder,
 * FraudOrder, GetOrderStatuses, GetPromotions, GetQuotes.
 *
 * An order ties together the services, addons and domains it created and the invoice that bills
 * them; changing the order's status moves those items with it, as WHMCS's order actions do.
 */
import {
  CYCLE_MONTHS,
  ORDER_STATUSES,
  ZERO_DATE,
  ZERO_DATETIME,
  addMonths,
  convertFromDefault,
} from '../state.js';
import type {
  BillingCycle,
  Client,
  Domain,
  DomainStatus,
  InvoiceItem,
  Order,
  OrderStatus,
  Product,
  Promotion,
  Quote,
  SandboxState,
  Service,
  ServiceAddon,
  ServiceStatus,
} from '../state.js';
import type { Cents } from '../../money.js';
import { tldOf, usernameFor } from '../seed.js';
import { requireClient, renderClientSummary } from './clients.js';
import {
  fail,
  filledParam,
  flagParam,
  idList,
  intParam,
  listParam,
  logActivity,
  money,
  nowDateTime,
  pageOf,
  pagingOf,
  toFlag,
  toInt,
  toMoney,
  today,
} from './common.js';
import type { ActionContext, ActionHandler, Reply, ReplyValue } from './common.js';
import { cycleFromInput, gatewayName, productGroupName } from './services.js';

// --- reads -------------------------------------------------------------------------------------------

const PRODUCT_TYPE_NAMES: Readonly<Record<Product['type'], string>> = {
  hostingaccount: 'Hosting Account',
  reselleraccount: 'Reseller Account',
  server: 'Dedicated/VPS Server',
  other: 'Other Product/Service',
};

function renderLineItems(state: SandboxState, order: Order): ReplyValue[] {
  const items: ReplyValue[] = [];
  for (const service of state.pick(state.services, state.servicesByOrder.get(order.id))) {
    const product = state.products.get(service.productId);
    items.push({
      type: 'product',
      relid: service.id,
      producttype: PRODUCT_TYPE_NAMES[product?.type ?? 'other'],
      product: `${productGroupName(state, product)} - ${product?.name ?? ''}`,
      domain: service.domain,
      billingcycle: service.billingCycle,
      amount: money(service.firstPaymentAmount),
      status: service.status,
    });
  }
  for (const addon of state.pick(state.serviceAddons, state.addonsByOrder.get(order.id))) {
    items.push({
      type: 'addon',
      relid: addon.id,
      producttype: 'Addon',
      product: addon.name || state.productAddons.get(addon.addonId)?.name || '',
      domain: state.services.get(addon.serviceId)?.domain ?? '',
      billingcycle: addon.billingCycle,
      amount: money(addon.setupFee + addon.recurring),
      status: addon.status,
    });
  }
  for (const domain of state.pick(state.domains, state.domainsByOrder.get(order.id))) {
    items.push({
      type: 'domain',
      relid: domain.id,
      producttype: domain.regType === 'Transfer' ? 'Domain Transfer' : 'Domain Registration',
      product: domain.regType,
      domain: domain.domainName,
      billingcycle: `${domain.regPeriod} Year/s`,
      amount: money(domain.firstPaymentAmount),
      status: domain.status,
    });
  }
  return items;
}

function renderOrder(state: SandboxState, order: Order): Reply {
  const client = state.clients.get(order.clientId);
  const currency = state.currencyOf(client);
  const invoice = state.invoices.get(order.invoiceId);
  return {
    id: order.id,
    ordernum: order.orderNum,
    userid: order.clientId,
    contactid: order.contactId,
    requestor_id: order.requestorId,
    admin_requestor_id: order.adminRequestorId,
    date: order.date,
    nameservers: order.nameservers,
    transfersecret: order.transferSecret,
    renewals: '',
    renewalsByType: { domains: [], services: [], addons: [] },
    promocode: order.promoCode,
    promotype: order.promoType,
    promovalue: order.promoValue,
    orderdata: '[]',
    amount: money(order.amount),
    paymentmethod: order.paymentMethod,
    invoiceid: order.invoiceId,
    status: order.status,
    ipaddress: order.ipAddress,
    fraudmodule: order.fraudModule,
    fraudoutput: order.fraudOutput,
    notes: order.notes,
    paymentmethodname: gatewayName(state, order.paymentMethod),
    paymentstatus: invoice?.status ?? '',
    name: client ? `${client.firstname} ${client.lastname}` : '',
    currencyprefix: currency.prefix,
    currencysuffix: currency.suffix,
    frauddata: '',
    validationdata: '',
    lineitems: { lineitem: renderLineItems(state, order) },
  };
}

export const GetOrders: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const orderId = intParam(params, 'id');
  const clientId = intParam(params, 'userid');
  const requestorId = intParam(params, 'requestor_id');
  const status = filledParam(params, 'status')?.toLowerCase();
  let source: Order[];
  if (orderId !== undefined) source = state.pick(state.orders, [orderId]);
  else if (clientId !== undefined) source = state.pick(state.orders, state.ordersByClient.get(clientId));
  else source = [...state.orders.values()];
  const matches = source.filter(
    (order) =>
      (clientId === undefined || order.clientId === clientId) &&
      (requestorId === undefined || order.requestorId === requestorId) &&
      (status === undefined || order.status.toLowerCase() === status),
  );
  // Newest orders first, as the admin area lists them.
  matches.reverse();
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    numreturned: page.length,
    orders: page.length ? { order: page.map((order) => renderOrder(state, order)) } : [],
  } satisfies Reply;
};

export const GetOrderStatuses: ActionHandler = (_params, ctx) => {
  const counts = new Map<OrderStatus, number>(ORDER_STATUSES.map((status) => [status, 0]));
  for (const order of ctx.state.orders.values())
    counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
  const order: OrderStatus[] = ['Pending', 'Active', 'Fraud', 'Cancelled'];
  return {
    totalresults: order.length,
    statuses: { status: order.map((title) => ({ title, count: counts.get(title) ?? 0 })) },
  } satisfies Reply;
};

function renderPromotion(promotion: Promotion): Reply {
  const flag = (value: boolean): number => (value ? 1 : 0);
  return {
    id: promotion.id,
    code: promotion.code,
    type: promotion.type,
    recurring: flag(promotion.recurring),
    // Percentages are stored in hundredths of a percent, amounts in cents: both render as decimals.
    value: Number(money(promotion.value)),
    cycles: promotion.cycles,
    appliesto: promotion.appliesTo.join(','),
    requires: promotion.requires.join(','),
    requiresexisting: flag(promotion.requiresExisting),
    startdate: promotion.startDate,
    expirationdate: promotion.expirationDate,
    maxuses: promotion.maxUses,
    uses: promotion.uses,
    lifetimepromo: flag(promotion.lifetimePromo),
    applyonce: flag(promotion.applyOnce),
    newsignups: flag(promotion.newSignups),
    existingclient: flag(promotion.existingClient),
    onceperclient: flag(promotion.oncePerClient),
    recurfor: promotion.recurFor,
    upgrades: flag(promotion.upgrades),
    upgradeconfig:
      'a:4:{s:5:"value";s:4:"0.00";s:4:"type";s:0:"";s:12:"discounttype";s:10:"Percentage";s:13:"configoptions";s:0:"";}',
    notes: promotion.notes,
  };
}

export const GetPromotions: ActionHandler = (params, ctx) => {
  const code = filledParam(params, 'code')?.toLowerCase();
  const matches = [...ctx.state.promotions.values()].filter(
    (promotion) => code === undefined || promotion.code.toLowerCase() === code,
  );
  return {
    totalresults: matches.length,
    promotions: matches.length ? { promotion: matches.map(renderPromotion) } : [],
  } satisfies Reply;
};

function renderQuote(state: SandboxState, quote: Quote): Reply {
  const client = quote.clientId ? state.clients.get(quote.clientId) : undefined;
  return {
    id: quote.id,
    subject: quote.subject,
    stage: quote.stage,
    validuntil: quote.validUntil,
    userid: quote.clientId,
    client: client ? renderClientSummary(client) : null,
    firstname: quote.firstname,
    lastname: quote.lastname,
    companyname: quote.companyname,
    email: quote.email,
    address1: quote.address1,
    address2: quote.address2,
    city: quote.city,
    state: quote.state,
    postcode: quote.postcode,
    country: quote.country,
    phonenumber: quote.phonenumber,
    tax_id: quote.taxId,
    currency: quote.currencyId,
    subtotal: money(quote.subtotal),
    tax1: money(quote.tax1),
    tax2: money(quote.tax2),
    total: money(quote.total),
    proposal: quote.proposal,
    customernotes: quote.customerNotes,
    adminnotes: quote.adminNotes,
    datecreated: quote.dateCreated,
    lastmodified: quote.lastModified,
    datesent: quote.dateSent,
    dateaccepted: quote.dateAccepted,
    items: {
      item: quote.items.map((item) => ({
        id: item.id,
        description: item.description,
        quantity: String(item.quantity),
        unitprice: money(item.unitPrice),
        discount: money(BigInt(item.discountBasisPoints)),
        taxable: item.taxable ? 1 : 0,
      })),
    },
  };
}

export const GetQuotes: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const quoteId = intParam(params, 'quoteid');
  const clientId = intParam(params, 'userid');
  const subject = filledParam(params, 'subject')?.toLowerCase();
  const stage = filledParam(params, 'stage')?.toLowerCase();
  const dateFilters = (['datecreated', 'lastmodified', 'validuntil'] as const).map(
    (name) => [name, filledParam(params, name)] as const,
  );
  let source: Quote[];
  if (quoteId !== undefined) source = state.pick(state.quotes, [quoteId]);
  else if (clientId !== undefined) source = state.pick(state.quotes, state.quotesByClient.get(clientId));
  else source = [...state.quotes.values()];
  const fields = {
    datecreated: 'dateCreated',
    lastmodified: 'lastModified',
    validuntil: 'validUntil',
  } as const;
  const matches = source.filter(
    (quote) =>
      (clientId === undefined || quote.clientId === clientId) &&
      (subject === undefined || quote.subject.toLowerCase() === subject) &&
      (stage === undefined || quote.stage.toLowerCase() === stage) &&
      dateFilters.every(([name, value]) => value === undefined || quote[fields[name]] === value),
  );
  matches.reverse();
  const paging = pagingOf(params);
  const page = pageOf(matches, paging);
  return {
    totalresults: matches.length,
    startnumber: paging.start,
    numreturned: page.length,
    quotes: page.length ? { quote: page.map((quote) => renderQuote(state, quote)) } : [],
  } satisfies Reply;
};

// --- AddOrder -----------------------------------------------------------------------------------------

interface PlannedService {
  product: Product;
  cycle: BillingCycle;
  domain: string;
  price: Cents;
  firstPayment: Cents;
  addonIds: number[];
}

interface PlannedDomain {
  name: string;
  type: 'Register' | 'Transfer';
  years: number;
  price: Cents;
  renewal: Cents;
  eppCode: string;
  idProtection: boolean;
  dnsManagement: boolean;
  emailForwarding: boolean;
}

function firstOfferedCycle(product: Product, currencyId: number): BillingCycle | undefined {
  const recurring = product.pricing.get(currencyId)?.recurring ?? {};
  return (Object.keys(recurring) as BillingCycle[])[0];
}

function promotionApplies(
  promotion: Promotion | undefined,
  productId: number,
  day: string,
): promotion is Promotion {
  if (!promotion) return false;
  if (promotion.appliesTo.length && !promotion.appliesTo.includes(productId)) return false;
  if (promotion.startDate !== ZERO_DATE && day < promotion.startDate) return false;
  if (promotion.expirationDate !== ZERO_DATE && day > promotion.expirationDate) return false;
  return promotion.maxUses === 0 || promotion.uses < promotion.maxUses;
}

function discounted(price: Cents, promotion: Promotion): Cents {
  if (promotion.type === 'Percentage') {
    const discount = (price * promotion.value + 5_000n) / 10_000n;
    return price - discount;
  }
  if (promotion.type === 'Fixed Amount') return price > promotion.value ? price - promotion.value : 0n;
  if (promotion.type === 'Price Override') return promotion.value;
  return price;
}

export const AddOrder: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const client = requireClient(state, intParam(params, 'clientid'));
  if (client.status === 'Closed') fail('Unable to add order when client status is Closed');
  const paymentMethod = filledParam(params, 'paymentmethod') ?? '';
  if (!state.gateways.has(paymentMethod)) {
    fail(`Invalid Payment Method. Valid options include ${[...state.gateways.keys()].join(',')}`);
  }
  const currency = state.currencyOf(client);
  const day = today(ctx);
  const promoCode = filledParam(params, 'promocode');
  const promotion = promoCode
    ? [...state.promotions.values()].find((entry) => entry.code.toLowerCase() === promoCode.toLowerCase())
    : undefined;

  // Plan every item before writing anything, so a refused order leaves no trace.
  const productIds = listParam(params, 'pid').map(toInt);
  const domainNames = listParam(params, 'domain').map((name) => name.trim().toLowerCase());
  const cycles = listParam(params, 'billingcycle');
  const domainTypes = listParam(params, 'domaintype').map((type) => type.trim().toLowerCase());
  const periods = listParam(params, 'regperiod').map(toInt);
  const priceOverrides = listParam(params, 'priceoverride');
  const domainPriceOverrides = listParam(params, 'domainpriceoverride');
  const domainRenewOverrides = listParam(params, 'domainrenewoverride');
  const eppCodes = listParam(params, 'eppcode');
  const addonLists = listParam(params, 'addons');
  const idProtection = listParam(params, 'idprotection');
  const dnsManagement = listParam(params, 'dnsmanagement');
  const emailForwarding = listParam(params, 'emailforwarding');
  const override = (values: string[], index: number): Cents | undefined => {
    const value = values[index]?.trim();
    if (value === undefined || value === '') return undefined;
    const cents = toMoney(value);
    if (cents === 'invalid') fail(`Invalid price override: ${value}`);
    return cents;
  };

  const plannedServices: PlannedService[] = [];
  productIds.forEach((productId, index) => {
    const product = state.products.get(productId);
    if (!product) fail(`Product ID ${productId} Not Found`);
    const requested = cycleFromInput(cycles[index]);
    const cycle =
      product.payType === 'free'
        ? 'Free Account'
        : (requested ?? firstOfferedCycle(product, currency.id) ?? 'One Time');
    const listPrice = product.payType === 'free' ? 0n : product.pricing.get(currency.id)?.recurring[cycle];
    if (listPrice === undefined) fail(`Billing cycle ${cycle} is not offered for product ID ${productId}`);
    const setupFee = product.pricing.get(currency.id)?.setupFee[cycle] ?? 0n;
    let price = override(priceOverrides, index) ?? listPrice;
    let firstPayment = price + setupFee;
    if (promotionApplies(promotion, product.id, day)) {
      firstPayment = discounted(price, promotion) + setupFee;
      if (promotion.recurring) price = discounted(price, promotion);
    }
    const addonIds = (addonLists[index] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map(Number);
    for (const addonId of addonIds) if (!state.productAddons.has(addonId)) fail('Addon ID invalid');
    plannedServices.push({ product, cycle, domain: domainNames[index] ?? '', price, firstPayment, addonIds });
  });

  const plannedDomains: PlannedDomain[] = [];
  domainTypes.forEach((type, index) => {
    const name = domainNames[index];
    if ((type !== 'register' && type !== 'transfer') || !name) return;
    const tld = state.tlds.get(tldOf(name));
    if (!tld) fail(`The TLD .${tldOf(name)} is not offered`);
    const years = periods[index] && periods[index] > 0 ? periods[index] : 1;
    const table = type === 'register' ? tld.register : tld.transfer;
    const listPrice = table.get(years) ?? table.get(1);
    if (listPrice === undefined) fail(`Registration period ${years} is not offered for .${tld.tld}`);
    plannedDomains.push({
      name,
      type: type === 'register' ? 'Register' : 'Transfer',
      years,
      price: override(domainPriceOverrides, index) ?? convertFromDefault(listPrice, currency),
      renewal:
        override(domainRenewOverrides, index) ??
        convertFromDefault(tld.renew.get(years) ?? listPrice, currency),
      eppCode: eppCodes[index] ?? '',
      idProtection: toFlag(idProtection[index] ?? ''),
      dnsManagement: toFlag(dnsManagement[index] ?? ''),
      emailForwarding: toFlag(emailForwarding[index] ?? ''),
    });
  });

  // Addon-only orders: addonid + serviceid, or the addonids[] / serviceids[] pairs.
  const addonOnly: { addonId: number; service: Service }[] = [];
  const singleAddon = intParam(params, 'addonid');
  const addonPairs: [number, number][] = listParam(params, 'addonids').map((addonId, index) => [
    toInt(addonId),
    toInt(listParam(params, 'serviceids')[index] ?? ''),
  ]);
  if (singleAddon !== undefined) addonPairs.push([singleAddon, intParam(params, 'serviceid') ?? 0]);
  for (const [addonId, serviceId] of addonPairs) {
    if (!state.productAddons.has(addonId)) fail('Addon ID invalid');
    const service = state.services.get(serviceId);
    if (!service || service.clientId !== client.id) fail('Service ID not owned by Client ID provided');
    addonOnly.push({ addonId, service });
  }
  if (!plannedServices.length && !plannedDomains.length && !addonOnly.length) {
    fail('No items added to cart so order cannot proceed');
  }

  // Write the order, its items and its invoice.
  const now = nowDateTime(ctx);
  const order = state.insertOrder({
    orderNum: Number(state.random.digits(10)),
    clientId: client.id,
    contactId: intParam(params, 'contactid') ?? 0,
    requestorId: client.ownerUserId,
    adminRequestorId: 0,
    date: now,
    nameservers: ['nameserver1', 'nameserver2', 'nameserver3', 'nameserver4', 'nameserver5']
      .map((name) => filledParam(params, name))
      .filter((value): value is string => value !== undefined)
      .join(','),
    transferSecret: '',
    promoCode: promotion?.code ?? '',
    promoType: promotion?.type ?? '',
    promoValue: promotion ? money(promotion.value) : '',
    amount: 0n,
    paymentMethod,
    invoiceId: 0,
    status: 'Pending',
    ipAddress: filledParam(params, 'clientip') ?? ctx.clientIp,
    fraudModule: '',
    fraudOutput: '',
    notes: '',
  });
  if (promotion && plannedServices.some((planned) => promotionApplies(promotion, planned.product.id, day)))
    promotion.uses++;
  const items: Omit<InvoiceItem, 'id'>[] = [];
  const services: Service[] = [];
  const addons: ServiceAddon[] = [];
  for (const planned of plannedServices) {
    const service = state.insertService({
      clientId: client.id,
      orderId: order.id,
      productId: planned.product.id,
      serverId: 0,
      quantity: 1,
      regDate: day,
      domain: planned.domain,
      dedicatedIp: '',
      assignedIps: '',
      status: 'Pending',
      billingCycle: planned.cycle,
      nextDueDate: day,
      terminationDate: ZERO_DATE,
      firstPaymentAmount: planned.firstPayment,
      recurringAmount: planned.price,
      paymentMethod,
      username: '',
      password: '',
      suspensionReason: '',
      subscriptionId: '',
      promoId: promotionApplies(promotion, planned.product.id, day) ? promotion.id : 0,
      overrideAutoSuspend: false,
      overrideSuspendUntil: ZERO_DATE,
      ns1: '',
      ns2: '',
      notes: '',
      diskUsage: 0,
      diskLimit: 0,
      bandwidthUsage: 0,
      bandwidthLimit: 0,
      lastUpdate: ZERO_DATETIME,
      configOptions: [],
    });
    services.push(service);
    const until = addMonths(day, Math.max(1, CYCLE_MONTHS[planned.cycle]));
    items.push({
      type: 'Hosting',
      relId: service.id,
      description: `${productGroupName(state, planned.product)} - ${planned.product.name}${planned.domain ? ` - ${planned.domain}` : ''} (${day} - ${until})`,
      amount: planned.firstPayment,
      taxed: false,
    });
    for (const addonId of planned.addonIds)
      addons.push(createAddon(state, client, order, service, addonId, paymentMethod, day));
  }
  for (const { addonId, service } of addonOnly)
    addons.push(createAddon(state, client, order, service, addonId, paymentMethod, day));
  for (const addon of addons) {
    items.push({
      type: 'Addon',
      relId: addon.id,
      description: `${state.productAddons.get(addon.addonId)?.name ?? 'Addon'} (${day} - ${addMonths(day, 1)})`,
      amount: addon.setupFee + addon.recurring,
      taxed: false,
    });
  }
  const domains: Domain[] = [];
  for (const planned of plannedDomains) {
    const domain = state.insertDomain({
      clientId: client.id,
      orderId: order.id,
      regType: planned.type,
      domainName: planned.name,
      registrar: '',
      regPeriod: planned.years,
      firstPaymentAmount: planned.price,
      recurringAmount: planned.renewal,
      paymentMethod,
      regDate: day,
      expiryDate: ZERO_DATE,
      nextDueDate: day,
      status: 'Pending',
      subscriptionId: '',
      promoId: 0,
      dnsManagement: planned.dnsManagement,
      emailForwarding: planned.emailForwarding,
      idProtection: planned.idProtection,
      doNotRenew: false,
      notes: '',
      nameservers: order.nameservers ? order.nameservers.split(',') : [],
      locked: false,
      eppCode: planned.eppCode,
    });
    domains.push(domain);
    items.push({
      type: planned.type === 'Register' ? 'DomainRegister' : 'DomainTransfer',
      relId: domain.id,
      description: `Domain ${planned.type === 'Register' ? 'Registration' : 'Transfer'} - ${planned.name} - ${planned.years} Year/s`,
      amount: planned.price,
      taxed: false,
    });
  }

  const total = items.reduce((sum, item) => sum + item.amount, 0n);
  order.amount = total;
  let invoiceId = 0;
  if (!flagParam(params, 'noinvoice')) {
    const payMethod = state
      .pick(state.payMethods, state.payMethodsByClient.get(client.id))
      .find((entry) => entry.isDefault);
    const invoice = state.insertInvoice({
      clientId: client.id,
      invoiceNum: '',
      date: day,
      dueDate: day,
      datePaid: ZERO_DATETIME,
      lastCaptureAttempt: ZERO_DATETIME,
      dateRefunded: ZERO_DATETIME,
      dateCancelled: ZERO_DATETIME,
      subtotal: 0n,
      credit: 0n,
      tax: 0n,
      tax2: 0n,
      total: 0n,
      taxRate: '0.000',
      taxRate2: '0.000',
      status: 'Unpaid',
      paymentMethod,
      payMethodId: payMethod?.id ?? null,
      notes: '',
      createdAt: now,
      updatedAt: now,
      items: items.map((item) => ({ id: state.nextId('invoiceItem'), ...item })),
    });
    state.recalculateInvoice(invoice);
    order.invoiceId = invoice.id;
    order.amount = invoice.total;
    invoiceId = invoice.id;
    // A free order is settled the moment it is placed.
    if (invoice.total === 0n) {
      invoice.status = 'Paid';
      invoice.datePaid = now;
    }
  }
  logActivity(ctx, `New Order Placed - Order ID: ${order.id} - User ID: ${client.id}`, client.id);
  return {
    orderid: String(order.id),
    serviceids: idList(services.map((service) => service.id)),
    addonids: idList(addons.map((addon) => addon.id)),
    domainids: idList(domains.map((domain) => domain.id)),
    invoiceid: String(invoiceId),
  } satisfies Reply;
};

function createAddon(
  state: SandboxState,
  client: Client,
  order: Order,
  service: Service,
  addonId: number,
  paymentMethod: string,
  day: string,
): ServiceAddon {
  const predefined = state.productAddons.get(addonId);
  const currencyId = state.currencyOf(client).id;
  return state.insertServiceAddon({
    clientId: client.id,
    orderId: order.id,
    serviceId: service.id,
    addonId,
    name: '',
    quantity: 1,
    setupFee: predefined?.setupFee.get(currencyId) ?? 0n,
    recurring: predefined?.recurring.get(currencyId) ?? 0n,
    billingCycle: predefined?.billingCycle ?? 'Monthly',
    status: 'Pending',
    regDate: day,
    nextDueDate: day,
    nextInvoiceDate: day,
    paymentMethod,
    notes: '',
  });
}

// --- order status changes --------------------------------------------------------------------------

function orderItems(
  state: SandboxState,
  order: Order,
): { services: Service[]; addons: ServiceAddon[]; domains: Domain[] } {
  return {
    services: state.pick(state.services, state.servicesByOrder.get(order.id)),
    addons: state.pick(state.serviceAddons, state.addonsByOrder.get(order.id)),
    domains: state.pick(state.domains, state.domainsByOrder.get(order.id)),
  };
}

function requirePendingOrder(ctx: ActionContext, orderId: number | undefined): Order {
  const order = orderId === undefined ? undefined : ctx.state.orders.get(orderId);
  if (!order || order.status !== 'Pending') fail('Order ID not found or Status not Pending');
  return order;
}

function cancelOrderInvoice(ctx: ActionContext, order: Order): void {
  const invoice = ctx.state.invoices.get(order.invoiceId);
  if (invoice && (invoice.status === 'Unpaid' || invoice.status === 'Draft')) {
    invoice.status = 'Cancelled';
    invoice.dateCancelled = nowDateTime(ctx);
    invoice.updatedAt = invoice.dateCancelled;
  }
}

export const AcceptOrder: ActionHandler = (params, ctx) => {
  const state = ctx.state;
  const order = requirePendingOrder(ctx, intParam(params, 'orderid'));
  const serverId = intParam(params, 'serverid');
  const server = serverId === undefined ? undefined : state.servers.get(serverId);
  if (serverId !== undefined && serverId !== 0 && !server) fail('Server ID Not Found');
  const username = filledParam(params, 'serviceusername');
  const password = filledParam(params, 'servicepassword');
  const registrar = filledParam(params, 'registrar');
  const day = today(ctx);
  const { services, addons, domains } = orderItems(state, order);
  for (const service of services) {
    if (service.status !== 'Pending') continue;
    const product = state.products.get(service.productId);
    service.status = 'Active';
    if (product?.module) {
      if (server) service.serverId = server.id;
      else if (!service.serverId) {
        for (const candidate of state.servers.values()) {
          if (candidate.module === product.module && candidate.active) {
            service.serverId = candidate.id;
            break;
          }
        }
      }
      service.username = username ?? (service.username || usernameFor(service.domain, service.clientId));
      service.password = password ?? (service.password || `Sbx!${state.random.alphanumeric(12)}`);
    }
    service.lastUpdate = nowDateTime(ctx);
  }
  for (const addon of addons) if (addon.status === 'Pending') addon.status = 'Active';
  for (const domain of domains) {
    if (domain.status !== 'Pending') continue;
    domain.registrar = registrar ?? (domain.registrar || 'enom');
    if (domain.regType === 'Transfer') {
      domain.status = 'Pending Transfer';
      continue;
    }
    domain.status = 'Active';
    domain.regDate = day;
    domain.expiryDate = addMonths(day, domain.regPeriod * 12);
    domain.nextDueDate = domain.expiryDate;
    domain.locked = true;
    if (!domain.nameservers.length) domain.nameservers = ['ns1.sandbox.example', 'ns2.sandbox.example'];
  }
  order.status = 'Active';
  logActivity(ctx, `Order Accepted - Order ID: ${order.id}`, order.clientId);
  return {};
};

function setItemsStatus(
  state: SandboxState,
  order: Order,
  service: ServiceStatus,
  domain: DomainStatus,
  onlyFrom?: ServiceStatus[],
): void {
  const items = orderItems(state, order);
  for (const record of [...items.services, ...items.addons]) {
    if (!onlyFrom || onlyFrom.includes(record.status)) record.status = service;
  }
  for (const record of items.domains) {
    if (!onlyFrom || onlyFrom.includes(record.status as ServiceStatus)) record.status = domain;
  }
}

export const CancelOrder: ActionHandler = (params, ctx) => {
  const order = requirePendingOrder(ctx, intParam(params, 'orderid'));
  setItemsStatus(ctx.state, order, 'Cancelled', 'Cancelled');
  cancelOrderInvoice(ctx, order);
  order.status = 'Cancelled';
  logActivity(ctx, `Order Cancelled - Order ID: ${order.id}`, order.clientId);
  return {};
};

export const PendingOrder: ActionHandler = (params, ctx) => {
  const order = ctx.state.orders.get(intParam(params, 'orderid') ?? 0);
  if (!order) fail('Order ID Not Found');
  setItemsStatus(ctx.state, order, 'Pending', 'Pending');
  order.status = 'Pending';
  logActivity(ctx, `Order Status set to Pending - Order ID: ${order.id}`, order.clientId);
  return {};
};

export const FraudOrder: ActionHandler = (params, ctx) => {
  const order = ctx.state.orders.get(intParam(params, 'orderid') ?? 0);
  if (!order) fail('Order ID Not Found');
  setItemsStatus(ctx.state, order, 'Fraud', 'Fraud');
  cancelOrderInvoice(ctx, order);
  order.status = 'Fraud';
  logActivity(ctx, `Order Status set to Fraud - Order ID: ${order.id}`, order.clientId);
  return {};
};

export const orderHandlers: Readonly<Record<string, ActionHandler>> = {
  GetOrders,
  AddOrder,
  AcceptOrder,
  CancelOrder,
  PendingOrder,
  FraudOrder,
  GetOrderStatuses,
  GetPromotions,
  GetQuotes,
};
