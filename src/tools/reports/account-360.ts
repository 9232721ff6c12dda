/**
 * get_account_360: everything about one client in one call. The client read is the core (a missing
 * or foreign client fails the call); services, domains, invoices with balances, open tickets and
 * recent activity are fetched concurrently and a failed one is reported in partial_errors.
 */
import { z } from 'zod';
import { currencyAmount, invoiceSummarySchema } from '../billing/projections.js';
import { clientSummarySchema } from '../clients/projections.js';
import { defineTool } from '../define.js';
import { domainSchema, projectDomain } from '../domains/projections.js';
import { entityId } from '../schemas.js';
import { projectServiceSummary, serviceSummarySchema } from '../services/projections.js';
import { projectTicketSummary, ticketSummarySchema } from '../support/projections.js';
import { activityEntrySchema, newestFirst, projectActivityEntry } from '../shared/activity.js';
import {
  CLIENT_CORE_ACTIONS,
  amountsAreBalancesField,
  assertClientInScope,
  loadClientCore,
  loadDomainRows,
  loadOpenTicketRows,
  loadServiceRows,
  loadTransactionRows,
  loadUnpaidInvoiceRows,
  receivableTotalsSchema,
  summarizeReceivables,
} from './client-sections.js';
import { todayUtc } from '../shared/dates.js';
import { loadSections, partialErrorsOutput } from './sections.js';
import { toInt } from '../../whmcs/normalize.js';
import { rowsOf } from '../shared/fields.js';

/** Items each section lists; counts always cover everything read. */
const SECTION_ITEMS = 50;
const RECENT_ACTIVITY = 10;

const statusCount = z.object({ status: z.string(), count: z.number().int() });

const countedSection = <Item extends z.ZodType>(item: Item, noun: string) =>
  z.object({
    total: z.number().int().describe(`All ${noun} of the client that were read.`),
    total_is_estimate: z.boolean().describe('True when the client has more than one section reads (500).'),
    by_status: z.array(statusCount),
    items: z.array(item).describe(`Up to ${SECTION_ITEMS} ${noun}, active ones first.`),
  });

const output = z.object({
  client: clientSummarySchema,
  credit_balance: currencyAmount.nullable().describe("Credit on the client's account, in its currency."),
  services: countedSection(serviceSummarySchema, 'services').nullable(),
  domains: countedSection(domainSchema, 'domains').nullable(),
  invoices: z
    .object({
      totals: z.array(receivableTotalsSchema).describe('Owed per currency; never added across currencies.'),
      amounts_are_balances: amountsAreBalancesField,
      items: z
        .array(invoiceSummarySchema)
        .describe(`Unpaid invoices, earliest due first (up to ${SECTION_ITEMS}).`),
      total_is_estimate: z.boolean(),
    })
    .nullable(),
  tickets: z
    .object({
      open_count: z.number().int(),
      items: z
        .array(ticketSummarySchema)
        .describe(`Open tickets, latest activity first (up to ${SECTION_ITEMS}).`),
      total_is_estimate: z.boolean(),
    })
    .nullable(),
  recent_activity: z
    .array(activityEntrySchema)
    .nullable()
    .describe(`The latest ${RECENT_ACTIVITY} activity log entries about the client, newest first.`),
  partial_errors: partialErrorsOutput,
});
type Output = z.infer<typeof output>;

const ACTIVE_FIRST = ['Active', 'Suspended', 'Pending', 'Grace', 'Redemption'];

function rank(status: string): number {
  const index = ACTIVE_FIRST.indexOf(status);
  return index === -1 ? ACTIVE_FIRST.length : index;
}

function countByStatus(items: readonly { status: string }[]): z.infer<typeof statusCount>[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([left], [right]) => rank(left) - rank(right) || left.localeCompare(right))
    .map(([status, count]) => ({ status, count }));
}

function counted<Item extends { id: number; status: string }>(items: Item[], truncated: boolean) {
  const ordered = [...items].sort(
    (left, right) => rank(left.status) - rank(right.status) || left.id - right.id,
  );
  return {
    total: items.length,
    total_is_estimate: truncated,
    by_status: countByStatus(items),
    items: ordered.slice(0, SECTION_ITEMS),
  };
}

