import type { AnyToolDefinition } from '../define.js';
import { listClientOrders, listOrders } from './list-orders.js';
import { listProducts } from './list-products.js';

/** The orders tools, in the order tools/list shows them. */
export const ordersTools: readonly AnyToolDefinition[] = [listProducts, listClientOrders, listOrders];
