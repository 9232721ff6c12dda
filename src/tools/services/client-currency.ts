/**
 * Services, addons and domains carry amounts without a currency: WHMCS bills them in their client's
 * currency. This resolves that currency once per client and call, and reads GetCurrencies at most
 * once per call when a WHMCS version only gives the currency id.
 */
import { WhmcsMcpError } from '../../errors.js';
import { asList, toInt } from '../../whmcs/normalize.js';
import type { ToolContext, WhmcsReply } from '../define.js';
import { loadClient } from '../shared/ownership.js';

type Row = Record<string, unknown>;

/** The WHMCS actions a tool must declare to use ClientCurrencies. */
export const CLIENT_CURRENCY_ACTIONS = ['GetClientsDetails', 'GetCurrencies'] as const;

export class ClientCurrencies {
  private readonly byClient = new Map<number, Promise<string | null>>();
  private codesById: Promise<ReadonlyMap<number, string>> | undefined;

  constructor(private readonly ctx: ToolContext) {}

  /** The client's currency code ("USD"), or null when the client no longer exists. */
  forClient(clientId: number | undefined): Promise<string | null> {
    if (clientId === undefined || clientId <= 0) return Promise.resolve(null);
    let pending = this.byClient.get(clientId);
    if (!pending) {
      pending = this.resolve(clientId);
      this.byClient.set(clientId, pending);
    }
    return pending;
  }

  /** Resolves many clients at once (the gateway's rate limiter queues the calls). */
  async forClients(clientIds: Iterable<number | undefined>): Promise<ReadonlyMap<number, string | null>> {
    const unique = [...new Set([...clientIds].filter((id): id is number => id !== undefined && id > 0))];
    if (unique.length > 1) {
      // With a single currency configured every client is billed in it: one call instead of one per client.
      const configured = [...(await this.currencyCodes()).values()];
      if (configured.length === 1) return new Map(unique.map((id) => [id, configured[0] ?? null]));
    }
    const codes = await Promise.all(unique.map((id) => this.forClient(id)));
    return new Map(unique.map((id, index) => [id, codes[index] ?? null]));
  }

  /** Reuses a GetClientsDetails reply the tool already has (e.g. from loadClient). */
  remember(clientId: number, clientReply: WhmcsReply): void {
    this.byClient.set(clientId, this.codeFrom(clientReply));
  }

  private async resolve(clientId: number): Promise<string | null> {
    let reply;
    try {
      reply = await loadClient(this.ctx, clientId);
    } catch (error) {
      // A service or domain whose client was deleted still has amounts; its currency is unknown.
      if (error instanceof WhmcsMcpError && error.code === 'not_found') return null;
      throw error;
    }
    return this.codeFrom(reply);
  }

  private async codeFrom(reply: WhmcsReply): Promise<string | null> {
    const client = (reply.client ?? {}) as Row;
    const code = client.currency_code;
    if (typeof code === 'string' && code.trim() !== '') return code.trim();
    const currencyId = toInt(client.currency);
    if (currencyId === undefined) return null;
    return (await this.currencyCodes()).get(currencyId) ?? null;
  }

  private currencyCodes(): Promise<ReadonlyMap<number, string>> {
    this.codesById ??= this.ctx.whmcs.call('GetCurrencies').then((reply) => {
      const codes = new Map<number, string>();
      for (const currency of asList(reply.currencies) as Row[]) {
        const id = toInt(currency.id);
        if (id !== undefined && typeof currency.code === 'string') codes.set(id, currency.code);
      }
      return codes;
    });
    return this.codesById;
  }
}
