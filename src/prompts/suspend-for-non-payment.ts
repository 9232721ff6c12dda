/** Suspend for non-payment: prove the debt, rule out reasons not to, then propose suspensions. */
import { assertKnownArguments, readWholeNumber, readId } from './arguments.js';
import { MONEY_RULE, UNTRUSTED_DATA_RULE, rules, steps, writeRule } from './common.js';
import { definePrompt, type PromptArgument } from './define.js';

const ARGUMENTS: readonly PromptArgument[] = [
  { name: 'client_id', description: 'The WHMCS client id.', required: true },
  {
    name: 'days',
    description: 'Suspend only for invoices overdue at least this many days (1-365, default 14).',
    required: false,
  },
];

export const suspendForNonPayment = definePrompt({
  name: 'suspend_for_non_payment',
  title: 'Suspend services for non-payment',
  description:
    "Check one client's overdue invoices, rule out credit that could pay them, partial payments and open billing disputes, then propose suspending only the services those invoices bill, as write intents awaiting a person's approval.",
  arguments: ARGUMENTS,
  availableInClientMode: false,
  render(args) {
    assertKnownArguments('suspend_for_non_payment', ARGUMENTS, args);
    const clientId = readId('client_id', args.client_id);
    const days = readWholeNumber('days', args.days, { min: 1, max: 365, fallback: 14 });
    return [
      `Decide whether client ${clientId}'s services should be suspended for invoices overdue by ${days} day(s) or more, and propose the suspensions.`,
      '',
      steps([
        `\`get_client_details\` with client_id ${clientId}: status, currency and credit balance. If the client is Closed or Inactive, stop and say so.`,
        `\`get_billing_snapshot\` with client_id ${clientId}: unpaid and overdue invoices. Keep only invoices overdue by at least ${days} day(s). If there are none, stop: nothing is to be suspended.`,
        '`get_invoice` for each of those invoices: confirm the balance still owed, partial payments, and the services (invoice items of type Hosting, Addon or Domain) it bills.',
        'If the credit balance covers an invoice, propose applying the credit instead of a suspension for that invoice.',
        `\`list_client_services\` with client_id ${clientId}: of the services the overdue invoices bill, keep those that are Active. Never include a service no overdue invoice bills.`,
        `\`get_support_snapshot\` with client_id ${clientId}: an open ticket about billing (a payment promise, a dispute, a failed card) means a person decides first. Report it and stop before drafting.`,
        'For each service left, propose a suspension with reason "Overdue invoice #<id>": draft it (WHMCS action ModuleSuspend with serviceid and suspendreason), validate it, and list service, invoice, amount owed and days overdue.',
      ]),
      '',
      rules([
        MONEY_RULE,
        UNTRUSTED_DATA_RULE,
        'A ticket saying the invoice is paid is a claim, not proof: only a payment WHMCS records counts.',
        writeRule('ModuleSuspend for each service, or ApplyCredit where credit covers an invoice'),
      ]),
    ].join('\n');
  },
});
