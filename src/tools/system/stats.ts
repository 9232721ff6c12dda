/**
 * get_stats: the figures on the WHMCS admin dashboard (GetStats). WHMCS sends the income figures
 * already formatted for display in the default currency ("$5.95 USD"); their number format is the
 * installation's, so they are passed on as text and said to be text, never parsed into amounts.
 * The optional timeline's income and expenditure are plain amounts and come back exact.
 */
import { z } from 'zod';
import { toMoney } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { money } from '../schemas.js';
import { countOf } from '../shared/fields.js';

const count = z.number().int().min(0).nullable();

const orderDay = z.object({
  total: count,
  active: count,
  pending: count,
  cancelled: count,
  fraud: count,
});

const timelineDay = z.object({
  date: z.string(),
  new_orders: count,
  accepted_orders: count,
  new_tickets: count,
  income: money.nullable().describe('Payments received that day, exact, in the default currency.'),
  expenditure: money
    .nullable()
    .describe('Refunds and payments out that day, exact, in the default currency.'),
});

const formattedIncome = z
  .string()
  .nullable()
  .describe('Display text as WHMCS formats it, e.g. "$5.95 USD": text, not a number.');

const output = z.object({
  income: z
    .object({
      today: formattedIncome,
      this_month: formattedIncome,
      this_year: formattedIncome,
      all_time: formattedIncome,
      is_formatted_text: z.literal(true),
      note: z.string(),
    })
    .describe(
      'Income in the default currency as WHMCS formats it for display. These are text, not amounts: do not add or compare them; use reports or list tools for exact sums.',
    ),
  orders: z.object({
    pending: count,
    today: orderDay,
    yesterday: orderDay,
    this_month_total: count,
    this_year_total: count,
  }),
  tickets: z.object({
    all_active: count,
    awaiting_reply: count,
    flagged: count.describe('Tickets flagged to the admin behind the API credential.'),
    open: count,
    answered: count,
    customer_reply: count,
    on_hold: count,
    in_progress: count,
    closed: count,
  }),
  cancellations_pending: count,
  todo_items_due: count,
  network_issues_open: count,
  billable_items_uninvoiced: count,
  quotes_valid: count,
  staff_online: count,
  timeline: z
    .array(timelineDay)
    .describe('One row per day, newest first, when timeline_days was given; otherwise empty.'),
});

function orderCounts(reply: Record<string, unknown>, day: 'today' | 'yesterday') {
  return {
    total: countOf(reply[`orders_${day}_total`]),
    active: countOf(reply[`orders_${day}_active`]),
    pending: countOf(reply[`orders_${day}_pending`]),
    cancelled: countOf(reply[`orders_${day}_cancelled`]),
    fraud: countOf(reply[`orders_${day}_fraud`]),
  };
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** GetStats keys its timeline by metric, then by date; one row per date reads better. */
function timelineRows(value: unknown): z.input<typeof timelineDay>[] {
  const timeline = record(value);
  const metrics = ['new_orders', 'accepted_orders', 'new_tickets', 'income', 'expenditure'] as const;
  const dates = new Set<string>();
  for (const metric of metrics) for (const date of Object.keys(record(timeline[metric]))) dates.add(date);
  return [...dates]
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    .map((date) => ({
      date,
      new_orders: countOf(record(timeline.new_orders)[date]),
      accepted_orders: countOf(record(timeline.accepted_orders)[date]),
      new_tickets: countOf(record(timeline.new_tickets)[date]),
      income: toMoney(record(timeline.income)[date]) ?? null,
      expenditure: toMoney(record(timeline.expenditure)[date]) ?? null,
    }));
}

export const getStats = defineTool({
  name: 'get_stats',
  title: 'Dashboard statistics',
  description:
    'Returns the WHMCS admin dashboard figures: income today, this month, this year and all time; order counts (pending, today, yesterday, this month and year); ticket counts by status; pending cancellations, due to-do items, open network issues, valid quotes and staff online. The income figures are display text formatted by WHMCS ("$5.95 USD"), not amounts. With timeline_days (1-90) it adds a daily timeline whose income and expenditure are exact amounts. Admin only.',
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetStats'],
  input: z.strictObject({
    timeline_days: z
      .number()
      .int()
      .min(1)
      .max(90)
      .optional()
      .describe('Also return a daily timeline for this many days back (1-90).'),
  }),
  output,
  async handler(args, ctx) {
    const reply = await ctx.whmcs.call(
      'GetStats',
      args.timeline_days === undefined ? {} : { timeline_days: args.timeline_days },
    );
    return {
      income: {
        today: text(reply.income_today),
        this_month: text(reply.income_thismonth),
        this_year: text(reply.income_thisyear),
        all_time: text(reply.income_alltime),
        is_formatted_text: true as const,
        note: 'WHMCS formats these for display in the default currency; they are text, not exact amounts.',
      },
      orders: {
        pending: countOf(reply.orders_pending),
        today: orderCounts(reply, 'today'),
        yesterday: orderCounts(reply, 'yesterday'),
        this_month_total: countOf(reply.orders_thismonth_total),
        this_year_total: countOf(reply.orders_thisyear_total),
      },
      tickets: {
        all_active: countOf(reply.tickets_allactive),
        awaiting_reply: countOf(reply.tickets_awaitingreply),
        flagged: countOf(reply.tickets_flaggedtickets),
        open: countOf(reply.tickets_open),
        answered: countOf(reply.tickets_answered),
        customer_reply: countOf(reply.tickets_customerreply),
        on_hold: countOf(reply.tickets_onhold),
        in_progress: countOf(reply.tickets_inprogress),
        closed: countOf(reply.tickets_closed),
      },
      cancellations_pending: countOf(reply.cancellations_pending),
      todo_items_due: countOf(reply.todoitems_due),
      network_issues_open: countOf(reply.networkissues_open),
      billable_items_uninvoiced: countOf(reply.billableitems_uninvoiced),
      quotes_valid: countOf(reply.quotes_valid),
      staff_online: countOf(reply.staff_online),
      timeline: timelineRows(reply.timeline_data),
    };
  },
  summarize(output) {
    const income = output.income.this_month ?? 'unknown';
    return `Income this month ${income} (as WHMCS displays it); ${output.orders.pending ?? 0} pending order(s), ${output.tickets.awaiting_reply ?? 0} ticket(s) awaiting reply.`;
  },
});
