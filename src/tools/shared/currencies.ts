/**
 * Currency codes for amounts WHMCS sends without one. Services, addons, domains and credits are in
 * their client's currency; GetInvoice and GetQuotes carry no code (or only a currency id);
 * GetTransactions carries a currency id that is 0 for a client's transaction; GetOrders only a
 * display prefix and suffix; GetClientsDetails sends `currency_code`, or on older installations
 * only the currency id. One Currencies lives for one tool call: it reads GetCurrencies at most once
 * and each client's currency at most once, however many rows the call reads.
 */
import { WhmcsMcpError } from '../../errors.js';
import { toInt } from '../../whmcs/normalize.js';
import type { ToolContext, WhmcsReply } from '../define.js';
import { clientRecord, rowsOf } from './fields.js';
import { loadClient } from './ownership.js';

/** The WHMCS actions a tool declares to resolve currencies through `Currencies`. */
export const CURRENCY_ACTIONS = ['GetClientsDetails', 'GetCurrencies'] as const;

export interface CurrencyRecord {
  id: number;
  code: string;
  prefix: string;
  suffix: string;
  /** WHMCS's number format id (1 = 1234.56, 2 = 1,234.56, ...). */
  format: number | null;
  /** Exchange rate against the default currency, as exact as WHMCS stores it ("1.00000"). */
  rate: string | null;
}

/** Reads GetCurrencies' normalized rows into records, skipping rows without an id and code. */
export function readCurrencies(reply: WhmcsReply): CurrencyRecord[] {
  const currencies: CurrencyRecord[] = [];
  for (const row of rowsOf(reply.currencies)) {
    const id = toInt(row.id);
    const code = typeof row.code === 'string' ? row.code.trim() : '';
    if (id === undefined || code === '') continue;
    currencies.push({
      id,
      code,
      prefix: typeof row.prefix === 'string' ? row.prefix : '',
      suffix: typeof row.suffix === 'string' ? row.suffix : '',
      format: toInt(row.format) ?? null,
      rate: row.rate === undefined || row.rate === null ? null : String(row.rate),
    });
  }
  return currencies;
}

/** The currency a GetClientsDetails reply (nested or legacy flat form) gives: its code, its id. */
export function clientCurrencyOf(reply: WhmcsReply): { code?: string; id?: number } {
  const client = clientRecord(reply);
  const code = typeof client.currency_code === 'string' ? client.currency_code.trim() : '';
  const id = toInt(client.currency);
  return { ...(code === '' ? {} : { code }), ...(id === undefined ? {} : { id }) };
}

export class Currencies {
  private all: Promise<CurrencyRecord[]> | undefined;
  private readonly byClient = new Map<number, Promise<string | null>>();

  constructor(private readonly ctx: ToolContext) {}

  /** Every configured currency, read once per call. */
  list(): Promise<CurrencyRecord[]> {
    this.all ??= this.ctx.whmcs.call('GetCurrencies').then(readCurrencies);
    return this.all;
  }

  async codeForId(currencyId: number | undefined): Promise<string | null> {
    if (currencyId === undefined || currencyId <= 0) return null;
    const match = (await this.list()).find((currency) => currency.id === currencyId);
    return match?.code ?? null;
  }

  /**
   * GetOrders shows amounts with the currency's prefix and suffix only. The code is known when
   * exactly one configured currency has that prefix and suffix; otherwise it stays unknown.
   */
  async codeForDisplay(prefix: unknown, suffix: unknown): Promise<string | null> {
    const wantedPrefix = typeof prefix === 'string' ? prefix.trim() : '';
    const wantedSuffix = typeof suffix === 'string' ? suffix.trim() : '';
    if (wantedPrefix === '' && wantedSuffix === '') return null;
    const matches = (await this.list()).filter(
      (currency) => currency.prefix.trim() === wantedPrefix && currency.suffix.trim() === wantedSuffix,
    );
    return matches.length === 1 ? (matches[0]?.code ?? null) : null;
  }

  /** The code a GetClientsDetails reply the tool already holds gives, through GetCurrencies if need be. */
  async codeFromClientReply(reply: WhmcsReply): Promise<string | null> {
    const { code, id } = clientCurrencyOf(reply);
    if (code !== undefined) return code;
    return this.codeForId(id);
  }

  /** A client's currency code, or null when the client no longer exists (its rows keep amounts). */
  forClient(clientId: number | null | undefined): Promise<string | null> {
    if (clientId === undefined || clientId === null || clientId <= 0) return Promise.resolve(null);
    let pending = this.byClient.get(clientId);
    if (pending === undefined) {
      pending = this.resolveClient(clientId);
      this.byClient.set(clientId, pending);
    }
    return pending;
  }

  /**
   * Many clients' currency codes at once (the gateway's rate limiter queues the calls). With a
   * single currency configured every client is billed in it: one GetCurrencies instead of one
   * GetClientsDetails per client.
   */
  async forClients(
    clientIds: Iterable<number | null | undefined>,
  ): Promise<ReadonlyMap<number, string | null>> {
    const unique = [
      ...new Set([...clientIds].filter((id): id is number => id !== undefined && id !== null && id > 0)),
    ];
    if (unique.length > 1) {
      const configured = await this.list();
      if (configured.length === 1) return new Map(unique.map((id) => [id, configured[0]?.code ?? null]));
    }
    const codes = await Promise.all(unique.map((id) => this.forClient(id)));
    return new Map(unique.map((id, index) => [id, codes[index] ?? null]));
  }

  /** Seeds a client's currency from a GetClientsDetails reply the tool already holds. */
  rememberClient(clientId: number, reply: WhmcsReply): void {
    if (this.byClient.has(clientId)) return;
    this.byClient.set(clientId, this.codeFromClientReply(reply));
  }

  private async resolveClient(clientId: number): Promise<string | null> {
    let reply: WhmcsReply;
    try {
      reply = await loadClient(this.ctx, clientId);
    } catch (error) {
      // A service or domain whose client was deleted still has amounts; its currency is unknown.
      if (error instanceof WhmcsMcpError && error.code === 'not_found') return null;
      throw error;
    }
    return this.codeFromClientReply(reply);
  }
}
