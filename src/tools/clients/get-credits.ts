import { z } from 'zod';
import { toMoney } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId, listOutput, money, pageOf, pagingInput } from '../schemas.js';
import { Currencies } from '../shared/currencies.js';
import { loadClient } from '../shared/ownership.js';
import { creditEntrySchema, projectCreditEntry } from './projections.js';
import { clientRecord, rowsOf } from '../shared/fields.js';

export const getCredits = defineTool({
  name: 'get_credits',
  title: 'Get client credit log',
  description:
    "Returns a client's current credit balance and its credit log: every credit added (positive) and applied or removed (negative), oldest first, with exact amounts in the client's currency. Use it to explain a balance or check a credit before applying it. Paged with limit and offset; WHMCS returns the whole log at once, so the total is exact.",
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails', 'GetCredits', 'GetCurrencies'],
  input: z.strictObject({
    client_id: entityId('Client id whose credit log to read.'),
    ...pagingInput,
  }),
  output: listOutput(creditEntrySchema).extend({
    client_id: z.number().int(),
    credit_balance: money.nullable().describe('Current credit balance from the client record.'),
    currency_code: z.string().nullable().describe("The client's currency; every amount is in it."),
  }),
  async handler(input, ctx) {
    const client = await loadClient(ctx, input.client_id);
    const record = clientRecord(client);
    const currencyCode = await new Currencies(ctx).codeFromClientReply(client);
    const reply = await ctx.whmcs.call('GetCredits', { clientid: input.client_id });
    const entries = rowsOf(reply.credits).map(projectCreditEntry);
    return {
      client_id: input.client_id,
      credit_balance: toMoney(record.credit) ?? null,
      currency_code: currencyCode,
      ...pageOf(entries, input.offset, input.limit),
    };
  },
  summarize(output) {
    const currency = output.currency_code ? ` ${output.currency_code}` : '';
    const balance = output.credit_balance === null ? 'unknown' : `${output.credit_balance}${currency}`;
    const more = output.has_more ? `; next page at offset ${String(output.next_offset)}` : '';
    return `Client ${output.client_id}: credit balance ${balance}; ${output.count} of ${output.total} credit log entr${output.total === 1 ? 'y' : 'ies'}${more}.`;
  },
});
