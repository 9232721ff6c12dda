/**
 * whmcs_list_actions: the WHMCS action table as data, so an agent can find the action behind a
 * question before it calls whmcs_describe_action and whmcs_call. It touches no WHMCS data.
 */
import { z } from 'zod';
import { ACTION_TABLE } from '../../whmcs/actions.js';
import { defineTool } from '../define.js';
import { boundedText, listOutput, pageOf, pagingInput } from '../schemas.js';
import { actionSummary, summarizeAction } from './action-info.js';

export const whmcsListActions = defineTool({
  name: 'whmcs_list_actions',
  title: 'List WHMCS API actions',
  description:
    'Lists the documented WHMCS External API actions in name order: name, summary, kind (read or write), risk, effects (money, destructive, provisioning, registrar_spend, customer_email, configuration_access), whether it is blocked, and how it can be used here. Use it to find the action for a question no dedicated tool answers, then whmcs_describe_action for its parameters and whmcs_call to run a read. Filters: kind, blocked, and search (case-insensitive, in the name and summary).',
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: [],
  input: z.strictObject({
    kind: z.enum(['read', 'write']).optional().describe('Only read or only write actions.'),
    blocked: z.boolean().optional().describe('true: only blocked actions; false: only callable ones.'),
    search: boundedText('Text to find in the action name or summary, e.g. "invoice".', 100).optional(),
    ...pagingInput,
  }),
  output: listOutput(actionSummary),
  async handler(args) {
    const needle = args.search?.trim().toLowerCase();
    const matching = ACTION_TABLE.filter(
      (action) =>
        (args.kind === undefined || action.kind === args.kind) &&
        (args.blocked === undefined || action.blocked === args.blocked) &&
        (needle === undefined ||
          action.name.toLowerCase().includes(needle) ||
          action.summary.toLowerCase().includes(needle)),
    ).map(summarizeAction);
    return pageOf(matching, args.offset, args.limit);
  },
  summarize(output) {
    const names = output.items.slice(0, 10).map((action) => action.name);
    const more = output.has_more ? `; more from offset ${String(output.next_offset)}` : '';
    return `${output.count} of ${output.total} WHMCS action(s)${names.length > 0 ? `: ${names.join(', ')}` : ''}${more}.`;
  },
});
