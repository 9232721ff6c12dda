/**
 * How orders and catalogue products leave the server, as schemas and pure projections over
 * NORMALIZED WHMCS replies (GetOrders rows, GetProducts rows). Fields not declared here (transfer
 * secrets, fraud-check output, IP addresses, module settings) never leave.
 */
import { z } from 'zod';
import { toDate, toInt, toMoney } from '../../whmcs/normalize.js';
import { money, untrustedText, whmcsDate } from '../schemas.js';
import { isRow, optionalId, rowsOf, text, type Row } from '../shared/fields.js';
import { untrusted } from '../untrusted.js';

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
    order_number: text(row.ordernum),
    client_id: optionalId(row.userid),
    date: toDate(row.date),
    status: text(row.status) ?? 'Unknown',
    amount: toMoney(row.amount) ?? null,
    currency,
    payment_method: text(row.paymentmethod),
    payment_method_name: text(row.paymentmethodname),
    payment_status: text(row.paymentstatus),
    invoice_id: optionalId(row.invoiceid),
    promo_code: text(row.promocode),
    // WHMCS keeps the client's checkout notes and staff notes in the same field.
    notes: untrusted(typeof row.notes === 'string' ? row.notes : '', 'unknown'),
    line_items: rowsOf(row.lineitems).map((item) => ({
      type: text(item.type),
      related_id: optionalId(item.relid),
      product_type: text(item.producttype),
      product: text(item.product),
      domain: text(item.domain),
      billing_cycle: text(item.billingcycle),
      amount: toMoney(item.amount) ?? null,
      status: text(item.status),
    })),
  };
}

/** The local check behind an order status filter (WHMCS compares without regard to case). */
export function orderHasStatus(row: Row, status: string): boolean {
  return text(row.status)?.toLowerCase() === status.trim().toLowerCase();
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
  if (!isRow(pricing) || payType === 'free') return [];
  const prices: ProductPriceOutput[] = [];
  for (const [currency, entry] of Object.entries(pricing)) {
    if (!isRow(entry)) continue;
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
  const payType = text(row.paytype);
  const pricing = projectPricing(row.pricing, payType);
  const offered = new Set(pricing.map((price) => `${price.currency}:${price.billing_cycle}`));
  return {
    id: toInt(row.pid) ?? toInt(row.id) ?? 0,
    group_id: optionalId(row.gid),
    name: text(row.name) ?? '',
    type: text(row.type),
    description: typeof row.description === 'string' ? row.description : '',
    module: text(row.module),
    pay_type: payType,
    quantity_available: toInt(row.quantity_available) ?? null,
    pricing,
    config_options: rowsOf(row.configoptions).map((option) => ({
      id: optionalId(option.id),
      name: text(option.name) ?? '',
      type: text(option.type),
      choices: rowsOf(option.options).map((choice) => ({
        id: optionalId(choice.id),
        name: text(choice.name) ?? '',
        pricing: projectPricing(choice.pricing, payType, offered),
      })),
    })),
    custom_fields: rowsOf(row.customfields).map((field) => ({
      id: optionalId(field.id),
      name: text(field.name) ?? '',
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
