/**
 * The server's state at a glance: mode, environment, the kill switch (from configuration and from
 * the console), the caps in force and what money-moving writes used today, per currency.
 */
import type { AppConfig } from '../../config/index.js';
import { formatCents, parseCents } from '../../money.js';
import { DEFAULT_CAPS, KILL_SWITCH_SETTING } from '../../writes/engine.js';
import type { IntentState } from '../../writes/states.js';
import type { Intent, IntentFilter } from '../../writes/types.js';

export interface GlanceStore {
  getSetting(key: string): string | undefined;
  dailyTotal(day: string, currency: string): bigint;
  listIntents(filter: IntentFilter): { items: Intent[]; total: number };
}

export interface KillSwitchState {
  /** MCP_WRITES_DISABLED: only a configuration change and restart releases it. */
  configuration: boolean;
  /** Engaged by an admin at the console; an admin releases it there. */
  console: boolean;
  engaged: boolean;
}

export interface CapState {
  /** Null when no cap is in force: in production, money-moving writes are then refused. */
  amount: string | null;
  source: 'configured' | 'default' | 'unset';
}

export interface CurrencyUse {
  currency: string;
  used: string;
  /** What the daily cap leaves today; null when there is no daily cap. */
  remaining: string | null;
}

export interface Glance {
  mode: AppConfig['mode'];
  environment: string;
  accessMode: AppConfig['accessMode'];
  killSwitch: KillSwitchState;
}

export interface StateDetails extends Glance {
  perActionCap: CapState;
  dailyCap: CapState;
  /** The UTC day the daily totals are for. */
  day: string;
  usedToday: CurrencyUse[];
  writeAllowlist: readonly string[];
  autoApprove: boolean;
  dualApprovalThreshold: string | null;
  approvalTtlMs: number;
  intentTtlMs: number;
}

export function killSwitchState(config: AppConfig, store: Pick<GlanceStore, 'getSetting'>): KillSwitchState {
  const fromConsole = store.getSetting(KILL_SWITCH_SETTING) === 'on';
  return {
    configuration: config.writesDisabled,
    console: fromConsole,
    engaged: config.writesDisabled || fromConsole,
  };
}

export function glance(config: AppConfig, store: Pick<GlanceStore, 'getSetting'>): Glance {
  return {
    mode: config.mode,
    environment: config.env,
    accessMode: config.accessMode,
    killSwitch: killSwitchState(config, store),
  };
}

function capState(configured: string | undefined, fallback: string, production: boolean): CapState {
  if (configured !== undefined) return { amount: configured, source: 'configured' };
  return production ? { amount: null, source: 'unset' } : { amount: fallback, source: 'default' };
}

/** States whose amount counted (or may yet count) towards a daily total. */
const COUNTED_STATES: readonly IntentState[] = [
  'validated',
  'approved',
  'executing',
  'executed',
  'unknown',
  'failed',
];
/** Intents older than this cannot have run today: drafts and validations lapse long before. */
const LOOKBACK_MS = 31 * 24 * 60 * 60_000;
const SCAN_PAGE = 500;
const SCAN_LIMIT = 20_000;

/**
 * The currencies money-moving intents used lately. The store keeps daily totals by currency but
 * cannot list them, so the currencies are read from the intents that count towards them.
 */
export function recentCurrencies(store: Pick<GlanceStore, 'listIntents'>, now: Date): string[] {
  const currencies = new Set<string>();
  const since = new Date(now.getTime() - LOOKBACK_MS).toISOString();
  for (let offset = 0; offset < SCAN_LIMIT; offset += SCAN_PAGE) {
    const page = store.listIntents({ states: COUNTED_STATES, since, limit: SCAN_PAGE, offset });
    for (const intent of page.items) {
      const currency = intent.validation?.cap_amount?.currency;
      if (currency) currencies.add(currency);
    }
    if (page.items.length < SCAN_PAGE) break;
  }
  return [...currencies].sort();
}

export function stateDetails(config: AppConfig, store: GlanceStore, now: Date): StateDetails {
  const production = config.env === 'production';
  const perActionCap = capState(config.capPerAction, DEFAULT_CAPS.perAction, production);
  const dailyCap = capState(config.capDaily, DEFAULT_CAPS.daily, production);
  const day = now.toISOString().slice(0, 10);
  const dailyCents = dailyCap.amount === null ? null : (parseCents(dailyCap.amount) ?? null);
  const usedToday = recentCurrencies(store, now).map((currency): CurrencyUse => {
    const used = store.dailyTotal(day, currency);
    return {
      currency,
      used: formatCents(used),
      remaining: dailyCents === null ? null : formatCents(dailyCents > used ? dailyCents - used : 0n),
    };
  });
  return {
    ...glance(config, store),
    perActionCap,
    dailyCap,
    day,
    usedToday,
    writeAllowlist: config.writeAllowlist,
    autoApprove: config.autoApprove,
    dualApprovalThreshold: config.dualApprovalThreshold ?? null,
    approvalTtlMs: config.approvalTtlMs,
    intentTtlMs: config.intentTtlMs,
  };
}
