import type { AnyToolDefinition } from '../define.js';
import { getActivityLog } from './activity-log.js';
import { getAutomationLog } from './automation-log.js';
import { getCapabilityMatrix } from './capability-matrix.js';
import { getServerHealth } from './server-health.js';
import { listServers } from './servers.js';
import { getStats } from './stats.js';
import { getTodoItems } from './todo-items.js';
import { getWhmcsDetails } from './whmcs-details.js';

/** The system tools, in the order tools/list shows them. */
export const systemTools: readonly AnyToolDefinition[] = [
  getWhmcsDetails,
  getCapabilityMatrix,
  getServerHealth,
  getStats,
  getActivityLog,
  getAutomationLog,
  getTodoItems,
  listServers,
];
