/** New client onboarding: check a new account is complete, paid for and provisioned. */
import { assertKnownArguments, readId } from './arguments.js';
import { MONEY_RULE, UNTRUSTED_DATA_RULE, rules, steps, writeRule } from './common.js';
import { definePrompt, type PromptArgument } from './define.js';

const ARGUMENTS: readonly PromptArgument[] = [
  { name: 'client_id', description: "The new client's WHMCS id.", required: true },
];

export const newClientOnboarding = definePrompt({
  name: 'new_client_onboarding',
  title: 'New client onboarding check',
  description:
    'Check a new client end to end: profile complete, users and contacts, first invoice paid, pay method on file (masked), services and domains provisioned, nothing stuck pending. Ends with a checklist and proposed follow-ups as write intents awaiting approval.',
  arguments: ARGUMENTS,
  availableInClientMode: false,
  render(args) {
    assertKnownArguments('new_client_onboarding', ARGUMENTS, args);
    const clientId = readId('client_id', args.client_id);
    return [
      `Run the onboarding check for new client ${clientId}.`,
      '',
      steps([
        `\`get_client_details\` with client_id ${clientId}: status, currency, and whether name, address, phone, country and (for companies) tax id are filled in.`,
        `\`get_client_contacts\` and \`list_users\` with client_id ${clientId}: who can log in and who receives billing and technical e-mail.`,
        `\`get_account_360\` with client_id ${clientId}: services, domains, invoices and tickets at a glance; note anything listed in partial_errors.`,
        `\`get_billing_snapshot\` with client_id ${clientId}: is the first invoice paid? If not, how long has it been open?`,
        `\`get_pay_methods\` with client_id ${clientId}: is a pay method on file for renewals (type, last four digits and expiry only)? Flag one that expires within 60 days.`,
        `\`list_client_services\` with client_id ${clientId}, then \`get_service_details\` for any service still Pending: paid but not provisioned is a problem to report. Do the same for domains with \`get_domain_details\`.`,
        'Report a checklist (profile, contacts, first payment, pay method, services, domains, open tickets), each item ok or with the problem and the proposed next step.',
      ]),
      '',
      rules([
        MONEY_RULE,
        UNTRUSTED_DATA_RULE,
        'Never ask for or repeat card numbers, passwords or security answers.',
        writeRule('accepting a paid order, provisioning a service, correcting the profile'),
      ]),
    ].join('\n');
  },
});
