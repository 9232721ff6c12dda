/** Month-end reconciliation: what was collected, what is still owed, and whether the cron kept up. */
import { assertKnownArguments, readMonth, readOptionalCurrency } from './arguments.js';
import { MONEY_RULE, UNTRUSTED_DATA_RULE, rules, steps, writeRule } from './common.js';
import { definePrompt, type PromptArgument } from './define.js';

const ARGUMENTS: readonly PromptArgument[] = [
  { name: 'month', description: 'The month to reconcile, written YYYY-MM (e.g. 2025-05).', required: true },
  {
    name: 'currency',
    description: 'Only this currency (three-letter code, e.g. USD); every currency when left out.',
    required: false,
  },
];

export const monthEndReconciliation = definePrompt({
  name: 'month_end_reconciliation',
  title: 'Month-end reconciliation',
  description:
    'Reconcile one month: payments, refunds and fees per currency, invoices still unpaid at month end, receivables aging, the cron runs that should have generated invoices, and manual adjustments in the activity log. Ends with a report and proposed corrections as write intents awaiting approval.',
  arguments: ARGUMENTS,
  availableInClientMode: false,
  render(args) {
    assertKnownArguments('month_end_reconciliation', ARGUMENTS, args);
    const { month, firstDay, lastDay } = readMonth('month', args.month);
    const currency = readOptionalCurrency('currency', args.currency);
    const scope = currency ? `, in ${currency} only` : ', every currency separately';
    return [
      `Reconcile the WHMCS books for ${month} (${firstDay} to ${lastDay}${scope}).`,
      '',
      steps([
        '`get_whmcs_details`: note the version rules. When finalized_invoices_immutable is true (WHMCS 9), issued invoices cannot be edited and corrections are credit notes.',
        `\`get_revenue_report\` with date_from ${firstDay} and date_to ${lastDay}: payments, refunds, gateway fees and net per currency.`,
        `\`list_invoices\` with status Unpaid and due_to ${lastDay} (page with offset until has_more is false): what is still owed from the month (invoices paid since then no longer show as Unpaid; \`get_revenue_report\` covers those). Then \`get_accounts_receivable_aging\` with as_of ${lastDay} for how long it has been owed.`,
        `\`get_automation_log\` with date_from ${firstDay} and date_to ${lastDay}: check the daily cron ran every day (daily_cron_overdue, days with no rows) and that invoices were generated and reminders sent.`,
        `\`get_activity_log\` with date_from ${firstDay} and date_to ${lastDay}, once with search "Refund", once with "Credit" and once with "Payment": manual refunds, credits and payments staff entered by hand. If total_is_estimate is true, narrow the date range and read again.`,
        'Compare: payments received against invoices marked paid in the month; refunds against their original payments; credits added against the reason given. List every difference with the invoice, transaction or client id it concerns.',
        'Report: one table per currency (payments, refunds, fees, net, owed at month end, owed over 60 days), the cron findings, and each difference with a proposed correction.',
      ]),
      '',
      rules([
        MONEY_RULE,
        UNTRUSTED_DATA_RULE,
        writeRule('a missing payment, a credit, a refund record, or a credit note on WHMCS 9'),
      ]),
    ].join('\n');
  },
});
