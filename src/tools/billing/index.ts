import type { AnyToolDefinition } from '../define.js';

/** The billing tools, in the order tools/list shows them. */
export const billingTools: readonly AnyToolDefinition[] = [];
