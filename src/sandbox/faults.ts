/**
 * Fault injection for the sandbox: the failures a real WHMCS and the web stack in front of it
 * produce, on demand, so clients can be tested against them. Off by default. Rates go through a
 * seeded PRNG, and `next` fails the next N calls, so tests stay deterministic.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/**
 * - serverError: HTTP 500/502/503 with an HTML or plain-text body (before the action runs)
 * - hang: the request is never answered (for client timeouts; before the action runs)
 * - maintenance: an HTML maintenance page with HTTP 200 (before the action runs)
 * - invalidIp: HTTP 403 `Invalid IP <ip>` as WHMCS's API IP check sends it (before the action runs)
 * - malformedUtf8: JSON replies become WHMCS's json_encode error (after the action ran; XML is unaffected)
 * - truncated: the encoded reply is cut in half (after the action ran)
 * - emptyBody: HTTP 200 with an empty body, like a PHP fatal error with display_errors off (after the action ran)
 */
export const FAULT_KINDS = [
  'serverError',
  'hang',
  'maintenance',
  'invalidIp',
  'malformedUtf8',
  'truncated',
  'emptyBody',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults that answer instead of the action, so the sandbox's state does not change. */
export const FAULTS_BEFORE_ACTION: ReadonlySet<FaultKind> = new Set([
  'serverError',
  'hang',
  'maintenance',
  'invalidIp',
]);

const rate = z.number().min(0).max(1);
const milliseconds = z.number().int().min(0).max(600_000);

const faultSettingsSchema = z
  .strictObject({
    /** PRNG seed for rates, jitter and status choice; without one, runs differ. */
    seed: z.number().int().optional(),
    /** Added before every API reply. */
    latencyMs: milliseconds.optional(),
    /** Plus a uniform random 0..jitterMs. */
    jitterMs: milliseconds.optional(),
    /** Replaces latencyMs for these actions (case-insensitive names). */
    latencyByAction: z.record(z.string().min(1), milliseconds).optional(),
    /** Share of calls (0..1) that get each fault; together at most 1. */
    rates: z.strictObject(Object.fromEntries(FAULT_KINDS.map((kind) => [kind, rate.optional()]))).optional(),
    /** Statuses a serverError picks from (default 500, 502, 503). */
    serverErrorStatuses: z.array(z.number().int().min(500).max(599)).min(1).optional(),
    /** Limits the rates to these actions (case-insensitive); absent means every call. */
    actions: z.array(z.string().min(1)).optional(),
    /** Fail the next calls, in order, before any rate applies; `action` limits an entry to one action. */
    next: z
      .array(
        z.strictObject({
          fault: z.enum(FAULT_KINDS),
          count: z.number().int().min(1).optional(),
          action: z.string().min(1).optional(),
        }),
      )
      .optional(),
  })
  .refine(
    (settings) =>
      Object.values(settings.rates ?? {}).reduce((sum: number, value) => sum + (value ?? 0), 0) <= 1 + 1e-9,
    { message: 'fault rates add up to more than 1' },
  );

export interface FaultSettings {
  seed?: number;
  latencyMs?: number;
  jitterMs?: number;
  latencyByAction?: Record<string, number>;
  rates?: Partial<Record<FaultKind, number>>;
  serverErrorStatuses?: number[];
  actions?: string[];
  next?: { fault: FaultKind; count?: number; action?: string }[];
}

export class FaultSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSettingsError';
  }
}

/** Validates settings from JSON, the environment or flags; throws FaultSettingsError naming the problem. */
export function parseFaultSettings(input: unknown): FaultSettings {
  const parsed = faultSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw new FaultSettingsError(`invalid fault settings: ${where}${issue?.message ?? 'not valid'}`);
  }
  return parsed.data as FaultSettings;
}

/** Later settings win field by field; rates merge kind by kind. */
export function mergeFaultSettings(base: FaultSettings, override: FaultSettings): FaultSettings {
  const merged: FaultSettings = { ...base, ...override };
  if (base.rates !== undefined || override.rates !== undefined)
    merged.rates = { ...base.rates, ...override.rates };
  return merged;
}

