/**
 * How orders and catalogue products leave the server, as schemas and pure projections over
 * NORMALIZED WHMCS replies (GetOrders rows, GetProducts rows). Fields not declared here (transfer
 * secrets, fraud-check output, IP addresses, module settings) never leave.
 */
import { z } from 'zod';
import { asList, toDate, toInt, toMoney } from '../../whmcs/normalize.js';
import { money, untrustedText, whmcsDate } from '../schemas.js';
import { untrusted } from '../untrusted.js';

type Row = Record<string, unknown>;

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number') return String(value);
  return null;
}

function idOf(value: unknown): number | null {
  const id = toInt(value);
  return id === undefined || id <= 0 ? null : id;
}

function rowsOf(value: unknown): Row[] {
  return (asList(value) as unknown[]).filter(
    (row): row is Row => typeof row === 'object' && row !== null && !Array.isArray(row),
  );
}

// ---------------------------------------------------------------------------------------------
// Orders.

/** WHMCS's built-in order statuses; an installation can add its own (Setup > Order Statuses). */
export const STANDARD_ORDER_STATUSES = ['Pending', 'Active', 'Cancelled', 'Fraud'] as const;

export const orderLineItemSchema = z.object({
  type: z.string().nullable().describe('product, addon, domain, upgrade, ...'),
  related_id: z.number().int().nullable().describe('The service, addon or domain id the line created.'),
  product_type: z.string().nullable(),
  product: z.string().nullable().describe('Product or addon name, or the domain order type.'),
  domain: z.string().nullable(),
  billing_cycle: z.string().nullable(),
  amount: money.nullable(),
  status: z.string().nullable().describe('Current status of the service, addon or domain.'),
});

export const orderSchema = z.object({
  id: z.number().int(),
  order_number: z.string().nullable().describe('The order number shown to the client.'),
  client_id: z.number().int().nullable(),
  date: whmcsDate,
  status: z.string().describe('Pending, Active, Cancelled, Fraud, or a status this installation added.'),
  amount: money.nullable().describe('Order total at checkout.'),
  currency: z.string().nullable().describe('Currency code; null when WHMCS only gave an ambiguous symbol.'),
  payment_method: z.string().nullable().describe('Gateway system name.'),
  payment_method_name: z.string().nullable(),
  payment_status: z.string().nullable().describe("Status of the order's invoice (Paid, Unpaid, ...)."),
  invoice_id: z.number().int().nullable(),
  promo_code: z.string().nullable(),
  notes: untrustedText.describe('Order notes: what the client typed at checkout, or staff notes.'),
  line_items: z.array(orderLineItemSchema),
});
export type OrderOutput = z.infer<typeof orderSchema>;

/** A GetOrders row. GetOrders gives no currency code, so the caller resolves it (Currencies). */
export function projectOrder(row: Row, currency: string | null): OrderOutput {
  return {
    id: toInt(row.id) ?? 0,
    order_number: textOf(row.ordernum),
    client_id: idOf(row.userid),
    date: toDate(row.date),
    status: textOf(row.status) ?? 'Unknown',
    amount: toMoney(row.amount) ?? null,
    currency,
    payment_method: textOf(row.paymentmethod),
    payment_method_name: textOf(row.paymentmethodname),
    payment_status: textOf(row.paymentstatus),
    invoice_id: idOf(row.invoiceid),
    promo_code: textOf(row.promocode),
    // WHMCS keeps the client's checkout notes and staff notes in the same field.
    notes: untrusted(typeof row.notes === 'string' ? row.notes : '', 'unknown'),
    line_items: rowsOf(row.lineitems).map((item) => ({
      type: textOf(item.type),
      related_id: idOf(item.relid),
      product_type: textOf(item.producttype),
      product: textOf(item.product),
      domain: textOf(item.domain),
      billing_cycle: textOf(item.billingcycle),
      amount: toMoney(item.amount) ?? null,
      status: textOf(item.status),
    })),
  };
}

