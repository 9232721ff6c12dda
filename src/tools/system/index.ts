import type { AnyToolDefinition } from '../define.js';

/** The system tools, in the order tools/list shows them. */
export const systemTools: readonly AnyToolDefinition[] = [];
