/**
 * list_client_transactions: a client's payments and refunds. GetTransactions has no server-side
 * paging, so every call reads the client's whole list once, filters and sorts it here, and pages it
 * here; totals over all matching transactions come along, summed exactly per currency.
 */
import { z } from 'zod';
import { toDate, toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId, listOutput, pageOf, pagingInput } from '../schemas.js';
import { loadClient } from '../shared/ownership.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import { checkRange, dayInput, sortOrderInput } from './inputs.js';
import {
  amountsByCurrency,
  formatAmounts,
  projectTransaction,
  sumByCurrency,
  transactionCurrencyId,
  transactionSchema,
  type TransactionOutput,
} from './projections.js';
import { rowsOf } from '../shared/fields.js';

const input = z
  .strictObject({
    client_id: entityId('The client whose transactions to list.'),
    date_from: dayInput('Only transactions on or after this date (YYYY-MM-DD).').optional(),
    date_to: dayInput('Only transactions on or before this date (YYYY-MM-DD).').optional(),
    order: sortOrderInput.describe('By transaction date: desc (default, newest first) or asc.'),
    ...pagingInput,
  })
  .superRefine((value, ctx) => checkRange(value.date_from, value.date_to, 'date_to', ctx));

const output = listOutput(transactionSchema).extend({
  totals: z
    .object({
      amount_in: amountsByCurrency,
      fees: amountsByCurrency,
      amount_out: amountsByCurrency,
    })
    .describe('Sums over every matching transaction (all pages), per currency.'),
});

function byDateThenId(left: TransactionOutput, right: TransactionOutput): number {
  const leftDate = left.date ?? '';
  const rightDate = right.date ?? '';
  if (leftDate !== rightDate) return leftDate < rightDate ? -1 : 1;
  return left.id - right.id;
}

export const listClientTransactions = defineTool({
  name: 'list_client_transactions',
  title: "List a client's transactions",
  description: [
    "Lists one client's payment and refund transactions, newest first by default: date, gateway, amount in,",
    'fees, amount out (refunds) with the currency code, the invoice paid, and the gateway reference, plus',
    'exact totals over every matching transaction. Filter by a date range. WHMCS has no server-side paging',
    "for transactions, so each call reads the client's full list and pages it here; prefer a date range for",
    'clients with a long history. Use get_invoice for the transactions of one invoice.',
  ].join(' '),
  toolset: 'billing',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetTransactions', ...CURRENCY_ACTIONS],
  input,
  output,
  async handler(args, ctx) {
    const currencies = new Currencies(ctx);
    currencies.rememberClient(args.client_id, await loadClient(ctx, args.client_id));
    const reply = await ctx.whmcs.call('GetTransactions', { clientid: args.client_id });
    const rows = rowsOf(reply.transactions).filter((row) => {
      if (toInt(row.userid) !== args.client_id) return false;
      const day = toDate(row.date)?.slice(0, 10) ?? null;
      if (args.date_from !== undefined && (day === null || day < args.date_from)) return false;
      if (args.date_to !== undefined && (day === null || day > args.date_to)) return false;
      return true;
    });
    const clientCurrency = await currencies.forClient(args.client_id);
    const transactions: TransactionOutput[] = [];
    for (const row of rows) {
      const currencyId = transactionCurrencyId(row);
      const currency =
        currencyId === undefined ? clientCurrency : ((await currencies.codeForId(currencyId)) ?? null);
      transactions.push(projectTransaction(row, currency));
    }
    transactions.sort(args.order === 'asc' ? byDateThenId : (left, right) => byDateThenId(right, left));
    const sum = (pick: (transaction: TransactionOutput) => string | null) =>
      sumByCurrency(transactions.map((entry) => ({ currency: entry.currency, amount: pick(entry) })));
    return {
      ...pageOf(transactions, args.offset, args.limit),
      totals: {
        amount_in: sum((entry) => entry.amount_in),
        fees: sum((entry) => entry.fees),
        amount_out: sum((entry) => entry.amount_out),
      },
    };
  },
  summarize(result) {
    const more = result.has_more ? `; next page at offset ${String(result.next_offset)}` : '';
    return (
      `${result.count} of ${result.total} transaction(s) from offset ${result.offset}${more}. ` +
      `All matching: in ${formatAmounts(result.totals.amount_in)}, out ${formatAmounts(result.totals.amount_out)}, ` +
      `fees ${formatAmounts(result.totals.fees)}.`
    );
  },
});
