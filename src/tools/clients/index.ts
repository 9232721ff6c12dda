import type { AnyToolDefinition } from '../define.js';

/** The clients tools, in the order tools/list shows them. */
export const clientsTools: readonly AnyToolDefinition[] = [];
