import type { AnyToolDefinition } from '../define.js';

/** The reports tools, in the order tools/list shows them. */
export const reportsTools: readonly AnyToolDefinition[] = [];
