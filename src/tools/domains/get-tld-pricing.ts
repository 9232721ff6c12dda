import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { parseCents } from '../../money.js';
import { asList, toBool, toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { listOutput, money, pageOf, pagingInput } from '../schemas.js';
import { amount, isRow, text, type Row } from '../shared/fields.js';
import { Currencies } from '../shared/currencies.js';
import { parseTld, tldInput } from './domain-name.js';

const periodPrice = z.object({
  years: z.number().int().min(1),
  price: money,
});

const periodFee = z
  .object({
    days: z.number().int().nullable(),
    fee: money.nullable(),
  })
  .nullable();

const tldPriceSchema = z.object({
  tld: z.string().describe('The TLD without its leading dot, as WHMCS keys it ("com", "co.uk").'),
  categories: z.array(z.string()),
  group: z.string().nullable().describe('Promotion label WHMCS shows (hot, new, sale), if any.'),
  register: z.array(periodPrice).describe('Registration price per period; periods not offered are left out.'),
  transfer: z.array(periodPrice),
  renew: z.array(periodPrice),
  addons: z.object({
    dns_management: z.boolean(),
    email_forwarding: z.boolean(),
    id_protection: z.boolean(),
  }),
  grace_period: periodFee.describe('Renewal grace period after expiry and its fee, when configured.'),
  redemption_period: periodFee.describe('Redemption period and its restore fee, when configured.'),
});
type TldPrice = z.infer<typeof tldPriceSchema>;

/** `{"1":"14.95","2":"29.90"}` -> periods; WHMCS marks a period it does not offer with -1. */
function periodPrices(value: unknown): TldPrice['register'] {
  if (!isRow(value)) return [];
  const prices: TldPrice['register'] = [];
  for (const [period, raw] of Object.entries(value)) {
    const years = toInt(period);
    const cents = parseCents(raw);
    const price = amount(raw);
    if (years === undefined || years < 1 || cents === undefined || cents < 0n || price === null) continue;
    prices.push({ years, price });
  }
  return prices.sort((left, right) => left.years - right.years);
}

/** Grace and redemption periods: null, a day count, or `{days, price}` depending on the version. */
function period(value: unknown): TldPrice['grace_period'] {
  if (value === null || value === undefined || value === '') return null;
  if (isRow(value)) {
    const days = toInt(value.days) ?? null;
    const fee = amount(value.price ?? value.fee);
    if (days === null && fee === null) return null;
    return { days: days !== null && days < 0 ? null : days, fee: fee?.startsWith('-') ? null : fee };
  }
  const days = toInt(value);
  return days === undefined || days < 0 ? null : { days, fee: null };
}

function projectTldPrice(key: string, entry: Row): TldPrice {
  const addons = isRow(entry.addons) ? entry.addons : {};
  return {
    tld: (text(entry.tld) ?? key).replace(/^\./, ''),
    categories: (asList(entry.categories) as unknown[])
      .map(text)
      .filter((name): name is string => name !== null),
    group: text(entry.group),
    register: periodPrices(entry.register),
    transfer: periodPrices(entry.transfer),
    renew: periodPrices(entry.renew),
    addons: {
      dns_management: toBool(addons.dns) ?? false,
      email_forwarding: toBool(addons.email) ?? false,
      id_protection: toBool(addons.idprotect) ?? false,
    },
    grace_period: period(entry.grace_period),
    redemption_period: period(entry.redemption_period),
  };
}

export const getTldPricing = defineTool({
  name: 'get_tld_pricing',
  title: 'Get domain (TLD) pricing',
  description:
    'Registration, transfer and renewal prices per TLD and period in years, as configured in WHMCS, with grace and redemption fees. Optionally one TLD ("com", ".co.uk") and a currency code (default: the default currency). Paged like other lists.',
  toolset: 'domains',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['GetTLDPricing', 'GetCurrencies'],
  input: z.strictObject({
    tld: tldInput('Only this TLD, with or without the leading dot ("com", ".co.uk").').optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'a three-letter currency code such as USD')
      .optional()
      .describe(
        'Currency code to price in (as configured in WHMCS, e.g. USD, EUR); default currency when absent.',
      ),
    ...pagingInput,
  }),
  output: listOutput(tldPriceSchema).extend({
    currency: z.string().nullable().describe('Currency code of every price in this answer.'),
  }),
  async handler(input, ctx) {
    const params: Record<string, number> = {};
    if (input.currency !== undefined) {
      const wanted = input.currency.toUpperCase();
      const currencies = await new Currencies(ctx).list();
      const currencyId = currencies.find((currency) => currency.code.toUpperCase() === wanted)?.id;
      if (currencyId === undefined) {
        const known = currencies.map((currency) => currency.code);
        throw new WhmcsMcpError(
          'invalid_input',
          `currency: ${wanted} is not configured in WHMCS; configured currencies: ${known.join(', ') || 'none'}.`,
          {
            details: {
              problems: [{ field: 'currency', message: `not configured; use one of ${known.join(', ')}` }],
            },
          },
        );
      }
      params.currencyid = currencyId;
    }
    const reply = await ctx.whmcs.call('GetTLDPricing', params);
    const currency = isRow(reply.currency) ? text(reply.currency.code) : null;
    const pricing = isRow(reply.pricing) ? reply.pricing : {};
    const wantedTld = input.tld === undefined ? undefined : parseTld(input.tld);
    const wantedNames =
      wantedTld === undefined || 'problem' in wantedTld
        ? undefined
        : new Set([wantedTld.ascii, wantedTld.unicode]);
    const prices = Object.entries(pricing)
      .filter((entry): entry is [string, Row] => isRow(entry[1]))
      .map(([key, entry]) => projectTldPrice(key, entry))
      .filter((price) => wantedNames === undefined || wantedNames.has(price.tld.toLowerCase()));
    return { ...pageOf(prices, input.offset, input.limit), currency };
  },
  summarize(page) {
    const currency = page.currency ?? 'in the default currency';
    if (page.items.length === 1 && page.items[0]) {
      const price = page.items[0];
      const first = price.register[0];
      const register = first
        ? `registration ${first.price} ${currency} for ${first.years} year(s)`
        : 'not offered for registration';
      return `.${price.tld}: ${register}.`;
    }
    const more = page.has_more ? `; next page at offset ${String(page.next_offset)}` : '';
    return `${page.count} of ${page.total} TLD price(s), ${currency}${more}.`;
  },
});
