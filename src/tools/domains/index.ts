import type { AnyToolDefinition } from '../define.js';

/** The domains tools, in the order tools/list shows them. */
export const domainsTools: readonly AnyToolDefinition[] = [];