export const getAccount360 = defineTool({
  name: 'get_account_360',
  title: 'Client account overview (360)',
  description:
    "One client's whole account in one call: profile summary, credit balance, services and domains (counts by status and the active ones), unpaid and overdue invoices with exact balances per currency, open tickets, and recent activity. Use it first when a question is about one client; drill down with the per-area tools afterwards. Sections WHMCS could not deliver are null and listed in partial_errors; the rest is complete. A missing client (or one outside this session's scope) is not_found.",
  toolset: 'reports',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: [
    ...CLIENT_CORE_ACTIONS,
    'GetClientsProducts',
    'GetClientsDomains',
    'GetInvoices',
    'GetTransactions',
    'GetTickets',
    'GetActivityLog',
  ],
  input: z.strictObject({ client_id: entityId('The client to describe.') }),
  output,
  async handler(input, ctx): Promise<Output> {
    const clientId = input.client_id;
    const today = todayUtc();
    assertClientInScope(ctx, clientId);
    const [core, fetched] = await Promise.all([
      loadClientCore(ctx, clientId),
      loadSections(ctx, {
        services: () => loadServiceRows(ctx, clientId),
        domains: () => loadDomainRows(ctx, clientId),
        invoices: () => loadUnpaidInvoiceRows(ctx, clientId),
        payments: () => loadTransactionRows(ctx, clientId),
        tickets: () => loadOpenTicketRows(ctx, clientId),
        recent_activity: async () => {
          const reply = await ctx.whmcs.call('GetActivityLog', {
            clientid: clientId,
            limitstart: 0,
            limitnum: RECENT_ACTIVITY,
          });
          return newestFirst(
            rowsOf(reply.activity)
              .filter((row) => toInt(row.clientId ?? row.userid) === clientId)
              .slice(0, RECENT_ACTIVITY)
              .map(projectActivityEntry),
          );
        },
      }),
    ]);
    const { sections, partialErrors } = fetched;
    const currency = core.currency;

    let invoices: Output['invoices'] = null;
    if (sections.invoices) {
      const receivables = summarizeReceivables(sections.invoices.rows, sections.payments, currency, today);
      invoices = {
        totals: receivables.totals,
        amounts_are_balances: receivables.amountsAreBalances,
        items: receivables.invoices.slice(0, SECTION_ITEMS),
        total_is_estimate: sections.invoices.truncated,
      };
    }
    const tickets = sections.tickets
      ? {
          open_count: sections.tickets.rows.length,
          items: sections.tickets.rows
            .map((row) => projectTicketSummary(row))
            .sort((left, right) => (right.last_reply_at ?? '').localeCompare(left.last_reply_at ?? ''))
            .slice(0, SECTION_ITEMS),
          total_is_estimate: sections.tickets.truncated,
        }
      : null;

    return {
      client: core.summary,
      credit_balance: core.creditBalance === null ? null : { currency, amount: core.creditBalance },
      services: sections.services
        ? counted(
            sections.services.rows.map((row) => projectServiceSummary(row, currency)),
            sections.services.truncated,
          )
        : null,
      domains: sections.domains
        ? counted(
            sections.domains.rows.map((row) => projectDomain(row, currency)),
            sections.domains.truncated,
          )
        : null,
      invoices,
      tickets,
      recent_activity: sections.recent_activity,
      partial_errors: partialErrors,
    };
  },
  summarize(result) {
    const client = result.client;
    const name = client.companyname || `${client.firstname} ${client.lastname}`.trim();
    const parts = [`Client ${client.id} ${name} (${client.status})`];
    if (result.services) parts.push(`${result.services.total} service(s)`);
    if (result.domains) parts.push(`${result.domains.total} domain(s)`);
    if (result.invoices) {
      const owed = result.invoices.totals
        .map((total) => `${total.unpaid_amount}${total.currency ? ` ${total.currency}` : ''}`)
        .join(', ');
      const count = result.invoices.totals.reduce((sum, total) => sum + total.unpaid_count, 0);
      parts.push(`${count} unpaid invoice(s)${count > 0 ? ` (${owed} owed)` : ''}`);
    }
    if (result.tickets) parts.push(`${result.tickets.open_count} open ticket(s)`);
    if (result.credit_balance) {
      parts.push(
        `credit ${result.credit_balance.amount}${result.credit_balance.currency ? ` ${result.credit_balance.currency}` : ''}`,
      );
    }
    const missing = result.partial_errors.map((error) => error.section);
    return `${parts.join(', ')}.${missing.length > 0 ? ` Missing: ${missing.join(', ')}.` : ''}`;
  },
});
