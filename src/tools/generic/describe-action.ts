/**
 * whmcs_describe_action: one WHMCS action's documented parameters and policy, so an agent can
 * build a valid whmcs_call (or write intent) without guessing parameter names.
 */
import { z } from 'zod';
import { defineTool } from '../define.js';
import { boundedText } from '../schemas.js';
import { actionSummary, resolveAction, summarizeAction } from './action-info.js';

const parameter = z.object({
  name: z.string().describe('Exact spelling; WHMCS reads parameter names case-sensitively.'),
  type: z.string().describe('string, int, float, bool, datetime, array, or a list such as int[].'),
  required: z.boolean(),
  description: z.string(),
});

const output = actionSummary.extend({
  paged: z.boolean().describe('Takes limitstart (offset) and limitnum (page size).'),
  parameters: z.array(parameter).describe('Documented parameters, without ones removed in current WHMCS.'),
});

export const whmcsDescribeAction = defineTool({
  name: 'whmcs_describe_action',
  title: 'Describe a WHMCS API action',
  description:
    "Returns one WHMCS API action's documented parameters (name, type, required, description), its kind, risk, effects, whether it is blocked and why, and how it can be used here. Action names are matched case-insensitively; an unknown name suggests close matches. Call it before whmcs_call to get parameter names right.",
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: [],
  input: z.strictObject({
    action: boundedText('The WHMCS action name, e.g. GetInvoices.', 80),
  }),
  output,
  async handler(args) {
    const action = resolveAction('whmcs_describe_action', args.action);
    return {
      ...summarizeAction(action),
      paged: action.paged,
      parameters: action.params
        .filter((param) => !param.deprecated)
        .map((param) => ({
          name: param.name,
          type: param.type,
          required: param.required,
          description: param.description,
        })),
    };
  },
  summarize(output) {
    const required = output.parameters.filter((param) => param.required).map((param) => param.name);
    const state = output.blocked ? 'blocked' : output.kind;
    return `${output.name} (${state}, risk ${output.risk}): ${output.summary}. Required: ${required.length > 0 ? required.join(', ') : 'none'}.`;
  },
});
