/**
 * get_accounts_receivable_aging: every unpaid invoice across clients, bucketed by days overdue
 * (current, 1-30, 31-60, 61-90, over 90) with exact totals per currency, and the top debtors.
 * Balances are invoice totals less net payments, read from each debtor's transactions.
 */
import { z } from 'zod';
import { formatCents, parseCents, type Cents } from '../../money.js';
import { toInt } from '../../whmcs/normalize.js';
import { invoiceBalance, netPaidByInvoice, projectInvoiceSummary } from '../billing/projections.js';
import { defineTool, type ToolContext } from '../define.js';
import { untrustedText } from '../schemas.js';
import { compareCurrency } from './client-sections.js';
import { daysBetween, todayUtc } from '../shared/dates.js';
import { isoDay } from './dates.js';
import { partialErrorOf, partialErrorsOutput, REPORT_SCAN_CAP, type PartialError } from './sections.js';
import { type Row, rowsOf } from '../shared/fields.js';
import { scanList } from '../shared/list-scan.js';

/** Debtors whose payments are read one client at a time; past this, one unfiltered read serves all. */
const PER_CLIENT_PAYMENT_READS = 200;

export const AGING_BUCKETS = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'days_over_90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** The bucket for a number of days past the due date (zero or less: not yet overdue). */
export function agingBucket(daysOverdue: number): AgingBucket {
  if (daysOverdue <= 0) return 'current';
  if (daysOverdue <= 30) return 'days_1_30';
  if (daysOverdue <= 60) return 'days_31_60';
  if (daysOverdue <= 90) return 'days_61_90';
  return 'days_over_90';
}

const bucketSchema = z.object({ invoice_count: z.number().int(), amount: z.string() });

const output = z.object({
  as_of: z.string().describe('The day days overdue are counted to.'),
  min_days_overdue: z.number().int(),
  by_currency: z
    .array(
      z.object({
        currency: z.string().nullable(),
        buckets: z
          .object(
            Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, bucketSchema])) as Record<
              AgingBucket,
              typeof bucketSchema
            >,
          )
          .describe('current: not yet due or due today; days_1_30 ... days_over_90: days past the due date.'),
        total: bucketSchema,
      }),
    )
    .describe('One row per currency; amounts in different currencies are never added together.'),
  top_debtors: z
    .array(
      z.object({
        client_id: z.number().int(),
        client_name: untrustedText.nullable(),
        currency: z.string().nullable(),
        owed: z.string().describe('Everything the client owes on unpaid invoices in this currency.'),
        owed_at_min_days: z
          .string()
          .describe('The part owed on invoices at least min_days_overdue days past due.'),
        invoice_count: z.number().int(),
        oldest_due_date: z.string().nullable(),
        max_days_overdue: z.number().int(),
      }),
    )
    .describe('Per currency, the clients owing most on invoices at least min_days_overdue days past due.'),
  unpaid_invoices: z.number().int().describe('Unpaid invoices WHMCS reports.'),
  invoices_scanned: z.number().int(),
  scan_capped: z
    .boolean()
    .describe(
      `True when more than ${REPORT_SCAN_CAP} unpaid invoices exist: the figures cover the ones read.`,
    ),
  amounts_are_balances: z
    .boolean()
    .describe(
      'False when some payments could not be read (see partial_errors): those invoices count at their total.',
    ),
  partial_errors: partialErrorsOutput,
});
type Output = z.infer<typeof output>;

interface AgedInvoice {
  clientId: number;
  clientName: z.infer<typeof untrustedText> | null;
  currency: string | null;
  dueDate: string | null;
  daysOverdue: number;
  owed: Cents;
}

/**
 * Net payments per invoice for the debtors: per client while they are few, else one read of all
 * transactions. Clients whose payments could not be read are missing from the map.
 */
