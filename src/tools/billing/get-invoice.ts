/**
 * get_invoice: one invoice, or up to 20 at once, in full: amounts, items, transactions and notes.
 * Each id goes through loadInvoice, so in client mode a foreign invoice reads exactly like a
 * missing one; with several ids such an invoice becomes an entry in `errors`, not a failed call.
 */
import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool, type ToolContext } from '../define.js';
import { entityId } from '../schemas.js';
import { loadInvoice } from '../shared/ownership.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import {
  describeInvoice,
  invoiceSchema,
  projectInvoice,
  transactionCurrencyId,
  type InvoiceOutput,
} from './projections.js';
import { rowsOf } from '../shared/fields.js';
import { todayUtc } from '../shared/dates.js';

export const MAX_INVOICE_IDS = 20;

const invoiceError = z.object({
  invoice_id: z.number().int(),
  code: z.string().describe('Stable error code, e.g. not_found.'),
  message: z.string(),
});

const input = z
  .strictObject({
    invoice_id: entityId('The invoice id. Give this or invoice_ids, not both.').optional(),
    invoice_ids: z
      .array(entityId('An invoice id.'))
      .min(1)
      .max(MAX_INVOICE_IDS)
      .optional()
      .describe(`Several invoice ids (1 to ${MAX_INVOICE_IDS}) to read in one call.`),
  })
  .superRefine((value, ctx) => {
    if ((value.invoice_id === undefined) === (value.invoice_ids === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['invoice_id'],
        message: 'give exactly one of invoice_id or invoice_ids',
      });
    }
  });

const output = z.object({
  invoices: z.array(invoiceSchema).describe('The invoices found, in the order asked for.'),
  errors: z
    .array(invoiceError)
    .describe('Ids that could not be read (not found or not visible), one entry each.'),
});

async function readInvoice(ctx: ToolContext, invoiceId: number, currencies: Currencies, today: string) {
  const reply = await loadInvoice(ctx, invoiceId);
  const transactions = rowsOf(reply.transactions);
  const ownCurrencies = transactions.some((row) => transactionCurrencyId(row) !== undefined);
  const currencyCodes = ownCurrencies
    ? new Map((await currencies.list()).map((currency) => [currency.id, currency.code] as const))
    : undefined;
  return projectInvoice(reply, {
    currency: await currencies.forClient(toInt(reply.userid)),
    today,
    ...(currencyCodes ? { currencyCodes } : {}),
  });
}

export const getInvoice = defineTool({
  name: 'get_invoice',
  title: 'Get invoices',
  description: [
    'Returns invoices in full: status, dates, subtotal, credit applied, taxes, total and balance as exact',
    'amounts with the currency code, payment method, line items, payment and refund transactions, and the',
    'invoice notes (marked untrusted). Pass invoice_id for one invoice, or invoice_ids for up to 20 at once.',
    'With one id, a missing invoice is a not_found error; with several, each id that cannot be read is',
    'listed in `errors` and the rest are returned. Use list_client_invoices or list_invoices to find ids.',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetInvoice', ...CURRENCY_ACTIONS],
  input,
  output,
  async handler(args, ctx) {
    const currencies = new Currencies(ctx);
    const today = todayUtc();
    if (args.invoice_id !== undefined) {
      return { invoices: [await readInvoice(ctx, args.invoice_id, currencies, today)], errors: [] };
    }
    const ids = [...new Set(args.invoice_ids ?? [])];
    const settled = await Promise.allSettled(
      ids.map((invoiceId) => readInvoice(ctx, invoiceId, currencies, today)),
    );
    const invoices: InvoiceOutput[] = [];
    const errors: Array<z.infer<typeof invoiceError>> = [];
    for (const [index, result] of settled.entries()) {
      if (result.status === 'fulfilled') {
        invoices.push(result.value);
        continue;
      }
      const reason: unknown = result.reason;
      // A missing or foreign invoice is about that id; anything else (WHMCS down, credential
      // refused) is about the whole call and fails it.
      if (!(reason instanceof WhmcsMcpError)) throw reason as Error;
      if (reason.code !== 'not_found') throw reason;
      errors.push({ invoice_id: ids[index] ?? 0, code: reason.code, message: reason.message });
    }
    return { invoices, errors };
  },
  summarize(result) {
    const lines = result.invoices.map(describeInvoice);
    if (result.errors.length > 0) {
      lines.push(`Not found: ${result.errors.map((entry) => entry.invoice_id).join(', ')}.`);
    }
    return lines.length > 0 ? lines.join('\n') : 'No invoices.';
  },
});