/** The local check behind an order status filter (WHMCS compares without regard to case). */
export function orderHasStatus(row: Row, status: string): boolean {
  return textOf(row.status)?.toLowerCase() === status.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Products.

/** GetProducts' price and setup-fee keys per billing cycle, by WHMCS's API cycle names. */
export const PRODUCT_CYCLES = [
  { cycle: 'monthly', price: 'monthly', setupFee: 'msetupfee' },
  { cycle: 'quarterly', price: 'quarterly', setupFee: 'qsetupfee' },
  { cycle: 'semiannually', price: 'semiannually', setupFee: 'ssetupfee' },
  { cycle: 'annually', price: 'annually', setupFee: 'asetupfee' },
  { cycle: 'biennially', price: 'biennially', setupFee: 'bsetupfee' },
  { cycle: 'triennially', price: 'triennially', setupFee: 'tsetupfee' },
] as const;

export const productPriceSchema = z.object({
  currency: z.string(),
  billing_cycle: z
    .string()
    .describe('monthly, quarterly, semiannually, annually, biennially, triennially, or onetime.'),
  price: money,
  setup_fee: money.nullable(),
});
export type ProductPriceOutput = z.infer<typeof productPriceSchema>;

export const productSchema = z.object({
  id: z.number().int(),
  group_id: z.number().int().nullable(),
  name: z.string(),
  type: z.string().nullable().describe('hostingaccount, reselleraccount, server or other.'),
  description: z.string(),
  module: z.string().nullable().describe('Provisioning module name ("cpanel"); null when none.'),
  pay_type: z.string().nullable().describe('recurring, onetime or free.'),
  quantity_available: z.number().int().nullable().describe('Stock left when stock control is on.'),
  pricing: z
    .array(productPriceSchema)
    .describe('One entry per currency and offered billing cycle; cycles not offered are left out.'),
  config_options: z.array(
    z.object({
      id: z.number().int().nullable(),
      name: z.string(),
      type: z.string().nullable().describe('1 dropdown, 2 radio, 3 yes/no, 4 quantity.'),
      choices: z.array(
        z.object({
          id: z.number().int().nullable(),
          name: z.string(),
          pricing: z.array(productPriceSchema).describe("Added to the product's price, per offered cycle."),
        }),
      ),
    }),
  ),
  custom_fields: z.array(
    z.object({
      id: z.number().int().nullable(),
      name: z.string(),
      description: z.string(),
      required: z.boolean(),
    }),
  ),
});
export type ProductOutput = z.infer<typeof productSchema>;

function isRecord(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Prices from a GetProducts pricing map ({USD: {monthly, msetupfee, ...}}). WHMCS marks a cycle
 * that is not offered with -1.00; a one-time product keeps its price in the monthly column.
 * `offered`, when given, keeps only the cycles the product itself offers in that currency.
 */
export function projectPricing(
  pricing: unknown,
  payType: string | null,
  offered?: ReadonlySet<string>,
): ProductPriceOutput[] {
  if (!isRecord(pricing) || payType === 'free') return [];
  const prices: ProductPriceOutput[] = [];
  for (const [currency, entry] of Object.entries(pricing)) {
    if (!isRecord(entry)) continue;
    const cycles = payType === 'onetime' ? PRODUCT_CYCLES.slice(0, 1) : PRODUCT_CYCLES;
    for (const keys of cycles) {
      const cycle = payType === 'onetime' ? 'onetime' : keys.cycle;
      if (offered !== undefined && !offered.has(`${currency}:${cycle}`)) continue;
      const price = toMoney(entry[keys.price]);
      if (price === undefined || price.startsWith('-')) continue;
      prices.push({
        currency,
        billing_cycle: cycle,
        price,
        setup_fee: toMoney(entry[keys.setupFee]) ?? null,
      });
    }
  }
  return prices;
}

/** A GetProducts row. Module settings and anything else undeclared are left behind. */
export function projectProduct(row: Row): ProductOutput {
  const payType = textOf(row.paytype);
  const pricing = projectPricing(row.pricing, payType);
  const offered = new Set(pricing.map((price) => `${price.currency}:${price.billing_cycle}`));
  return {
    id: toInt(row.pid) ?? toInt(row.id) ?? 0,
    group_id: idOf(row.gid),
    name: textOf(row.name) ?? '',
    type: textOf(row.type),
    description: typeof row.description === 'string' ? row.description : '',
    module: textOf(row.module),
    pay_type: payType,
    quantity_available: toInt(row.quantity_available) ?? null,
    pricing,
    config_options: rowsOf(row.configoptions).map((option) => ({
      id: idOf(option.id),
      name: textOf(option.name) ?? '',
      type: textOf(option.type),
      choices: rowsOf(option.options).map((choice) => ({
        id: idOf(choice.id),
        name: textOf(choice.name) ?? '',
        pricing: projectPricing(choice.pricing, payType, offered),
      })),
    })),
    custom_fields: rowsOf(row.customfields).map((field) => ({
      id: idOf(field.id),
      name: textOf(field.name) ?? '',
      description: typeof field.description === 'string' ? field.description : '',
      required:
        field.required === true || field.required === 'on' || field.required === 1 || field.required === '1',
    })),
  };
}

/** "Business: 12.95 USD monthly, 129.50 USD annually" for summaries (first currency only). */
export function describeProductPrice(product: ProductOutput): string {
  const [first] = product.pricing;
  if (first === undefined) return product.pay_type === 'free' ? 'free' : 'no price set';
  return product.pricing
    .filter((price) => price.currency === first.currency)
    .map((price) => `${price.price} ${price.currency} ${price.billing_cycle}`)
    .join(', ');
}
