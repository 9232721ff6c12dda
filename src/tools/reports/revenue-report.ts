/**
 * get_revenue_report: money received in a date range, from transactions (what actually moved), per
 * currency and per gateway, with refunds apart and fees shown. Sums are exact (bigint cents).
 */
import { z } from 'zod';
import { formatCents, parseCents, type Cents } from '../../money.js';
import { toDate, toInt } from '../../whmcs/normalize.js';
import { CURRENCY_ACTIONS, Currencies, type CurrencyRecord } from '../shared/currencies.js';
import { transactionCurrencyId } from '../billing/projections.js';
import { defineTool, type ToolContext } from '../define.js';
import { compareCurrency } from './client-sections.js';
import { addDays, daysBetween, todayUtc } from '../shared/dates.js';
import { isoDay } from './dates.js';
import { partialErrorOf, partialErrorsOutput, type PartialError } from './sections.js';
import { type Row, rowsOf } from '../shared/fields.js';

/** Clients whose currency is looked up one by one at most; the rest stay unresolved and say so. */
const CLIENT_CURRENCY_LOOKUPS = 500;
const MAX_RANGE_DAYS = 3660;
const DEFAULT_RANGE_DAYS = 30;

const countedAmount = z.object({ count: z.number().int(), amount: z.string() });

const totalsShape = {
  currency: z
    .string()
    .nullable()
    .describe('Currency code; null when it could not be resolved (see partial_errors).'),
  payments: countedAmount.describe('Money received (amount_in).'),
  refunds: countedAmount.describe('Money paid back out (amount_out), shown apart, never netted silently.'),
  fees: z.string().describe('Gateway fees on these transactions.'),
  net: z.string().describe('payments - refunds.'),
  net_after_fees: z.string().describe('payments - refunds - fees.'),
};

const output = z.object({
  date_from: z.string(),
  date_to: z.string().describe('Inclusive.'),
  by_currency: z
    .array(z.object(totalsShape))
    .describe('One row per currency; currencies are never added together.'),
  by_gateway: z
    .array(z.object({ gateway: z.string(), ...totalsShape }))
    .describe('Per payment gateway and currency, largest payments first.'),
  transactions_in_range: z.number().int(),
  transactions_scanned: z
    .number()
    .int()
    .describe(
      'Transactions WHMCS returned (GetTransactions has no date filter or paging: one reply holds all).',
    ),
  partial_errors: partialErrorsOutput,
});
type Output = z.infer<typeof output>;

interface Totals {
  paymentCount: number;
  payments: Cents;
  refundCount: number;
  refunds: Cents;
  fees: Cents;
}

function emptyTotals(): Totals {
  return { paymentCount: 0, payments: 0n, refundCount: 0, refunds: 0n, fees: 0n };
}

function addTo(totals: Totals, row: Row): void {
  const amountIn = parseCents(row.amountin) ?? 0n;
  const amountOut = parseCents(row.amountout) ?? 0n;
  if (amountIn !== 0n) {
    totals.paymentCount += 1;
    totals.payments += amountIn;
  }
  if (amountOut !== 0n) {
    totals.refundCount += 1;
    totals.refunds += amountOut;
  }
  totals.fees += parseCents(row.fees) ?? 0n;
}

function render(currency: string | null, totals: Totals) {
  return {
    currency,
    payments: { count: totals.paymentCount, amount: formatCents(totals.payments) },
    refunds: { count: totals.refundCount, amount: formatCents(totals.refunds) },
    fees: formatCents(totals.fees),
    net: formatCents(totals.payments - totals.refunds),
    net_after_fees: formatCents(totals.payments - totals.refunds - totals.fees),
  };
}

/**
 * The currency of each transaction: its own currency id when it records one, else its client's.
 * When WHMCS has a single currency, every transaction is in it and no client is looked up.
 */
