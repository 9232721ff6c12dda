import type { AnyToolDefinition } from '../define.js';
import { getServiceDetails } from './get-service-details.js';
import { listClientServices, listServices } from './list-services.js';

/** The services tools, in the order tools/list shows them. */
export const servicesTools: readonly AnyToolDefinition[] = [
  getServiceDetails,
  listClientServices,
  listServices,
];