/** One environment variable or CLI flag per rate, named as the help text and README show them. */
export const FAULT_RATE_OPTIONS: readonly { kind: FaultKind; env: string; flag: string; summary: string }[] =
  [
    {
      kind: 'serverError',
      env: 'SANDBOX_ERROR_RATE',
      flag: 'error-rate',
      summary: 'an HTTP 500/502/503 reply',
    },
    {
      kind: 'hang',
      env: 'SANDBOX_HANG_RATE',
      flag: 'hang-rate',
      summary: 'no answer at all (client timeout)',
    },
    {
      kind: 'maintenance',
      env: 'SANDBOX_MAINTENANCE_RATE',
      flag: 'maintenance-rate',
      summary: 'an HTML maintenance page with HTTP 200',
    },
    {
      kind: 'invalidIp',
      env: 'SANDBOX_INVALID_IP_RATE',
      flag: 'invalid-ip-rate',
      summary: 'HTTP 403 Invalid IP',
    },
    {
      kind: 'malformedUtf8',
      env: 'SANDBOX_MALFORMED_UTF8_RATE',
      flag: 'malformed-utf8-rate',
      summary: 'the JSON encoder error (Malformed UTF-8)',
    },
    {
      kind: 'truncated',
      env: 'SANDBOX_TRUNCATED_RATE',
      flag: 'truncated-rate',
      summary: 'the reply cut in half',
    },
    {
      kind: 'emptyBody',
      env: 'SANDBOX_EMPTY_BODY_RATE',
      flag: 'empty-body-rate',
      summary: 'an empty body with HTTP 200',
    },
  ];

function parseNumber(name: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value))
    throw new FaultSettingsError(`${name} must be a number, not '${text}'`);
  return value;
}

/**
 * Reads fault settings from the environment: SANDBOX_FAULTS (JSON, as POST /__sandbox/faults takes),
 * then SANDBOX_FAULT_SEED, SANDBOX_LATENCY_MS, SANDBOX_JITTER_MS, SANDBOX_FAULT_ACTIONS (comma list)
 * and the per-fault rates in FAULT_RATE_OPTIONS on top. Returns undefined when none is set.
 */
export function faultSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): FaultSettings | undefined {
  let settings: FaultSettings = {};
  let found = false;
  const json = env['SANDBOX_FAULTS'];
  if (json !== undefined && json.trim() !== '') {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new FaultSettingsError('SANDBOX_FAULTS must be JSON fault settings');
    }
    settings = parseFaultSettings(raw);
    found = true;
  }
  const scalar = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return undefined;
    found = true;
    return parseNumber(name, text);
  };
  const overrides: FaultSettings = {};
  const seed = scalar('SANDBOX_FAULT_SEED');
  if (seed !== undefined) overrides.seed = seed;
  const latency = scalar('SANDBOX_LATENCY_MS');
  if (latency !== undefined) overrides.latencyMs = latency;
  const jitter = scalar('SANDBOX_JITTER_MS');
  if (jitter !== undefined) overrides.jitterMs = jitter;
  const actions = env['SANDBOX_FAULT_ACTIONS'];
  if (actions !== undefined && actions.trim() !== '') {
    overrides.actions = splitList(actions);
    found = true;
  }
  for (const option of FAULT_RATE_OPTIONS) {
    const value = scalar(option.env);
    if (value !== undefined) overrides.rates = { ...overrides.rates, [option.kind]: value };
  }
  if (!found) return undefined;
  return parseFaultSettings(mergeFaultSettings(settings, overrides));
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** mulberry32: small, fast and good enough to spread faults; the same seed gives the same run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  /** Delay before the reply, in milliseconds. */
  latencyMs: number;
  fault: FaultKind | undefined;
  /** The HTTP status for a serverError. */
  status: number;
}

const NO_FAULT: FaultDecision = Object.freeze({ latencyMs: 0, fault: undefined, status: 200 });
const DEFAULT_SERVER_ERROR_STATUSES = [500, 502, 503];

interface PendingFault {
  fault: FaultKind;
  remaining: number;
  action: string | undefined;
}

/** Holds the current settings and decides, call by call, what goes wrong. */
export class FaultInjector {
  #settings: FaultSettings = {};
  #active = false;
  #random: () => number = Math.random;
  #pending: PendingFault[] = [];
  #latencyByAction = new Map<string, number>();
  #rateActions: ReadonlySet<string> | undefined;
  #rateTotal = 0;

  constructor(settings: FaultSettings = {}) {
    this.set(settings);
  }

