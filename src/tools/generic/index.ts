import type { AnyToolDefinition } from '../define.js';

/** The generic tools, in the order tools/list shows them. */
export const genericTools: readonly AnyToolDefinition[] = [];