async function paymentsOf(
  ctx: ToolContext,
  clientIds: readonly number[],
  partialErrors: PartialError[],
): Promise<{ paid: Map<number, Cents>; covered: Set<number> }> {
  const paid = new Map<number, Cents>();
  const covered = new Set<number>();
  const absorb = (rows: Row[]): void => {
    for (const [invoiceId, amount] of netPaidByInvoice(rows))
      paid.set(invoiceId, (paid.get(invoiceId) ?? 0n) + amount);
  };
  if (clientIds.length > PER_CLIENT_PAYMENT_READS) {
    try {
      const reply = await ctx.whmcs.call('GetTransactions', {});
      absorb(rowsOf(reply.transactions));
      for (const id of clientIds) covered.add(id);
    } catch (error) {
      partialErrors.push(partialErrorOf(ctx, 'payments', error));
    }
    return { paid, covered };
  }
  const settled = await Promise.allSettled(
    clientIds.map(async (clientId) => {
      const reply = await ctx.whmcs.call('GetTransactions', { clientid: clientId });
      return rowsOf(reply.transactions).filter((row) => toInt(row.userid) === clientId);
    }),
  );
  const failed: number[] = [];
  let firstFailure: unknown;
  settled.forEach((outcome, index) => {
    const clientId = clientIds[index]!;
    if (outcome.status === 'fulfilled') {
      absorb(outcome.value);
      covered.add(clientId);
    } else {
      failed.push(clientId);
      firstFailure ??= outcome.reason;
    }
  });
  if (failed.length > 0) {
    const cause = partialErrorOf(ctx, 'payments', firstFailure);
    partialErrors.push({
      ...cause,
      message: `Payments of ${failed.length} client(s) (${failed.slice(0, 20).join(', ')}${failed.length > 20 ? ', ...' : ''}) could not be read; their invoices count at their full total. ${cause.message}`,
    });
  }
  return { paid, covered };
}

