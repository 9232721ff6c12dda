import { z } from 'zod';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId, listOutput, pagingInput, type ListPage } from '../schemas.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { loadClient } from '../shared/ownership.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import type { Row } from '../shared/fields.js';
import {
  projectServiceSummary,
  serviceStatusFilter,
  serviceSummarySchema,
  type ServiceSummary,
} from './projections.js';

async function withCurrencies(
  currencyLookup: Currencies,
  page: ListPage<Row>,
): Promise<ListPage<ServiceSummary>> {
  const currencies = await currencyLookup.forClients(page.items.map((row) => toInt(row.clientid)));
  const items = page.items.map((row) =>
    projectServiceSummary(row, currencies.get(toInt(row.clientid) ?? 0) ?? null),
  );
  return { ...page, items };
}

function sameStatus(value: unknown, status: string): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === status.toLowerCase();
}

function summarizeServices(page: ListPage<ServiceSummary>, scope: string): string {
  const estimate = page.total_is_estimate ? 'at least ' : '';
  const more = page.has_more ? `; next page at offset ${String(page.next_offset)}` : '';
  const byStatus = new Map<string, number>();
  for (const service of page.items) byStatus.set(service.status, (byStatus.get(service.status) ?? 0) + 1);
  const statuses = [...byStatus].map(([status, count]) => `${count} ${status}`).join(', ');
  return `${page.count} of ${estimate}${page.total} service(s) ${scope}${statuses ? ` (${statuses})` : ''}${more}.`;
}

export const listServices = defineTool({
  name: 'list_services',
  title: 'List services across all clients',
  description:
    "Services (hosting accounts, VPS, other products) across every client, optionally only one status and/or one product, with paging. Each item has the client id, product, domain, status, billing cycle, amounts in the client's currency and next due date. WHMCS cannot filter by status itself, so a status filter scans and filters here; on very large installations the total may be a lower bound (total_is_estimate). For one client's services use list_client_services.",
  toolset: 'services',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetClientsProducts', ...CURRENCY_ACTIONS],
  input: z.strictObject({
    status: serviceStatusFilter.optional(),
    product_id: entityId('Only services of this product (product id, as in the product catalog).').optional(),
    ...pagingInput,
  }),
  output: listOutput(serviceSummarySchema),
  async handler(input, ctx) {
    const productId = input.product_id;
    const status = input.status;
    // GetClientsProducts filters by product but not by status: a status filter is a scan.
    const page = await listPage({
      read: actionPages(
        ctx,
        'GetClientsProducts',
        productId === undefined ? {} : { pid: productId },
        'products',
      ),
      keep: (row) =>
        (productId === undefined || toInt(row.pid) === productId) &&
        (status === undefined || sameStatus(row.status, status)),
      serverAppliesAllFilters: status === undefined,
      offset: input.offset,
      limit: input.limit,
      noun: 'services',
      narrowHint: 'add product_id to narrow the search, or use list_client_services',
      logger: ctx.logger,
    });
    return withCurrencies(new Currencies(ctx), page);
  },
  summarize(page) {
    return summarizeServices(page, 'across clients');
  },
});

export const listClientServices = defineTool({
  name: 'list_client_services',
  title: "List a client's services",
  description:
    "One client's services (hosting accounts, VPS, other products), optionally only one status, with paging: product, domain, status, billing cycle, amounts in the client's currency, next due date. Use get_service_details for server, addons, options and custom fields of one service.",
  toolset: 'services',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsProducts', ...CURRENCY_ACTIONS],
  input: z.strictObject({
    client_id: entityId('The client id.'),
    status: serviceStatusFilter.optional(),
    ...pagingInput,
  }),
  output: listOutput(serviceSummarySchema),
  async handler(input, ctx) {
    const client = await loadClient(ctx, input.client_id);
    const currencies = new Currencies(ctx);
    currencies.rememberClient(input.client_id, client);
    const status = input.status;
    // The client filter is checked on every row, so a WHMCS that ignored it can never leak.
    const page = await listPage({
      read: actionPages(ctx, 'GetClientsProducts', { clientid: input.client_id }, 'products'),
      keep: (row) =>
        toInt(row.clientid) === input.client_id && (status === undefined || sameStatus(row.status, status)),
      serverAppliesAllFilters: status === undefined,
      offset: input.offset,
      limit: input.limit,
      noun: 'services',
      narrowHint: 'filter by status',
      logger: ctx.logger,
    });
    return withCurrencies(currencies, page);
  },
  summarize(page) {
    return summarizeServices(page, 'for this client');
  },
});
