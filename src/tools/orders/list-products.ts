/**
 * list_products: the product catalogue (GetProducts) with prices per currency and billing cycle.
 * GetProducts has no paging, so the list is filtered again and paged here. Only declared fields
 * leave: product module settings (which can hold server credentials) never do.
 */
import { z } from 'zod';
import type { WhmcsParams } from '../../whmcs/encode.js';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { boundedText, entityId, listOutput, pageOf, pagingInput } from '../schemas.js';
import { rowsOf } from '../shared/fields.js';
import { describeProductPrice, productSchema, projectProduct } from './projections.js';

const input = z.strictObject({
  group_id: entityId('Only products in this product group.').optional(),
  product_id: entityId('Only this product.').optional(),
  module: boundedText('Only products provisioned by this module ("cpanel").', 64).optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'expected a three-letter currency code')
    .optional()
    .describe('Only prices in this currency ("USD"); all configured currencies by default.'),
  ...pagingInput,
});

export const listProducts = defineTool({
  name: 'list_products',
  title: 'List products and prices',
  description: [
    'Lists the products clients can order: name, group, type, description, provisioning module, and prices',
    'per currency and billing cycle as exact amounts with setup fees (cycles not offered are left out; free',
    'products have no prices), plus configurable options with their added prices and the custom fields an',
    'order asks for. Filter by group_id, product_id or module; pass currency to get prices in one currency.',
  ].join(' '),
  toolset: 'orders',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['GetProducts'],
  input,
  output: listOutput(productSchema),
  async handler(args, ctx) {
    const params: WhmcsParams = {
      ...(args.group_id === undefined ? {} : { gid: args.group_id }),
      ...(args.product_id === undefined ? {} : { pid: args.product_id }),
      ...(args.module === undefined ? {} : { module: args.module }),
    };
    const reply = await ctx.whmcs.call('GetProducts', params);
    const page = pageOf(
      rowsOf(reply.products).filter(
        (row) =>
          (args.group_id === undefined || toInt(row.gid) === args.group_id) &&
          (args.product_id === undefined || (toInt(row.pid) ?? toInt(row.id)) === args.product_id) &&
          (args.module === undefined ||
            (typeof row.module === 'string' &&
              row.module.toLowerCase() === args.module.trim().toLowerCase())),
      ),
      args.offset,
      args.limit,
    );
    const currency = args.currency?.toUpperCase();
    const items = page.items.map(projectProduct);
    if (currency === undefined) return { ...page, items };
    return {
      ...page,
      items: items.map((product) => ({
        ...product,
        pricing: product.pricing.filter((price) => price.currency.toUpperCase() === currency),
        config_options: product.config_options.map((option) => ({
          ...option,
          choices: option.choices.map((choice) => ({
            ...choice,
            pricing: choice.pricing.filter((price) => price.currency.toUpperCase() === currency),
          })),
        })),
      })),
    };
  },
  summarize(result) {
    const shown = result.items
      .slice(0, 5)
      .map((product) => `${product.name} (${describeProductPrice(product)})`);
    const rest = result.items.length > shown.length ? `, and ${result.items.length - shown.length} more` : '';
    const more = result.has_more ? `; next page at offset ${String(result.next_offset)}` : '';
    return `${result.count} of ${result.total} product(s)${shown.length ? `: ${shown.join('; ')}${rest}` : ''}${more}.`;
  },
});
