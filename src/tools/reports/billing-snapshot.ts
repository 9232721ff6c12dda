/**
 * get_billing_snapshot: one client's money picture. Unpaid and overdue amounts per currency (exact
 * balances from the client's transactions), the next invoice falling due, recent payments and
 * refunds, and the credit balance with its latest movements.
 */
import { z } from 'zod';
import { parseCents } from '../../money.js';
import {
  currencyAmount,
  invoiceSummarySchema,
  projectTransaction,
  transactionCurrencyId,
  transactionSchema,
} from '../billing/projections.js';
import { Currencies } from '../shared/currencies.js';
import { creditEntrySchema, projectCreditEntry } from '../clients/projections.js';
import { defineTool } from '../define.js';
import { entityId } from '../schemas.js';
import {
  CLIENT_CORE_ACTIONS,
  amountsAreBalancesField,
  assertClientInScope,
  loadClientCore,
  loadTransactionRows,
  loadUnpaidInvoiceRows,
  receivableTotalsSchema,
  summarizeReceivables,
} from './client-sections.js';
import { daysBetween, todayUtc } from '../shared/dates.js';
import { loadSections, partialErrorOf, partialErrorsOutput } from './sections.js';
import { rowsOf } from '../shared/fields.js';

const UNPAID_ITEMS = 100;

const output = z.object({
  client_id: z.number().int(),
  client_name: z.string().describe('Company name, or first and last name.'),
  currency: z.string().nullable().describe("The client's currency."),
  as_of: z.string().describe('The day (UTC) overdue and next-due are measured against.'),
  credit_balance: currencyAmount.nullable(),
  receivables: z
    .object({
      totals: z.array(receivableTotalsSchema).describe('Unpaid and overdue amounts per currency.'),
      amounts_are_balances: amountsAreBalancesField,
      next_due: z
        .object({
          invoice_id: z.number().int(),
          due_date: z.string().nullable(),
          days_until_due: z.number().int().nullable(),
          amount: z.string().nullable().describe('Owed on that invoice.'),
          currency: z.string().nullable(),
        })
        .nullable()
        .describe('The unpaid invoice falling due next (today or later); null when none is pending.'),
      unpaid_invoices: z
        .array(invoiceSummarySchema)
        .describe(`Unpaid invoices, earliest due first (up to ${UNPAID_ITEMS}).`),
      total_is_estimate: z
        .boolean()
        .describe('True when the client has more unpaid invoices than were read (500).'),
    })
    .nullable(),
  recent_payments: z
    .array(transactionSchema)
    .nullable()
    .describe('Latest payments received (amount_in above zero), newest first.'),
  recent_refunds: z
    .array(transactionSchema)
    .nullable()
    .describe('Latest refunds paid out (amount_out above zero), newest first.'),
  recent_credits: z
    .array(creditEntrySchema)
    .nullable()
    .describe('Latest credit log entries (added, applied or removed), newest first.'),
  partial_errors: partialErrorsOutput,
});
type Output = z.infer<typeof output>;

const byDateDescending = (
  left: { date: string | null; id: number },
  right: { date: string | null; id: number },
) => (right.date ?? '').localeCompare(left.date ?? '') || right.id - left.id;

