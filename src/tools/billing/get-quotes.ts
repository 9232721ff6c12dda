/**
 * get_quotes: a client's quotes (GetQuotes by userid, stage filter checked again here), or one
 * quote by id through loadQuote, so a foreign quote reads like a missing one. The proposal and the
 * notes to the customer are free text and leave marked untrusted; admin notes are internal and are
 * only returned in admin mode.
 */
import { z } from 'zod';
import { toDate, toDecimalString, toInt, toMoney } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId, listOutput, money, pageOf, pagingInput, untrustedText, whmcsDate } from '../schemas.js';
import { optionalId, plainText, type Row, rowsOf } from '../shared/fields.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { loadClient, loadQuote } from '../shared/ownership.js';
import { untrusted } from '../untrusted.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import { formatAmounts, sumByCurrency } from './projections.js';

export const QUOTE_STAGES = ['Draft', 'Delivered', 'On Hold', 'Accepted', 'Lost', 'Dead'] as const;

const quoteItemSchema = z.object({
  id: z.number().int().nullable(),
  description: z.string(),
  quantity: z.string().nullable().describe('Quantity as WHMCS stores it (may be fractional).'),
  unit_price: money.nullable(),
  discount_percent: z.string().nullable().describe('Discount on the line in percent ("10.00").'),
  taxable: z.boolean(),
});

export const quoteSchema = z.object({
  id: z.number().int(),
  subject: z.string(),
  stage: z.string().describe('Draft, Delivered, On Hold, Accepted, Lost or Dead.'),
  client_id: z.number().int().nullable().describe('Null for a quote to a prospect who is not a client.'),
  valid_until: whmcsDate,
  date_created: whmcsDate,
  last_modified: whmcsDate,
  date_sent: whmcsDate,
  date_accepted: whmcsDate,
  currency: z.string().nullable(),
  subtotal: money.nullable(),
  tax1: money.nullable(),
  tax2: money.nullable(),
  total: money.nullable(),
  proposal: untrustedText.describe('The proposal text shown to the customer.'),
  customer_notes: untrustedText.describe('Notes shown to the customer.'),
  admin_notes: untrustedText.optional().describe('Internal staff notes; only in admin mode.'),
  items: z.array(quoteItemSchema),
});
export type QuoteOutput = z.infer<typeof quoteSchema>;

/** A GetQuotes row; the currency is resolved by the caller from the row's currency id. */
export function projectQuote(row: Row, currency: string | null, includeAdminNotes: boolean): QuoteOutput {
  return {
    id: toInt(row.id) ?? 0,
    subject: plainText(row.subject),
    stage: plainText(row.stage),
    client_id: optionalId(row.userid),
    valid_until: toDate(row.validuntil),
    date_created: toDate(row.datecreated),
    last_modified: toDate(row.lastmodified),
    date_sent: toDate(row.datesent),
    date_accepted: toDate(row.dateaccepted),
    currency,
    subtotal: toMoney(row.subtotal) ?? null,
    tax1: toMoney(row.tax1) ?? null,
    tax2: toMoney(row.tax2) ?? null,
    total: toMoney(row.total) ?? null,
    proposal: untrusted(plainText(row.proposal), 'staff'),
    customer_notes: untrusted(plainText(row.customernotes), 'staff'),
    ...(includeAdminNotes ? { admin_notes: untrusted(plainText(row.adminnotes), 'staff') } : {}),
    items: rowsOf(row.items).map((item) => ({
      id: optionalId(item.id),
      description: plainText(item.description),
      quantity: toDecimalString(item.quantity) ?? null,
      unit_price: toMoney(item.unitprice) ?? null,
      discount_percent: toDecimalString(item.discount) ?? null,
      taxable: item.taxable === true || item.taxable === 1 || item.taxable === '1',
    })),
  };
}

const input = z
  .strictObject({
    client_id: entityId('The client whose quotes to list. Give this or quote_id.').optional(),
    quote_id: entityId('One quote by id. Give this or client_id.').optional(),
    stage: z.enum(QUOTE_STAGES).optional().describe('Only quotes in this stage.'),
    ...pagingInput,
  })
  .superRefine((value, ctx) => {
    if ((value.client_id === undefined) === (value.quote_id === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_id'],
        message: 'give exactly one of client_id or quote_id',
      });
    }
  });

export const getQuotes = defineTool({
  name: 'get_quotes',
  title: 'Get quotes',
  description: [
    "Returns a client's quotes (client_id), newest first, or one quote (quote_id): subject, stage, validity",
    'and dates, subtotal, taxes and total as exact amounts with the currency code, the line items, and the',
    'proposal and customer notes (marked untrusted). Filter by stage: Draft, Delivered, On Hold, Accepted,',
    'Lost or Dead.',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetQuotes', ...CURRENCY_ACTIONS],
  input,
  output: listOutput(quoteSchema),
  async handler(args, ctx) {
    const currencies = new Currencies(ctx);
    const adminNotes = ctx.scope.mode === 'admin';
    const project = async (row: Row) =>
      projectQuote(row, await currencies.codeForId(toInt(row.currency)), adminNotes);
    const stageMatches = (row: Row) =>
      args.stage === undefined || plainText(row.stage).toLowerCase() === args.stage.toLowerCase();

    if (args.quote_id !== undefined) {
      const quote = await loadQuote(ctx, args.quote_id);
      const rows = stageMatches(quote) ? [quote] : [];
      const page = pageOf(rows, args.offset, args.limit);
      return { ...page, items: await Promise.all(page.items.map(project)) };
    }

    const clientId = args.client_id ?? 0;
    await loadClient(ctx, clientId);
    const params = { userid: clientId, ...(args.stage === undefined ? {} : { stage: args.stage }) };
    const page = await listPage({
      read: actionPages(ctx, 'GetQuotes', params, 'quotes'),
      keep: (row) => toInt(row.userid) === clientId && ctx.scope.allows(clientId) && stageMatches(row),
      serverAppliesAllFilters: true,
      offset: args.offset,
      limit: args.limit,
      noun: 'quotes',
      narrowHint: 'add a stage filter',
      logger: ctx.logger,
    });
    return { ...page, items: await Promise.all(page.items.map(project)) };
  },
  summarize(result) {
    const quotes = result.items;
    if (quotes.length === 1 && result.total === 1) {
      const quote = quotes[0];
      if (quote) {
        return `Quote ${quote.id} "${quote.subject}": ${quote.stage}, total ${quote.total ?? 'unknown'}${quote.currency ? ` ${quote.currency}` : ''}, valid until ${quote.valid_until ?? 'unset'}.`;
      }
    }
    const totals = formatAmounts(
      sumByCurrency(quotes.map((quote) => ({ currency: quote.currency, amount: quote.total }))),
    );
    const more = result.has_more ? `; next page at offset ${String(result.next_offset)}` : '';
    return `${result.count} of ${result.total} quote(s) from offset ${result.offset}, totalling ${totals}${more}.`;
  },
});
