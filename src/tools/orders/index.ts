import type { AnyToolDefinition } from '../define.js';

/** The orders tools, in the order tools/list shows them. */
export const ordersTools: readonly AnyToolDefinition[] = [];
