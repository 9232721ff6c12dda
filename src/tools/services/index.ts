import type { AnyToolDefinition } from '../define.js';

/** The services tools, in the order tools/list shows them. */
export const servicesTools: readonly AnyToolDefinition[] = [];
