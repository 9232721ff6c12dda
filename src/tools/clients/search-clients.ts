import { z } from 'zod';
import { defineTool } from '../define.js';
import { boundedText, listOutput, pagingInput } from '../schemas.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { clientSummarySchema, projectClientSummary } from './projections.js';

export const CLIENT_STATUSES = ['Active', 'Inactive', 'Closed'] as const;

export const searchClients = defineTool({
  name: 'search_clients',
  title: 'Search clients',
  description:
    'Finds client accounts by the start of their first name, last name, full name, company name or email, optionally only those with a given status. Returns one page of short client records (id, name, company, email, status, signup date, group) with paging fields; use get_client_details with an id for the full record. Without a search term it lists all clients in id order.',
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetClients'],
  input: z.strictObject({
    search: boundedText(
      'Text the first name, last name, full name, company name or email starts with (e.g. "ada", "acme", "ada@").',
      100,
    ).optional(),
    status: z.enum(CLIENT_STATUSES).optional().describe('Only clients with this status.'),
    ...pagingInput,
  }),
  output: listOutput(clientSummarySchema),
  async handler(input, ctx) {
    const status = input.status?.toLowerCase();
    const params = {
      ...(input.search === undefined ? {} : { search: input.search }),
      ...(input.status === undefined ? {} : { status: input.status }),
    };
    const page = await listPage({
      read: actionPages(ctx, 'GetClients', params, 'clients'),
      // WHMCS compares statuses without regard to case; so do we.
      keep: (row) => status === undefined || String(row.status ?? '').toLowerCase() === status,
      serverAppliesAllFilters: true,
      offset: input.offset,
      limit: input.limit,
      noun: 'clients',
      narrowHint: 'add a search term',
      logger: ctx.logger,
    });
    return { ...page, items: page.items.map((row) => projectClientSummary(row)) };
  },
  summarize(output) {
    const first = output.items
      .slice(0, 3)
      .map((client) => `${client.id} ${`${client.firstname} ${client.lastname}`.trim()} (${client.status})`)
      .join(', ');
    const total = `${output.total_is_estimate ? 'at least ' : ''}${output.total}`;
    const more = output.has_more ? `; next page at offset ${String(output.next_offset)}` : '';
    const others = output.count > 3 ? ` and ${output.count - 3} more` : '';
    return `${output.count} of ${total} client(s)${first ? `: ${first}${others}` : ''}${more}.`;
  },
});
