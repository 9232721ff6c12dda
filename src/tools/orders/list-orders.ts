/**
 * list_orders (every client, admin only) and list_client_orders (one client, client mode too):
 * GetOrders newest first, with the status filter sent to WHMCS and checked again here. GetOrders
 * shows amounts with the currency's symbols only, so the code comes from GetCurrencies.
 */
import { z } from 'zod';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool, type ToolContext } from '../define.js';
import { boundedText, entityId, listOutput, pagingInput, type ListPage } from '../schemas.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { loadClient } from '../shared/ownership.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import { formatAmounts, sumByCurrency } from '../billing/projections.js';
import {
  orderHasStatus,
  orderSchema,
  projectOrder,
  STANDARD_ORDER_STATUSES,
  type OrderOutput,
} from './projections.js';

const statusInput = boundedText(
  `Only orders with this status: ${STANDARD_ORDER_STATUSES.join(', ')}, or a status this installation added.`,
  50,
).optional();

/** One page of orders matching the filters, projected, with currency codes resolved. */
async function ordersPage(
  ctx: ToolContext,
  args: { status?: string | undefined; limit: number; offset: number },
  currencies: Currencies,
  clientId?: number,
): Promise<ListPage<OrderOutput>> {
  const params = {
    ...(args.status === undefined ? {} : { status: args.status.trim() }),
    ...(clientId === undefined ? {} : { userid: clientId }),
  };
  const page = await listPage({
    read: actionPages(ctx, 'GetOrders', params, 'orders'),
    keep: (row) => {
      const ownerId = toInt(row.userid);
      if (clientId !== undefined && ownerId !== clientId) return false;
      if (!ctx.scope.allows(ownerId)) return false;
      return args.status === undefined || orderHasStatus(row, args.status);
    },
    serverAppliesAllFilters: true,
    offset: args.offset,
    limit: args.limit,
    noun: 'orders',
    narrowHint: 'add a status filter or list one client with list_client_orders',
    logger: ctx.logger,
  });
  const items: OrderOutput[] = [];
  for (const row of page.items) {
    const currency =
      (await currencies.codeForDisplay(row.currencyprefix, row.currencysuffix)) ??
      (await currencies.forClient(clientId ?? null));
    items.push(projectOrder(row, currency));
  }
  return { ...page, items };
}

const ordersList = listOutput(orderSchema);

function summarizeOrders(result: z.output<typeof ordersList>): string {
  const orders = result.items as OrderOutput[];
  const totals = formatAmounts(
    sumByCurrency(orders.map((order) => ({ currency: order.currency, amount: order.amount }))),
  );
  const estimate = result.total_is_estimate === true ? ' (at least)' : '';
  const more = result.has_more ? `; next page at offset ${String(result.next_offset)}` : '';
  return `${result.count} of ${result.total}${estimate} order(s) from offset ${result.offset}, totalling ${totals} on this page${more}.`;
}

export const listOrders = defineTool({
  name: 'list_orders',
  title: 'List orders across clients',
  description: [
    'Lists orders across all clients (admin only), newest first: order number, client, date, status, amount',
    'with the currency code, payment method and payment status, the invoice, and the line items (services,',
    'addons and domains ordered). Filter by status (Pending, Active, Cancelled, Fraud, or a custom status).',
    "The client's checkout notes are marked untrusted.",
  ].join(' '),
  toolset: 'orders',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetOrders', ...CURRENCY_ACTIONS],
  input: z.strictObject({ status: statusInput, ...pagingInput }),
  output: ordersList,
  async handler(args, ctx) {
    return ordersPage(ctx, args, new Currencies(ctx));
  },
  summarize: summarizeOrders,
});

export const listClientOrders = defineTool({
  name: 'list_client_orders',
  title: "List a client's orders",
  description: [
    "Lists one client's orders, newest first: order number, date, status, amount with the currency code,",
    'payment method and payment status, the invoice, and the line items (services, addons and domains',
    'ordered). Filter by status (Pending, Active, Cancelled, Fraud, or a custom status). Checkout notes are',
    'marked untrusted.',
  ].join(' '),
  toolset: 'orders',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetOrders', ...CURRENCY_ACTIONS],
  input: z.strictObject({
    client_id: entityId('The client whose orders to list.'),
    status: statusInput,
    ...pagingInput,
  }),
  output: ordersList,
  async handler(args, ctx) {
    const currencies = new Currencies(ctx);
    currencies.rememberClient(args.client_id, await loadClient(ctx, args.client_id));
    return ordersPage(ctx, args, currencies, args.client_id);
  },
  summarize: summarizeOrders,
});
