/**
 * A client's currency code. GetClientsDetails usually sends `currency_code`; older installations
 * send only the currency id, which GetCurrencies resolves. One resolver lives for one tool call,
 * so GetCurrencies is asked at most once per call however many clients the call reads.
 */
import { asList, toInt } from '../../whmcs/normalize.js';
import type { ToolContext, WhmcsReply } from '../define.js';

export class CurrencyCodes {
  private codes: Promise<ReadonlyMap<number, string>> | undefined;

  constructor(private readonly ctx: ToolContext) {}

  /** The code for a GetClientsDetails reply (or its client record); null when WHMCS gives none. */
  async forClient(reply: WhmcsReply): Promise<string | null> {
    const client = (
      typeof reply.client === 'object' && reply.client !== null ? reply.client : reply
    ) as WhmcsReply;
    const sent = typeof client.currency_code === 'string' ? client.currency_code.trim() : '';
    if (sent !== '') return sent;
    const currencyId = toInt(client.currency);
    if (currencyId === undefined) return null;
    return (await this.all()).get(currencyId) ?? null;
  }

  private all(): Promise<ReadonlyMap<number, string>> {
    this.codes ??= this.ctx.whmcs.call('GetCurrencies').then((reply) => {
      const codes = new Map<number, string>();
      for (const currency of asList(reply.currencies) as WhmcsReply[]) {
        const id = toInt(currency.id);
        if (id !== undefined && typeof currency.code === 'string') codes.set(id, currency.code);
      }
      return codes;
    });
    return this.codes;
  }
}
