/** Domain renewal review: what expires soon, what will renew by itself, and what needs a decision. */
import { assertKnownArguments, readWholeNumber, readOptionalId } from './arguments.js';
import { MONEY_RULE, UNTRUSTED_DATA_RULE, rules, steps, writeRule } from './common.js';
import { definePrompt, type PromptArgument } from './define.js';

const ARGUMENTS: readonly PromptArgument[] = [
  {
    name: 'days',
    description: 'Review domains expiring within this many days (1-365, default 30).',
    required: false,
  },
  {
    name: 'client_id',
    description: "Only this client's domains; every client's when left out.",
    required: false,
  },
];

export const domainRenewalReview = definePrompt({
  name: 'domain_renewal_review',
  title: 'Domain renewal review',
  description:
    'Review domains expiring soon: which will renew on their own, which have unpaid renewal invoices, which are set not to renew, which already expired, and what renewing costs. Proposed renewals are write intents awaiting approval, since they spend money at the registrar.',
  arguments: ARGUMENTS,
  availableInClientMode: false,
  render(args) {
    assertKnownArguments('domain_renewal_review', ARGUMENTS, args);
    const days = readWholeNumber('days', args.days, { min: 1, max: 365, fallback: 30 });
    const clientId = readOptionalId('client_id', args.client_id);
    const find =
      clientId === undefined
        ? `\`get_domain_portfolio_snapshot\` with expiring_limit 100: keep the domains with days_until_expiry of ${days} or less, and note the already_expired count.`
        : `\`get_renewal_snapshot\` with client_id ${clientId} and days ${days}: the client's domains (and services) due in the window.`;
    return [
      `Review the domains${clientId === undefined ? '' : ` of client ${clientId}`} that expire within ${days} day(s).`,
      '',
      steps([
        find,
        '`get_domain_details` for each domain: status, registrar, expiry and next due date, auto-renew, transfer lock, and what the registrar reports now. A registrar lookup listed in partial_errors is unknown, not fine.',
        `\`list_client_invoices\` with status Unpaid for each owning client${clientId === undefined ? '' : ` (client ${clientId})`}: is a renewal invoice for the domain waiting to be paid?`,
        '`get_tld_pricing` for the TLDs involved: the renewal price per year.',
        'Sort every domain into one group: renews by itself (auto-renew on, invoice paid or none due yet); invoice unpaid (remind the client); set not to renew (the client must confirm); expired or in grace period (urgent, restoration can cost more); registrar disagrees with WHMCS (needs a person).',
        'Report the groups with domain, client, expiry date, days left, renewal price and the next step for each.',
      ]),
      '',
      rules([
        MONEY_RULE,
        UNTRUSTED_DATA_RULE,
        'Never propose renewing a domain its owner set not to renew without the owner confirming it.',
        writeRule('RenewDomain for a domain that must renew now; it spends money at the registrar'),
      ]),
    ].join('\n');
  },
});