export const getBillingSnapshot = defineTool({
  name: 'get_billing_snapshot',
  title: "Client's billing snapshot",
  description:
    'One client\'s money picture: what is unpaid and overdue per currency (exact balances: invoice totals less payments), the next invoice falling due, the latest payments and refunds, and the credit balance with its latest movements. Use it to answer "what does this client owe and when did they last pay?". Sections WHMCS could not deliver are null and listed in partial_errors. A missing client (or one outside this session\'s scope) is not_found.',
  toolset: 'reports',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: [...CLIENT_CORE_ACTIONS, 'GetInvoices', 'GetTransactions', 'GetCredits'],
  input: z.strictObject({
    client_id: entityId('The client whose billing to summarise.'),
    recent: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe('How many recent payments, refunds and credit entries to list (1 to 50, default 10).'),
  }),
  output,
  async handler(input, ctx): Promise<Output> {
    const clientId = input.client_id;
    const today = todayUtc();
    assertClientInScope(ctx, clientId);
    const currencies = new Currencies(ctx);
    const [core, fetched] = await Promise.all([
      loadClientCore(ctx, clientId, false, currencies),
      loadSections(ctx, {
        invoices: () => loadUnpaidInvoiceRows(ctx, clientId),
        payments: () => loadTransactionRows(ctx, clientId),
        credits: async () => {
          const reply = await ctx.whmcs.call('GetCredits', { clientid: clientId });
          return rowsOf(reply.credits).map(projectCreditEntry);
        },
      }),
    ]);
    const { sections, partialErrors } = fetched;
    const currency = core.currency;

    let receivables: Output['receivables'] = null;
    if (sections.invoices) {
      const summary = summarizeReceivables(sections.invoices.rows, sections.payments, currency, today);
      const upcoming = summary.invoices
        .filter((invoice) => invoice.due_date !== null && invoice.due_date.slice(0, 10) >= today)
        .sort(
          (left, right) => (left.due_date ?? '').localeCompare(right.due_date ?? '') || left.id - right.id,
        )[0];
      receivables = {
        totals: summary.totals,
        amounts_are_balances: summary.amountsAreBalances,
        next_due: upcoming
          ? {
              invoice_id: upcoming.id,
              due_date: upcoming.due_date,
              days_until_due: daysBetween(today, upcoming.due_date) ?? null,
              amount: upcoming.balance ?? upcoming.total,
              currency: upcoming.currency,
            }
          : null,
        unpaid_invoices: summary.invoices.slice(0, UNPAID_ITEMS),
        total_is_estimate: sections.invoices.truncated,
      };
    }

    let recentPayments: Output['recent_payments'] = null;
    let recentRefunds: Output['recent_refunds'] = null;
    if (sections.payments) {
      // A transaction in another currency than the client's records its own currency id.
      const codes = new Map<number, string | null>();
      const ownIds = new Set(sections.payments.map(transactionCurrencyId).filter((id) => id !== undefined));
      if (ownIds.size > 0) {
        try {
          for (const id of ownIds) codes.set(id, await currencies.codeForId(id));
        } catch (error) {
          partialErrors.push(partialErrorOf(ctx, 'currencies', error));
        }
      }
      const transactions = sections.payments.map((row) => {
        const ownCurrency = transactionCurrencyId(row);
        return projectTransaction(
          row,
          ownCurrency === undefined ? currency : (codes.get(ownCurrency) ?? null),
        );
      });
      const ordered = transactions.sort(byDateDescending);
      recentPayments = ordered.filter((row) => (parseCents(row.amount_in) ?? 0n) > 0n).slice(0, input.recent);
      recentRefunds = ordered.filter((row) => (parseCents(row.amount_out) ?? 0n) > 0n).slice(0, input.recent);
    }

    return {
      client_id: clientId,
      client_name: core.summary.companyname || `${core.summary.firstname} ${core.summary.lastname}`.trim(),
      currency,
      as_of: today,
      credit_balance: core.creditBalance === null ? null : { currency, amount: core.creditBalance },
      receivables,
      recent_payments: recentPayments,
      recent_refunds: recentRefunds,
      recent_credits: sections.credits
        ? [...sections.credits].sort(byDateDescending).slice(0, input.recent)
        : null,
      partial_errors: partialErrors,
    };
  },
  summarize(result) {
    const parts = [`Client ${result.client_id} ${result.client_name}`];
    if (result.receivables) {
      for (const total of result.receivables.totals) {
        const code = total.currency ? ` ${total.currency}` : '';
        parts.push(
          `unpaid ${total.unpaid_amount}${code} on ${total.unpaid_count} invoice(s), overdue ${total.overdue_amount}${code}`,
        );
      }
      if (result.receivables.totals.length === 0) parts.push('nothing unpaid');
      const next = result.receivables.next_due;
      if (next) parts.push(`next due invoice ${next.invoice_id} on ${next.due_date}`);
    }
    if (result.credit_balance)
      parts.push(`credit ${result.credit_balance.amount}${result.currency ? ` ${result.currency}` : ''}`);
    const missing = result.partial_errors.map((error) => error.section);
    return `${parts.join('; ')}.${missing.length > 0 ? ` Missing: ${missing.join(', ')}.` : ''}`;
  },
});
