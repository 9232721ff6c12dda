/**
 * Every tool the server knows, as one array. Adding a tool means adding its declaration to its
 * area's index; the server, policy, snapshot and docs all read this list.
 */
import { billingTools } from './billing/index.js';
import { clientsTools } from './clients/index.js';
import type { AnyToolDefinition } from './define.js';
import { domainsTools } from './domains/index.js';
import { genericTools } from './generic/index.js';
import { ordersTools } from './orders/index.js';
import { reportsTools } from './reports/index.js';
import { servicesTools } from './services/index.js';
import { supportTools } from './support/index.js';
import { systemTools } from './system/index.js';
import { writesTools } from './writes/index.js';

export const ALL_TOOLS: readonly AnyToolDefinition[] = [
  ...clientsTools,
  ...billingTools,
  ...ordersTools,
  ...servicesTools,
  ...domainsTools,
  ...supportTools,
  ...systemTools,
  ...reportsTools,
  ...genericTools,
  ...writesTools,
];
