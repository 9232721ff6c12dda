import { z } from 'zod';
import { defineTool } from '../define.js';
import { entityId } from '../schemas.js';
import { assertClientVisible } from '../shared/ownership.js';
import { payMethodSchema, projectPayMethod } from './projections.js';
import { rowsOf } from '../shared/fields.js';

/** WHMCS's type filter: each family includes its gateway-tokenised variant. */
const TYPE_FAMILIES = {
  CreditCard: ['CreditCard', 'RemoteCreditCard'],
  BankAccount: ['BankAccount', 'RemoteBankAccount'],
} as const;

export const getPayMethods = defineTool({
  name: 'get_pay_methods',
  title: 'Get pay methods',
  description:
    "Lists a client's stored pay methods (cards and bank accounts), masked: type, description, card type, last four digits, expiry (MM/YY), bank name, gateway and which one is the default. Card numbers, bank account numbers and gateway tokens never come back. Use it to see whether a client can be charged automatically or why a capture might fail (expired card).",
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails', 'GetPayMethods'],
  input: z.strictObject({
    client_id: entityId('Client id whose pay methods to list.'),
    type: z
      .enum(['CreditCard', 'BankAccount'])
      .optional()
      .describe(
        'Only cards (CreditCard, including gateway-stored cards) or only bank accounts (BankAccount).',
      ),
  }),
  output: z.object({
    client_id: z.number().int(),
    pay_methods: z.array(payMethodSchema),
    count: z.number().int().min(0),
  }),
  async handler(input, ctx) {
    await assertClientVisible(ctx, input.client_id);
    // Always read every pay method: the default is the first in order, whatever the filter.
    const reply = await ctx.whmcs.call('GetPayMethods', { clientid: input.client_id });
    const family: readonly string[] | undefined = input.type ? TYPE_FAMILIES[input.type] : undefined;
    const payMethods = rowsOf(reply.paymethods)
      .map((row, index) => projectPayMethod(row, index === 0))
      .filter((payMethod) => family === undefined || family.includes(payMethod.type));
    return { client_id: input.client_id, pay_methods: payMethods, count: payMethods.length };
  },
  summarize(output) {
    if (output.count === 0) return `Client ${output.client_id} has no stored pay method.`;
    const described = output.pay_methods
      .slice(0, 3)
      .map((payMethod) => {
        const card = payMethod.card_last_four
          ? `${payMethod.card_type ?? 'card'} ending ${payMethod.card_last_four}${payMethod.expiry ? ` exp ${payMethod.expiry}` : ''}`
          : payMethod.description || payMethod.type;
        return `${card}${payMethod.is_default ? ' (default)' : ''}`;
      })
      .join(', ');
    return `Client ${output.client_id}: ${output.count} pay method(s): ${described}.`;
  },
});
