import type { AnyToolDefinition } from '../define.js';
import { whmcsCall } from './call.js';
import { whmcsDescribeAction } from './describe-action.js';
import { whmcsListActions } from './list-actions.js';

/** The generic tools (toolset 'system'), in the order tools/list shows them. */
export const genericTools: readonly AnyToolDefinition[] = [whmcsListActions, whmcsDescribeAction, whmcsCall];
