import type { AnyToolDefinition } from '../define.js';

/** The support tools, in the order tools/list shows them. */
export const supportTools: readonly AnyToolDefinition[] = [];
