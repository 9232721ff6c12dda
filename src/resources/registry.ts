import { clientLogResource, clientSummaryResource } from './clients.js';
import type { ResourceDefinition } from './define.js';
import { compat9xResource, opsPlaybookResource } from './docs.js';
import { invoiceHistoryResource } from './invoices.js';
import { systemActivityResource } from './system.js';
import { ticketThreadResource } from './tickets.js';

/** Every resource the server serves: five data resources (JSON) and two documents (Markdown). */
export const ALL_RESOURCES: readonly ResourceDefinition[] = [
  clientSummaryResource,
  clientLogResource,
  invoiceHistoryResource,
  ticketThreadResource,
  systemActivityResource,
  opsPlaybookResource,
  compat9xResource,
];
