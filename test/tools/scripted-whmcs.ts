/**
 * A scripted WHMCS for unit tests of tool helpers: a full ToolContext whose gateway records every
 * call and answers from a function, and list actions that page (or fail to page) like WHMCS does.
 */
import pino from 'pino';
import { CapabilityMatrix } from '../../src/policy/capabilities.js';
import { ClientScope } from '../../src/policy/client-scope.js';
import { stdioPrincipal } from '../../src/policy/principal.js';
import type { ToolContext } from '../../src/tools/define.js';

export type Call = { action: string; params: Record<string, unknown> };
export type Answer = (action: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

export function scriptedContext(
  answer: Answer,
  calls: Call[] = [],
  scope = ClientScope.admin(),
): ToolContext {
  return {
    whmcs: {
      call: (action, params = {}) => {
        calls.push({ action, params: { ...params } });
        return answer(action, params);
      },
    },
    scope,
    principal: stdioPrincipal(),
    settings: {
      mode: 'read_only',
      environment: 'test',
      largeRefundThreshold: '1000.00',
      clientCustomFieldLabels: new Map(),
    },
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    capabilities: new CapabilityMatrix([], async () => ({})),
    // Reads only: nothing here drafts a write.
    writes: {} as ToolContext['writes'],
  };
}

/**
 * A list action over `total` rows. `honoursLimit: false` answers 25 rows whatever limitnum says;
 * `honoursStart: false` always answers from the first row.
 */
export function listAction(
  listKey: string,
  total: number,
  row: (index: number) => Record<string, unknown>,
  options: { honoursLimit?: boolean; honoursStart?: boolean } = {},
): Answer {
  return async (_action, params) => {
    const start = options.honoursStart === false ? 0 : Number(params.limitstart ?? 0);
    const size = options.honoursLimit === false ? 25 : Number(params.limitnum ?? 25);
    const rows = [];
    for (let index = start; index < Math.min(total, start + size); index++) rows.push(row(index));
    return { totalresults: total, startnumber: start, numreturned: rows.length, [listKey]: rows };
  };
}
