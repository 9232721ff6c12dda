/**
 * whmcs://invoices/{id}/history: an invoice with its items and transactions, and its story as a
 * timeline (issued, credit applied, payments, refunds, capture attempts, paid), plus the credit log
 * and activity log entries that mention it. The invoice is loaded through the ownership loader.
 */
import { z } from 'zod';
import { formatCents, parseCents } from '../money.js';
import { asList, toInt } from '../whmcs/normalize.js';
import { CURRENCY_ACTIONS, Currencies } from '../tools/shared/currencies.js';
import { invoiceSchema, projectInvoice, type InvoiceOutput } from '../tools/billing/projections.js';
import { creditEntrySchema, projectCreditEntry, type CreditEntry } from '../tools/clients/projections.js';
import { activityEntrySchema, newestFirst, projectActivityEntry } from '../tools/shared/activity.js';
import { loadSections, partialErrorsOutput } from '../tools/reports/sections.js';
import { whmcsDate } from '../tools/schemas.js';
import { loadInvoice } from '../tools/shared/ownership.js';
import { completeOwnedId } from './completion.js';
import { defineResource } from './define.js';
import { idOf, renderJson } from './render.js';

const TIMELINE_EVENTS = [
  'issued',
  'due',
  'credit_applied',
  'credit_removed',
  'payment',
  'refund',
  'capture_attempt',
  'paid',
] as const;
type TimelineEvent = z.infer<typeof timelineEntrySchema>;

const timelineEntrySchema = z.object({
  date: whmcsDate,
  event: z.enum(TIMELINE_EVENTS),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  transaction_id: z.number().int().nullable(),
  gateway: z.string().nullable(),
});

const historySchema = z.object({
  invoice: invoiceSchema,
  timeline: z
    .array(timelineEntrySchema)
    .describe('What happened to the invoice, oldest first (the due date included).'),
  credit_log: z.array(creditEntrySchema).nullable().describe('Credit log entries linked to this invoice.'),
  activity: z
    .array(activityEntrySchema)
    .nullable()
    .describe('Activity log entries that mention this invoice, newest first.'),
  partial_errors: partialErrorsOutput,
});

/** Entries WHMCS writes as "... - Invoice ID: 12 ..." (not 120). */
function mentionsInvoice(description: unknown, invoiceId: number): boolean {
  return (
    typeof description === 'string' &&
    new RegExp(`Invoice (?:ID: ?|#)${invoiceId}(?!\\d)`, 'i').test(description)
  );
}

function timelineOf(invoice: InvoiceOutput, credits: readonly CreditEntry[]): TimelineEvent[] {
  const currency = invoice.currency;
  const events: TimelineEvent[] = [];
  const add = (
    event: TimelineEvent['event'],
    date: string | null,
    extra: Partial<TimelineEvent> = {},
  ): void => {
    if (date === null) return;
    events.push({ date, event, amount: null, currency: null, transaction_id: null, gateway: null, ...extra });
  };
  add('issued', invoice.date, { amount: invoice.total, currency });
  add('due', invoice.due_date);
  for (const credit of credits) {
    const cents = parseCents(credit.amount) ?? 0n;
    // The credit log records applied credit as a negative movement of the client's balance.
    add(cents < 0n ? 'credit_applied' : 'credit_removed', credit.date, {
      amount: formatCents(cents < 0n ? -cents : cents),
      currency,
    });
  }
  for (const transaction of invoice.transactions) {
    const base = {
      currency: transaction.currency,
      transaction_id: transaction.id,
      gateway: transaction.gateway,
    };
    if ((parseCents(transaction.amount_in) ?? 0n) > 0n)
      add('payment', transaction.date, { ...base, amount: transaction.amount_in });
    if ((parseCents(transaction.amount_out) ?? 0n) > 0n)
      add('refund', transaction.date, { ...base, amount: transaction.amount_out });
  }
  add('capture_attempt', invoice.last_capture_attempt);
  add('paid', invoice.date_paid);
  // Stable sort: events on the same date keep the order above (issued before payments before paid).
  return events.sort((left, right) =>
    (left.date ?? '').slice(0, 10).localeCompare((right.date ?? '').slice(0, 10)),
  );
}

export const invoiceHistoryResource = defineResource({
  name: 'invoice-history',
  title: 'Invoice history',
  description:
    'An invoice with its items and transactions, and what happened to it as a timeline (issued, credit applied, payments, refunds, capture attempts, paid), with the credit log and activity log entries that mention it, as JSON. Amounts are exact decimal strings in the invoice currency.',
  uriTemplate: 'whmcs://invoices/{id}/history',
  mimeType: 'application/json',
  toolset: 'billing',
  clientMode: 'owned',
  whmcsActions: ['GetInvoice', 'GetInvoices', 'GetCredits', 'GetActivityLog', ...CURRENCY_ACTIONS],
  async read(variables, ctx) {
    const invoiceId = idOf(variables);
    const reply = await loadInvoice(ctx, invoiceId);
    const clientId = toInt(reply.userid) ?? 0;
    const currencies = new Currencies(ctx);
    const { sections, partialErrors } = await loadSections(ctx, {
      currency: () => currencies.forClient(clientId),
      credit_log: async () => {
        if (clientId <= 0) return [];
        const credits = await ctx.whmcs.call('GetCredits', { clientid: clientId });
        return (asList(credits.credits) as Record<string, unknown>[])
          .filter((row) => toInt(row.relid) === invoiceId)
          .map(projectCreditEntry);
      },
      activity: async () => {
        const log = await ctx.whmcs.call('GetActivityLog', {
          ...(clientId > 0 ? { clientid: clientId } : {}),
          description: `Invoice ID: ${invoiceId}`,
          limitstart: 0,
          limitnum: 100,
        });
        return newestFirst(
          (asList(log.activity) as Record<string, unknown>[])
            .filter((row) => mentionsInvoice(row.description, invoiceId))
            .map(projectActivityEntry),
        );
      },
    });
    const invoice = projectInvoice(reply, { currency: sections.currency ?? null });
    return renderJson(ctx, `whmcs://invoices/${invoiceId}/history`, historySchema, {
      invoice,
      timeline: timelineOf(invoice, sections.credit_log ?? []),
      credit_log: sections.credit_log,
      activity: sections.activity,
      partial_errors: partialErrors,
    });
  },
  complete: (variable, prefix, ctx) =>
    variable === 'id'
      ? completeOwnedId(ctx, prefix, {
          action: 'GetInvoices',
          listKey: 'invoices',
          clientParam: 'userid',
          owner: 'userid',
          params: { orderby: 'id', order: 'desc' },
        })
      : Promise.resolve([]),
});
