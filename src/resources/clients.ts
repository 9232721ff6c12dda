/**
 * Client resources: whmcs://clients/{id}/summary (profile, credit and WHMCS's own counts, from one
 * GetClientsDetails call) and whmcs://clients/{id}/log (the client's latest activity log entries).
 * Both resolve the client through the ownership loader: a foreign id reads as a missing one.
 */
import { z } from 'zod';
import { asList, toInt } from '../whmcs/normalize.js';
import { currencyAmount } from '../tools/billing/projections.js';
import { clientStatsSchema, clientSummarySchema, projectClientStats } from '../tools/clients/projections.js';
import { activityEntrySchema, newestFirst, projectActivityEntry } from '../tools/shared/activity.js';
import { CLIENT_CORE_ACTIONS, loadClientCore } from '../tools/reports/client-sections.js';
import { assertClientVisible } from '../tools/shared/ownership.js';
import { completeClientId } from './completion.js';
import { defineResource } from './define.js';
import { idOf, renderJson } from './render.js';

const LOG_ENTRIES = 50;

const summarySchema = z.object({
  client: clientSummarySchema,
  credit_balance: currencyAmount.nullable(),
  stats: clientStatsSchema
    .nullable()
    .describe('Counts and amounts as WHMCS computes them (invoices by status, services, domains, tickets).'),
});

const logSchema = z.object({
  client_id: z.number().int(),
  total: z
    .number()
    .int()
    .nullable()
    .describe(
      'Entries WHMCS holds for the client; null when WHMCS did not filter by client and could not count.',
    ),
  entries: z.array(activityEntrySchema).describe(`The latest ${LOG_ENTRIES} entries, newest first.`),
});

export const clientSummaryResource = defineResource({
  name: 'client-summary',
  title: 'Client summary',
  description:
    "A client's profile summary, credit balance and WHMCS's own counts (invoices by status with amounts, services, domains, tickets, quotes), as JSON. For sections with details (invoices with balances, tickets, renewals) call get_account_360.",
  uriTemplate: 'whmcs://clients/{id}/summary',
  mimeType: 'application/json',
  toolset: 'clients',
  clientMode: 'owned',
  whmcsActions: [...CLIENT_CORE_ACTIONS, 'GetClients'],
  async read(variables, ctx) {
    const clientId = idOf(variables);
    const core = await loadClientCore(ctx, clientId, true);
    const stats = core.reply.stats;
    return renderJson(ctx, `whmcs://clients/${clientId}/summary`, summarySchema, {
      client: core.summary,
      credit_balance:
        core.creditBalance === null ? null : { currency: core.currency, amount: core.creditBalance },
      stats:
        typeof stats === 'object' && stats !== null
          ? projectClientStats(stats as Record<string, unknown>)
          : null,
    });
  },
  complete: (variable, prefix, ctx) =>
    variable === 'id' ? completeClientId(ctx, prefix) : Promise.resolve([]),
});

export const clientLogResource = defineResource({
  name: 'client-log',
  title: 'Client activity log',
  description: `The latest ${LOG_ENTRIES} activity log entries about a client (logins, changes, payments, module actions), newest first, as JSON. Descriptions can quote customer-written text and are marked untrusted.`,
  uriTemplate: 'whmcs://clients/{id}/log',
  mimeType: 'application/json',
  toolset: 'clients',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails', 'GetActivityLog', 'GetClients'],
  async read(variables, ctx) {
    const clientId = idOf(variables);
    await assertClientVisible(ctx, clientId);
    const reply = await ctx.whmcs.call('GetActivityLog', {
      clientid: clientId,
      limitstart: 0,
      limitnum: LOG_ENTRIES,
    });
    const sent = asList(reply.activity) as Record<string, unknown>[];
    const rows = sent.filter((row) => toInt(row.clientId ?? row.userid) === clientId);
    // WHMCS's count is the client's only when every row it sent belongs to the client.
    const total = rows.length === sent.length ? (toInt(reply.totalresults) ?? rows.length) : null;
    return renderJson(ctx, `whmcs://clients/${clientId}/log`, logSchema, {
      client_id: clientId,
      total,
      entries: newestFirst(rows.slice(0, LOG_ENTRIES).map(projectActivityEntry)),
    });
  },
  complete: (variable, prefix, ctx) =>
    variable === 'id' ? completeClientId(ctx, prefix) : Promise.resolve([]),
});
