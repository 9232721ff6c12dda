import { z } from 'zod';
import { WhmcsMcpError, type ErrorCode } from '../../errors.js';
import { defineTool, type ToolContext } from '../define.js';
import { entityId } from '../schemas.js';
import { Currencies } from '../shared/currencies.js';
import { loadClient } from '../shared/ownership.js';
import { clientDetailsSchema, projectClientDetails, type ClientDetails } from './projections.js';

export const MAX_CLIENT_IDS = 20;

/** Failures that concern one id; anything else (credentials, permissions) fails the whole call. */
const PER_ID_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'not_found',
  'upstream_error',
  'upstream_unavailable',
  'timeout',
  'rate_limited',
]);

const idError = z.object({ code: z.string(), message: z.string() });

async function readClient(
  ctx: ToolContext,
  clientId: number,
  currencies: Currencies,
): Promise<ClientDetails> {
  const reply = await loadClient(ctx, clientId, true);
  return projectClientDetails(reply, {
    customFieldLabels: ctx.settings.clientCustomFieldLabels,
    currencyCode: await currencies.codeFromClientReply(reply),
  });
}

function describeClient(client: ClientDetails): string {
  const name = client.companyname
    ? `${client.fullname} (${client.companyname})`
    : client.fullname || client.email || 'unnamed';
  const currency = client.currency_code ? ` ${client.currency_code}` : '';
  const parts = [`Client ${client.id} ${name}: ${client.status}`];
  if (client.credit_balance !== null) parts.push(`credit ${client.credit_balance}${currency}`);
  const due = client.stats?.invoices.due;
  if (due?.count) parts.push(`${due.count} invoice(s) due${due.amount ? ` ${due.amount}${currency}` : ''}`);
  const overdue = client.stats?.invoices.overdue;
  if (overdue?.count) parts.push(`${overdue.count} overdue`);
  return parts.join(', ');
}

export const getClientDetails = defineTool({
  name: 'get_client_details',
  title: 'Get client details',
  description:
    'Returns the full record of one client (client_id) or of up to 20 clients (client_ids): contact details, status, currency, credit balance, custom fields (labelled when MCP_CLIENT_CUSTOM_FIELD_LABELS names them), email verification, last login, linked users, admin notes, and key statistics (income, invoices due and overdue with their totals, service, domain and ticket counts). Never returns passwords, security answers or card data. With client_ids, each id gets its own entry in `results`: an unknown or inaccessible id gets an error entry and the others still come back.',
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails', 'GetCurrencies'],
  input: z
    .strictObject({
      client_id: entityId('Client id, for one client.').optional(),
      client_ids: z
        .array(entityId('Client id.'))
        .min(1)
        .max(MAX_CLIENT_IDS)
        .optional()
        .describe(`Several client ids (at most ${MAX_CLIENT_IDS}); results come back per id.`),
    })
    .superRefine((value, issues) => {
      if ((value.client_id === undefined) === (value.client_ids === undefined)) {
        issues.addIssue({
          code: 'custom',
          path: ['client_id'],
          message: 'give exactly one of client_id or client_ids',
        });
      }
    }),
  output: z.object({
    client: clientDetailsSchema.optional().describe('The client, when called with client_id.'),
    results: z
      .array(
        z.object({
          client_id: z.number().int(),
          client: clientDetailsSchema.optional(),
          error: idError
            .optional()
            .describe('Why this id has no client (not_found for unknown or inaccessible ids).'),
        }),
      )
      .optional()
      .describe('When called with client_ids: one entry per distinct id, in the order given.'),
  }),
  async handler(input, ctx) {
    const currencies = new Currencies(ctx);
    if (input.client_id !== undefined) return { client: await readClient(ctx, input.client_id, currencies) };
    const ids = [...new Set(input.client_ids ?? [])];
    const results = await Promise.all(
      ids.map(async (clientId) => {
        try {
          return { client_id: clientId, client: await readClient(ctx, clientId, currencies) };
        } catch (error) {
          if (!(error instanceof WhmcsMcpError) || !PER_ID_ERRORS.has(error.code)) throw error;
          return { client_id: clientId, error: { code: error.code, message: error.message } };
        }
      }),
    );
    return { results };
  },
  summarize(output) {
    if (output.client) return `${describeClient(output.client)}.`;
    const results = output.results ?? [];
    const found = results.filter((entry) => entry.client !== undefined);
    const missing = results.filter((entry) => entry.client === undefined).map((entry) => entry.client_id);
    const lines = [
      `${found.length} of ${results.length} client(s) found${missing.length ? `; not found or failed: ${missing.join(', ')}` : ''}.`,
    ];
    for (const entry of found.slice(0, 5)) if (entry.client) lines.push(`${describeClient(entry.client)}.`);
    return lines.join('\n');
  },
});