  /** Replaces all settings (validated) and restarts the PRNG from the seed. */
  set(settings: FaultSettings): void {
    const parsed = parseFaultSettings(settings);
    this.#settings = structuredClone(parsed);
    this.#random = seededRandom(parsed.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.#pending = (parsed.next ?? []).map((entry) => ({
      fault: entry.fault,
      remaining: entry.count ?? 1,
      action: entry.action?.toLowerCase(),
    }));
    this.#latencyByAction = new Map(
      Object.entries(parsed.latencyByAction ?? {}).map(([action, ms]) => [action.toLowerCase(), ms]),
    );
    this.#rateActions =
      parsed.actions === undefined
        ? undefined
        : new Set(parsed.actions.map((action) => action.toLowerCase()));
    this.#rateTotal = Object.values(parsed.rates ?? {}).reduce((sum: number, value) => sum + (value ?? 0), 0);
    this.#active = this.#computeActive();
  }

  clear(): void {
    this.set({});
  }

  /** The settings as last set. */
  get settings(): FaultSettings {
    return structuredClone(this.#settings);
  }

  get active(): boolean {
    return this.#active;
  }

  /** `next` entries not used up yet, with the calls each still has to fail. */
  pending(): { fault: FaultKind; remaining: number; action?: string }[] {
    return this.#pending.map((entry) =>
      entry.action === undefined
        ? { fault: entry.fault, remaining: entry.remaining }
        : { fault: entry.fault, remaining: entry.remaining, action: entry.action },
    );
  }

  /** Decides the latency and fault for one API call; `action` is the name the caller sent. */
  decide(action: string): FaultDecision {
    if (!this.#active) return NO_FAULT;
    const actionKey = action.toLowerCase();
    const settings = this.#settings;
    let latencyMs = this.#latencyByAction.get(actionKey) ?? settings.latencyMs ?? 0;
    const jitter = settings.jitterMs ?? 0;
    if (jitter > 0) latencyMs += Math.floor(this.#random() * (jitter + 1));
    let fault = this.#takePending(actionKey);
    if (fault === undefined && this.#rateTotal > 0 && (this.#rateActions?.has(actionKey) ?? true)) {
      fault = this.#drawFault();
    }
    let status = 200;
    if (fault === 'serverError') {
      const statuses = settings.serverErrorStatuses ?? DEFAULT_SERVER_ERROR_STATUSES;
      status =
        statuses.length === 1
          ? (statuses[0] as number)
          : (statuses[Math.floor(this.#random() * statuses.length)] as number);
    }
    return { latencyMs, fault, status };
  }

  #takePending(actionKey: string): FaultKind | undefined {
    const index = this.#pending.findIndex(
      (entry) => entry.action === undefined || entry.action === actionKey,
    );
    if (index === -1) return undefined;
    const entry = this.#pending[index] as PendingFault;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.#pending.splice(index, 1);
    if (this.#pending.length === 0) this.#active = this.#computeActive();
    return entry.fault;
  }

  #computeActive(): boolean {
    const settings = this.#settings;
    return (
      (settings.latencyMs ?? 0) > 0 ||
      (settings.jitterMs ?? 0) > 0 ||
      this.#latencyByAction.size > 0 ||
      this.#rateTotal > 0 ||
      this.#pending.length > 0
    );
  }

  #drawFault(): FaultKind | undefined {
    const draw = this.#random();
    let cumulative = 0;
    for (const kind of FAULT_KINDS) {
      cumulative += this.#settings.rates?.[kind] ?? 0;
      if (draw < cumulative) return kind;
    }
    return undefined;
  }
}

/** The reply a web server or proxy sends for a serverError fault: HTML for 500 and 502, text otherwise. */
export function serverErrorReply(status: number): { contentType: string; body: string } {
  const reason = STATUS_CODES[status] ?? 'Server Error';
  if (status === 500) {
    return {
      contentType: 'text/html; charset=iso-8859-1',
      body:
        '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>500 Internal Server Error</title>\n' +
        '</head><body>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error or\n' +
        'misconfiguration and was unable to complete\nyour request.</p>\n</body></html>\n',
    };
  }
  if (status === 502) {
    return {
      contentType: 'text/html',
      body:
        '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
        '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    };
  }
  return { contentType: 'text/plain; charset=utf-8', body: `${status} ${reason}\n` };
}

/** A hosting panel's maintenance page: HTML with HTTP 200, which a client must not read as data. */
export const MAINTENANCE_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Down for Maintenance</title>\n</head>\n' +
  '<body>\n<h1>Down for Maintenance</h1>\n<p>We are performing scheduled maintenance and will be back shortly.</p>\n' +
  '</body>\n</html>\n';
