/**
 * get_automation_log: what the WHMCS cron did, per day and task (GetAutomationLog). WHMCS groups
 * its statistics by date, then task ("Invoices"), then metric ("generated"), and fills every day
 * of the range with zeros; this tool flattens that into rows and leaves the zeros out by default.
 */
import { z } from 'zod';
import { toDate } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { boundedText, listOutput, pageOf, pagingInput, whmcsDate } from '../schemas.js';
import { cleanText } from '../untrusted.js';
import { countOf } from '../shared/fields.js';
import { daysBetween, isCalendarDay } from '../shared/dates.js';
import { calendarDay } from './common.js';

/** WHMCS reads at most 91 days from the start date. */
const MAX_RANGE_DAYS = 90;
/** A daily cron that last ran longer ago than this has missed at least one run. */
const DAILY_CRON_GRACE_HOURS = 25;
const MAX_DETAIL = 500;

const automationRow = z.object({
  date: z.string().describe('The day, YYYY-MM-DD.'),
  task: z
    .string()
    .describe('The automation task group, e.g. Invoices, OverdueSuspensions, DomainRenewalNotices.'),
  metric: z.string().describe('What was counted within the task, e.g. generated, suspended, sent.'),
  count: z.number().int().nullable().describe('How many; null when WHMCS logged a detail text instead.'),
  detail: z
    .string()
    .nullable()
    .describe('The logged detail when it is not a number (cut to 500 characters).'),
});
type AutomationRow = z.infer<typeof automationRow>;

const output = listOutput(automationRow).extend({
  current_datetime: whmcsDate.describe('The WHMCS server clock when it answered.'),
  last_daily_cron: whmcsDate.describe('When the daily cron last started, or null if never.'),
  daily_cron_overdue: z
    .boolean()
    .nullable()
    .describe('True when the daily cron has not run for over 25 hours (or never ran); null if unknown.'),
  date_from: whmcsDate,
  date_to: whmcsDate,
});

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function flatten(statistics: unknown, includeZero: boolean): AutomationRow[] {
  const byDate = record(statistics);
  if (!byDate) return [];
  const rows: AutomationRow[] = [];
  for (const date of Object.keys(byDate).sort().reverse()) {
    const tasks = record(byDate[date]) ?? {};
    for (const task of Object.keys(tasks).sort()) {
      const metrics = record(tasks[task]) ?? {};
      for (const metric of Object.keys(metrics).sort()) {
        const value = metrics[metric];
        const count = countOf(value);
        if (count === 0 && !includeZero) continue;
        const detail =
          count === null && value !== null && value !== undefined
            ? cleanText(typeof value === 'string' ? value : JSON.stringify(value)).slice(0, MAX_DETAIL)
            : null;
        rows.push({ date, task: cleanText(task), metric: cleanText(metric), count, detail });
      }
    }
  }
  return rows;
}

function hoursBetween(earlier: string, later: string): number | null {
  const start = Date.parse(earlier.replace(' ', 'T') + 'Z');
  const end = Date.parse(later.replace(' ', 'T') + 'Z');
  return Number.isFinite(start) && Number.isFinite(end) ? (end - start) / 3_600_000 : null;
}

export const getAutomationLog = defineTool({
  name: 'get_automation_log',
  title: 'Cron automation log',
  description:
    'Returns what the WHMCS cron automation did per day: for each task (Invoices, OverdueSuspensions, DomainRenewalNotices, ...) and metric, how many items it handled, plus when the daily cron last ran and whether it is overdue. Use it to check that invoices were generated, overdue services suspended and reminders sent. date_from/date_to choose the days (default today, at most 90 days apart); task filters by task name prefix; include_zero also returns the days and metrics where nothing happened. Admin only.',
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetAutomationLog'],
  input: z
    .strictObject({
      date_from: calendarDay('First day to report (default today)').optional(),
      date_to: calendarDay('Last day to report (default today)').optional(),
      task: boundedText(
        'Only this task group, e.g. Invoices (matched as a prefix by WHMCS).',
        100,
      ).optional(),
      include_zero: z.boolean().default(false).describe('Also return rows whose count is 0.'),
      ...pagingInput,
    })
    .refine(
      (value) => {
        if (value.date_from === undefined || value.date_to === undefined) return true;
        const span = daysBetween(value.date_from, value.date_to);
        return span !== undefined && span >= 0 && span <= MAX_RANGE_DAYS;
      },
      {
        message: `must be on or after date_from and at most ${MAX_RANGE_DAYS} days later`,
        path: ['date_to'],
      },
    ),
  output,
  async handler(args, ctx) {
    const from = args.date_from;
    const to = args.date_to;
    const reply = await ctx.whmcs.call('GetAutomationLog', {
      ...(from !== undefined ? { startdate: from } : {}),
      ...(to !== undefined ? { enddate: to } : {}),
      ...(args.task !== undefined ? { namespace: args.task } : {}),
    });
    const startDay = typeof reply.startdate === 'string' ? reply.startdate.slice(0, 10) : from;
    const endDay = typeof reply.enddate === 'string' ? reply.enddate.slice(0, 10) : to;
    // WHMCS fills days past the end date when the range is shorter than its loop; keep the range.
    const rows = flatten(reply.statistics, args.include_zero).filter(
      (row) =>
        isCalendarDay(row.date) &&
        (startDay === undefined || row.date >= startDay) &&
        (endDay === undefined || row.date <= endDay) &&
        (args.task === undefined ||
          `${row.task}.${row.metric}`.toLowerCase().startsWith(args.task.toLowerCase())),
    );
    const now = toDate(reply.currentDatetime);
    const lastCron = toDate(reply.lastDailyCronInvocationTime);
    const hours = now !== null && lastCron !== null ? hoursBetween(lastCron, now) : null;
    return {
      ...pageOf(rows, args.offset, args.limit),
      current_datetime: now,
      last_daily_cron: lastCron,
      daily_cron_overdue:
        lastCron === null ? now !== null : hours === null ? null : hours > DAILY_CRON_GRACE_HOURS,
      date_from: toDate(reply.startdate),
      date_to: toDate(reply.enddate),
    };
  },
  summarize(output) {
    const cron =
      output.last_daily_cron === null
        ? 'the daily cron has never run'
        : `daily cron last ran ${output.last_daily_cron}${output.daily_cron_overdue ? ' (OVERDUE)' : ''}`;
    return `${output.total} automation row(s) from ${output.date_from ?? '?'} to ${output.date_to ?? '?'}; ${cron}.`;
  },
});
