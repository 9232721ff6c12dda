/**
 * Installation-wide billing reference data that holds no client data: the active payment gateways
 * (GetPaymentMethods) and the configured currencies (GetCurrencies). Both lists are short and not
 * paged by WHMCS; they are paged here so every list reads the same.
 */
import { z } from 'zod';
import { defineTool } from '../define.js';
import { listOutput, pageOf, pagingInput } from '../schemas.js';
import { readCurrencies } from '../shared/currencies.js';
import { rowsOf } from '../shared/fields.js';

const paymentMethodSchema = z.object({
  module: z.string().describe('Gateway system name, as invoices and transactions record it ("stripe").'),
  display_name: z.string().describe('The name clients see ("Credit Card").'),
});

export const listPaymentMethods = defineTool({
  name: 'list_payment_methods',
  title: 'List payment gateways',
  description: [
    'Lists the payment gateways active in WHMCS: the system name that invoices, orders and transactions',
    "record (payment_method, gateway) and the display name clients see. Not a client's stored cards or",
    'bank accounts.',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['GetPaymentMethods'],
  input: z.strictObject({ ...pagingInput }),
  output: listOutput(paymentMethodSchema),
  async handler(args, ctx) {
    const reply = await ctx.whmcs.call('GetPaymentMethods');
    const methods = rowsOf(reply.paymentmethods)
      .filter((row) => typeof row.module === 'string' && row.module !== '')
      .map((row) => ({
        module: String(row.module),
        display_name: typeof row.displayname === 'string' ? row.displayname : String(row.module),
      }));
    return pageOf(methods, args.offset, args.limit);
  },
  summarize(result) {
    const names = result.items.map((method) => `${method.display_name} (${method.module})`).join(', ');
    return `${result.total} payment gateway(s): ${names || 'none'}.`;
  },
});

const currencySchema = z.object({
  id: z.number().int(),
  code: z.string(),
  prefix: z.string().describe('Shown before amounts ("$").'),
  suffix: z.string().describe('Shown after amounts (" USD").'),
  format: z
    .number()
    .int()
    .nullable()
    .describe('WHMCS number format: 1 = 1234.56, 2 = 1,234.56, 3 = 1.234,56, 4 = 1,234.'),
  rate: z.string().nullable().describe('Exchange rate against the default currency, exact ("0.92000").'),
});

export const getCurrencies = defineTool({
  name: 'get_currencies',
  title: 'List currencies',
  description: [
    'Lists the currencies configured in WHMCS: id, code, display prefix and suffix, number format, and the',
    'exchange rate against the default currency. Use it to read currency ids other data refers to, or to',
    'convert between currencies at WHMCS rates.',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['GetCurrencies'],
  input: z.strictObject({ ...pagingInput }),
  output: listOutput(currencySchema),
  async handler(args, ctx) {
    const currencies = readCurrencies(await ctx.whmcs.call('GetCurrencies'));
    return pageOf(currencies, args.offset, args.limit);
  },
  summarize(result) {
    const codes = result.items.map((currency) => `${currency.code} (id ${currency.id})`).join(', ');
    return `${result.total} currenc${result.total === 1 ? 'y' : 'ies'}: ${codes || 'none'}.`;
  },
});