async function currencyResolver(
  ctx: ToolContext,
  rows: readonly Row[],
  partialErrors: PartialError[],
): Promise<(row: Row) => string | null> {
  const currencies = new Currencies(ctx);
  let configured: CurrencyRecord[] | null = null;
  try {
    configured = await currencies.list();
  } catch (error) {
    partialErrors.push(partialErrorOf(ctx, 'currencies', error));
  }
  const byId = new Map((configured ?? []).map((currency) => [currency.id, currency.code]));
  const only = configured?.length === 1 ? (configured[0]?.code ?? null) : null;
  const clientCodes = new Map<number, string | null>();
  if (only === null) {
    const clientIds = [
      ...new Set(
        rows.filter((row) => transactionCurrencyId(row) === undefined).map((row) => toInt(row.userid) ?? 0),
      ),
    ].filter((id) => id > 0);
    const looked = clientIds.slice(0, CLIENT_CURRENCY_LOOKUPS);
    const settled = await Promise.allSettled(looked.map((id) => currencies.forClient(id)));
    let firstFailure: unknown;
    let failures = 0;
    settled.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') clientCodes.set(looked[index]!, outcome.value);
      else {
        failures += 1;
        firstFailure ??= outcome.reason;
      }
    });
    if (failures > 0) {
      const cause = partialErrorOf(ctx, 'client_currencies', firstFailure);
      partialErrors.push({
        ...cause,
        message: `The currency of ${failures} client(s) could not be read; their transactions are under an unknown currency. ${cause.message}`,
      });
    }
    if (clientIds.length > looked.length) {
      partialErrors.push({
        section: 'client_currencies',
        code: 'upstream_error',
        message: `Transactions of ${clientIds.length} clients are in their client's currency; only ${CLIENT_CURRENCY_LOOKUPS} were looked up, the rest are under an unknown currency. Narrow the date range.`,
      });
    }
  }
  return (row) => {
    const own = transactionCurrencyId(row);
    if (own !== undefined) return byId.get(own) ?? null;
    if (only !== null) return only;
    return clientCodes.get(toInt(row.userid) ?? 0) ?? null;
  };
}

export const getRevenueReport = defineTool({
  name: 'get_revenue_report',
  title: 'Revenue report',
  description:
    'Money received between date_from and date_to (inclusive; default the last 30 days), from WHMCS transactions: payments, refunds (shown apart), gateway fees and net, per currency and per payment gateway. Sums are exact. Revenue here is cash that moved, not invoiced amounts. Admin only.',
  toolset: 'reports',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetTransactions', ...CURRENCY_ACTIONS],
  input: z
    .strictObject({
      date_from: isoDay('First day of the range (YYYY-MM-DD); default 29 days before date_to.').optional(),
      date_to: isoDay('Last day of the range, inclusive (YYYY-MM-DD); default today (UTC).').optional(),
    })
    .refine((value) => !value.date_from || !value.date_to || value.date_from <= value.date_to, {
      message: 'date_from must not be after date_to',
      path: ['date_from'],
    })
    .refine(
      (value) =>
        !value.date_from ||
        !value.date_to ||
        (daysBetween(value.date_from, value.date_to) ?? 0) < MAX_RANGE_DAYS,
      { message: `the range may span at most ${MAX_RANGE_DAYS} days`, path: ['date_to'] },
    ),
  output,
  async handler(input, ctx): Promise<Output> {
    const dateTo = input.date_to ?? todayUtc();
    const dateFrom = input.date_from ?? addDays(dateTo, -(DEFAULT_RANGE_DAYS - 1));
    const reply = await ctx.whmcs.call('GetTransactions', {});
    const scanned = rowsOf(reply.transactions);
    const inRange = scanned.filter((row) => {
      const day = toDate(row.date)?.slice(0, 10);
      return day !== undefined && day >= dateFrom && day <= dateTo;
    });
    const partialErrors: PartialError[] = [];
    const currencyOf = await currencyResolver(ctx, inRange, partialErrors);

    const byCurrency = new Map<string | null, Totals>();
    const byGateway = new Map<string, { gateway: string; currency: string | null; totals: Totals }>();
    for (const row of inRange) {
      const currency = currencyOf(row);
      const gateway =
        typeof row.gateway === 'string' && row.gateway.trim() !== '' ? row.gateway.trim() : 'none';
      const currencyTotals = byCurrency.get(currency) ?? emptyTotals();
      addTo(currencyTotals, row);
      byCurrency.set(currency, currencyTotals);
      const key = `${gateway}\u0000${currency ?? ''}`;
      const gatewayEntry = byGateway.get(key) ?? { gateway, currency, totals: emptyTotals() };
      addTo(gatewayEntry.totals, row);
      byGateway.set(key, gatewayEntry);
    }

    return {
      date_from: dateFrom,
      date_to: dateTo,
      by_currency: [...byCurrency.entries()]
        .sort(([left], [right]) => compareCurrency(left, right))
        .map(([currency, totals]) => render(currency, totals)),
      by_gateway: [...byGateway.values()]
        .sort(
          (left, right) =>
            compareCurrency(left.currency, right.currency) ||
            (left.totals.payments === right.totals.payments
              ? 0
              : left.totals.payments < right.totals.payments
                ? 1
                : -1) ||
            left.gateway.localeCompare(right.gateway),
        )
        .map((entry) => ({ gateway: entry.gateway, ...render(entry.currency, entry.totals) })),
      transactions_in_range: inRange.length,
      transactions_scanned: scanned.length,
      partial_errors: partialErrors,
    };
  },
  summarize(result) {
    const lines = result.by_currency.map(
      (row) =>
        `${row.payments.amount} ${row.currency ?? '(unknown currency)'} received, ${row.refunds.amount} refunded, net ${row.net}`,
    );
    return `Revenue ${result.date_from} to ${result.date_to}: ${lines.join('; ') || 'no transactions'}.`;
  },
});