export const getAccountsReceivableAging = defineTool({
  name: 'get_accounts_receivable_aging',
  title: 'Accounts receivable aging',
  description:
    'Who owes money, and for how long, across all clients: every unpaid invoice bucketed by days past its due date (current, 1-30, 31-60, 61-90, over 90) with exact totals per currency, and the top debtors per currency. Answers "who owes us money over 60 days?" with min_days_overdue: 60. Amounts are balances (invoice totals less payments, net of refunds). Reads at most 10,000 unpaid invoices and says so in scan_capped. Admin only.',
  toolset: 'reports',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetInvoices', 'GetTransactions'],
  input: z.strictObject({
    as_of: isoDay('Count days overdue up to this day (YYYY-MM-DD); default today (UTC).').optional(),
    min_days_overdue: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .default(0)
      .describe(
        'Top debtors are ranked by what they owe on invoices at least this many days past due, and clients owing nothing that old are left out (0, the default, ranks by everything owed). The buckets always cover every unpaid invoice.',
      ),
    top_debtors: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Debtors to list per currency (1 to 100, default 10).'),
  }),
  output,
  async handler(input, ctx): Promise<Output> {
    const asOf = input.as_of ?? todayUtc();
    const scan = await scanList(ctx, 'GetInvoices', { status: 'Unpaid' }, 'invoices', REPORT_SCAN_CAP);
    const unpaidRows = scan.rows.filter((row) => row.status === 'Unpaid');
    const partialErrors: PartialError[] = [];
    const debtorIds = [
      ...new Set(unpaidRows.map((row) => toInt(row.userid) ?? 0).filter((id) => id > 0)),
    ].sort((left, right) => left - right);
    const { paid, covered } = await paymentsOf(ctx, debtorIds, partialErrors);

    const aged: AgedInvoice[] = unpaidRows.map((row) => {
      const clientId = toInt(row.userid) ?? 0;
      const invoice = projectInvoiceSummary(row, { today: asOf });
      const owed = covered.has(clientId)
        ? (parseCents(invoiceBalance(invoice.total, paid.get(invoice.id) ?? 0n)) ?? 0n)
        : (parseCents(invoice.total) ?? 0n);
      return {
        clientId,
        clientName: invoice.client_name,
        currency: invoice.currency,
        dueDate: invoice.due_date,
        daysOverdue: Math.max(0, daysBetween(invoice.due_date, asOf) ?? 0),
        owed,
      };
    });
    // An invoice that payments have fully covered is no longer owed, whatever its status says.
    const owing = aged.filter((invoice) => invoice.owed > 0n);

    const byCurrency = new Map<
      string | null,
      Record<AgingBucket | 'total', { count: number; cents: Cents }>
    >();
    for (const invoice of owing) {
      let row = byCurrency.get(invoice.currency);
      if (!row) {
        row = Object.fromEntries(
          [...AGING_BUCKETS, 'total'].map((bucket) => [bucket, { count: 0, cents: 0n }]),
        ) as Record<AgingBucket | 'total', { count: number; cents: Cents }>;
        byCurrency.set(invoice.currency, row);
      }
      for (const key of [agingBucket(invoice.daysOverdue), 'total'] as const) {
        row[key].count += 1;
        row[key].cents += invoice.owed;
      }
    }

    const debtors = new Map<string, AgedDebtor>();
    for (const invoice of owing) {
      const key = `${invoice.clientId}:${invoice.currency ?? ''}`;
      const debtor = debtors.get(key) ?? {
        clientId: invoice.clientId,
        clientName: invoice.clientName,
        currency: invoice.currency,
        owed: 0n,
        owedAtMin: 0n,
        count: 0,
        oldestDue: null,
        maxDays: 0,
      };
      debtor.owed += invoice.owed;
      debtor.count += 1;
      if (invoice.daysOverdue >= input.min_days_overdue) debtor.owedAtMin += invoice.owed;
      if (invoice.dueDate !== null && (debtor.oldestDue === null || invoice.dueDate < debtor.oldestDue)) {
        debtor.oldestDue = invoice.dueDate;
      }
      debtor.maxDays = Math.max(debtor.maxDays, invoice.daysOverdue);
      debtors.set(key, debtor);
    }
    const ranked = [...debtors.values()]
      .filter((debtor) => debtor.owedAtMin > 0n)
      .sort(
        (left, right) =>
          compareCurrency(left.currency, right.currency) ||
          compareCents(right.owedAtMin, left.owedAtMin) ||
          compareCents(right.owed, left.owed) ||
          left.clientId - right.clientId,
      );
    const perCurrency = new Map<string | null, number>();
    const topDebtors = ranked.filter((debtor) => {
      const listed = perCurrency.get(debtor.currency) ?? 0;
      perCurrency.set(debtor.currency, listed + 1);
      return listed < input.top_debtors;
    });

    return {
      as_of: asOf,
      min_days_overdue: input.min_days_overdue,
      by_currency: [...byCurrency.entries()]
        .sort(([left], [right]) => compareCurrency(left, right))
        .map(([currency, row]) => ({
          currency,
          buckets: Object.fromEntries(
            AGING_BUCKETS.map((bucket) => [
              bucket,
              { invoice_count: row[bucket].count, amount: formatCents(row[bucket].cents) },
            ]),
          ) as Record<AgingBucket, { invoice_count: number; amount: string }>,
          total: { invoice_count: row.total.count, amount: formatCents(row.total.cents) },
        })),
      top_debtors: topDebtors.map((debtor) => ({
        client_id: debtor.clientId,
        client_name: debtor.clientName,
        currency: debtor.currency,
        owed: formatCents(debtor.owed),
        owed_at_min_days: formatCents(debtor.owedAtMin),
        invoice_count: debtor.count,
        oldest_due_date: debtor.oldestDue,
        max_days_overdue: debtor.maxDays,
      })),
      unpaid_invoices: scan.total,
      invoices_scanned: scan.rows.length,
      scan_capped: scan.capped,
      amounts_are_balances: partialErrors.length === 0,
      partial_errors: partialErrors,
    };
  },
  summarize(result) {
    const lines = result.by_currency.map((row) => {
      const overdue60 =
        (parseCents(row.buckets.days_61_90.amount) ?? 0n) +
        (parseCents(row.buckets.days_over_90.amount) ?? 0n);
      return `${row.currency ?? 'unknown currency'}: ${row.total.amount} owed on ${row.total.invoice_count} invoice(s), ${formatCents(overdue60)} over 60 days`;
    });
    const capped = result.scan_capped ? ' (first 10,000 unpaid invoices only)' : '';
    return `Receivables as of ${result.as_of}${capped}: ${lines.join('; ') || 'nothing owed'}.`;
  },
});

interface AgedDebtor {
  clientId: number;
  clientName: z.infer<typeof untrustedText> | null;
  currency: string | null;
  owed: Cents;
  owedAtMin: Cents;
  count: number;
  oldestDue: string | null;
  maxDays: number;
}

function compareCents(left: Cents, right: Cents): number {
  return left === right ? 0 : left < right ? -1 : 1;
}
