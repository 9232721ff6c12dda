/**
 * get_renewal_snapshot: what of one client's comes up for renewal in the next N days: services and
 * addons by next due date, domains by next due date or expiry, with the renewal value per currency.
 */
import { z } from 'zod';
import { amountsByCurrency, sumByCurrency } from '../billing/projections.js';
import { defineTool } from '../define.js';
import { domainSchema, projectDomain } from '../domains/projections.js';
import { entityId } from '../schemas.js';
import {
  projectServiceAddon,
  projectServiceSummary,
  serviceAddonSchema,
  serviceSummarySchema,
} from '../services/projections.js';
import {
  CLIENT_CORE_ACTIONS,
  assertClientInScope,
  loadAddonRows,
  loadClientCore,
  loadDomainRows,
  loadServiceRows,
} from './client-sections.js';
import { addDays, daysBetween, todayUtc } from '../shared/dates.js';
import { loadSections, partialErrorsOutput } from './sections.js';

/** Statuses that renew: anything else (pending, terminated, cancelled, fraud) is not billed again. */
const RENEWING_SERVICE_STATUSES = new Set(['Active', 'Suspended']);
const RENEWING_DOMAIN_STATUSES = new Set(['Active', 'Grace']);

const dueDays = z.number().int().describe('Days from as_of to the date (0 = today).');

const output = z.object({
  client_id: z.number().int(),
  currency: z.string().nullable(),
  as_of: z.string().describe('Start of the window (today, UTC).'),
  until: z.string().describe('Last day of the window.'),
  days: z.number().int(),
  services: z
    .array(serviceSummarySchema.extend({ days_until_due: dueDays }))
    .nullable()
    .describe('Active or suspended services whose next due date is in the window, soonest first.'),
  addons: z
    .array(serviceAddonSchema.extend({ days_until_due: dueDays }))
    .nullable()
    .describe('Active or suspended addons whose next due date is in the window.'),
  domains: z
    .array(
      domainSchema.extend({
        days_until_due: dueDays.nullable(),
        days_until_expiry: dueDays.nullable(),
      }),
    )
    .nullable()
    .describe('Active or grace-period domains whose next due date or expiry date is in the window.'),
  renewal_value: amountsByCurrency.describe(
    'Recurring amounts of everything listed, per currency (exact). Sections that failed are not included.',
  ),
  domains_auto_renew_off: z
    .number()
    .int()
    .nullable()
    .describe('Listed domains set to "do not renew": they lapse unless someone acts.'),
  total_is_estimate: z
    .boolean()
    .describe('True when the client has more services or domains than one read covers (500).'),
  partial_errors: partialErrorsOutput,
});
type Output = z.infer<typeof output>;

export const getRenewalSnapshot = defineTool({
  name: 'get_renewal_snapshot',
  title: "Client's upcoming renewals",
  description:
    "What of one client's renews within the next `days` days (default 30, 1 to 365): active or suspended services and addons by next due date, and active or grace-period domains by next due date or expiry date, with days to go, the auto-renew flag of each domain, and the renewal value per currency (exact). Use it before a renewal conversation or to spot domains that will lapse. Sections WHMCS could not deliver are null and listed in partial_errors. A missing client (or one outside this session's scope) is not_found.",
  toolset: 'reports',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: [...CLIENT_CORE_ACTIONS, 'GetClientsProducts', 'GetClientsAddons', 'GetClientsDomains'],
  input: z.strictObject({
    client_id: entityId('The client whose renewals to list.'),
    days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe('Window length in days from today (1 to 365, default 30).'),
  }),
  output,
  async handler(input, ctx): Promise<Output> {
    const clientId = input.client_id;
    const today = todayUtc();
    const until = addDays(today, input.days);
    assertClientInScope(ctx, clientId);
    const [core, fetched] = await Promise.all([
      loadClientCore(ctx, clientId),
      loadSections(ctx, {
        services: () => loadServiceRows(ctx, clientId),
        addons: () => loadAddonRows(ctx, clientId),
        domains: () => loadDomainRows(ctx, clientId),
      }),
    ]);
    const { sections, partialErrors } = fetched;
    const currency = core.currency;
    const inWindow = (date: string | null): number | undefined => {
      const days = daysBetween(today, date);
      return days !== undefined && days >= 0 && days <= input.days ? days : undefined;
    };

    const services = sections.services
      ? sections.services.rows
          .map((row) => projectServiceSummary(row, currency))
          .filter((service) => RENEWING_SERVICE_STATUSES.has(service.status))
          .flatMap((service) => {
            const days = inWindow(service.next_due_date);
            return days === undefined ? [] : [{ ...service, days_until_due: days }];
          })
          .sort((left, right) => left.days_until_due - right.days_until_due || left.id - right.id)
      : null;
    const addons = sections.addons
      ? sections.addons.rows
          .map((row) => projectServiceAddon(row, currency))
          .filter((addon) => RENEWING_SERVICE_STATUSES.has(addon.status))
          .flatMap((addon) => {
            const days = inWindow(addon.next_due_date);
            return days === undefined ? [] : [{ ...addon, days_until_due: days }];
          })
          .sort((left, right) => left.days_until_due - right.days_until_due || left.id - right.id)
      : null;
    const domains = sections.domains
      ? sections.domains.rows
          .map((row) => projectDomain(row, currency))
          .filter((domain) => RENEWING_DOMAIN_STATUSES.has(domain.status))
          .flatMap((domain) => {
            const due = inWindow(domain.next_due_date);
            const expiry = inWindow(domain.expiry_date);
            if (due === undefined && expiry === undefined) return [];
            return [{ ...domain, days_until_due: due ?? null, days_until_expiry: expiry ?? null }];
          })
          .sort((left, right) => soonest(left) - soonest(right) || left.id - right.id)
      : null;

    const value: { currency: string | null; amount: string | null }[] = [
      ...(services ?? []).map((service) => ({
        currency: service.currency,
        amount: service.recurring_amount,
      })),
      ...(addons ?? []).map((addon) => ({ currency: addon.currency, amount: addon.recurring_amount })),
      ...(domains ?? []).map((domain) => ({ currency: domain.currency, amount: domain.recurring_amount })),
    ];

    return {
      client_id: clientId,
      currency,
      as_of: today,
      until,
      days: input.days,
      services,
      addons,
      domains,
      renewal_value: sumByCurrency(value),
      domains_auto_renew_off: domains ? domains.filter((domain) => !domain.auto_renew).length : null,
      total_is_estimate: Boolean(sections.services?.truncated || sections.domains?.truncated),
      partial_errors: partialErrors,
    };
  },
  summarize(result) {
    const counts = [
      result.services ? `${result.services.length} service(s)` : null,
      result.addons ? `${result.addons.length} addon(s)` : null,
      result.domains ? `${result.domains.length} domain(s)` : null,
    ].filter(Boolean);
    const value = result.renewal_value.map(
      (entry) => `${entry.amount}${entry.currency ? ` ${entry.currency}` : ''}`,
    );
    const lapsing = result.domains_auto_renew_off
      ? `; ${result.domains_auto_renew_off} domain(s) will not auto-renew`
      : '';
    return `Client ${result.client_id}, renewals ${result.as_of} to ${result.until}: ${counts.join(', ') || 'nothing readable'}${value.length > 0 ? `, worth ${value.join(', ')}` : ''}${lapsing}.`;
  },
});

function soonest(domain: { days_until_due: number | null; days_until_expiry: number | null }): number {
  return Math.min(domain.days_until_due ?? Infinity, domain.days_until_expiry ?? Infinity);
}
