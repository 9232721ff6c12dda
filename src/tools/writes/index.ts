import type { AnyToolDefinition } from '../define.js';
import { billingWriteTools } from './billing.js';
import { clientWriteTools } from './clients.js';
import { domainWriteTools } from './domains.js';
import { intentTools } from './intent-tools.js';
import { orderWriteTools, serviceWriteTools } from './orders-services.js';
import { supportWriteTools } from './support.js';

/**
 * The intent tools (toolset 'writes') and the write façades (toolset: their area), in the order
 * tools/list shows them. Every one is kind 'write': read_only mode neither lists nor runs them.
 */
export const writesTools: readonly AnyToolDefinition[] = [
  ...intentTools,
  ...clientWriteTools,
  ...billingWriteTools,
  ...orderWriteTools,
  ...serviceWriteTools,
  ...domainWriteTools,
  ...supportWriteTools,
];
