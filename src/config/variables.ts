/**
 * Every environment variable the server reads, declared once: its zod schema and its documentation.
 * The README's configuration reference and `.env.example` are checked against this list, so a
 * variable cannot exist in code without being documented, or the other way round.
 */
import { z } from 'zod';
import { formatCents, isExactMoneyInput, parseCents } from '../money.js';
import { ROLES, type Role } from '../policy/principal.js';

export const MCP_ENVS = ['development', 'local', 'test', 'staging', 'production'] as const;
export type McpEnv = (typeof MCP_ENVS)[number];

export const MCP_MODES = ['read_only', 'simulate', 'full'] as const;
export type McpMode = (typeof MCP_MODES)[number];

export const ACCESS_MODES = ['admin', 'client'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type ConfigGroup = 'upstream' | 'server' | 'logging';

/** Names that always mark a secret, whatever the variable's declaration says. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|IDENTIFIER|CREDENTIAL/i;

export function isSecretVariableName(name: string): boolean {
  return SECRET_NAME.test(name);
}

const MIB = 1024 * 1024;

/** Every variable arrives as trimmed text, or undefined when unset or empty. */
const text = z.string().optional();

function quote(value: string): string {
  // A URL's user-info part may hold a password; never repeat it.
  const safe = value.replace(/\/\/[^/@\s]*@/g, '//***@');
  return `'${safe.length > 80 ? `${safe.slice(0, 77)}...` : safe}'`;
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return text.transform((value, ctx): T[number] => {
    if (value === undefined) return fallback;
    const match = values.find((allowed) => allowed === value.toLowerCase());
    if (match !== undefined) return match;
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}; got ${quote(value)}` });
    return z.NEVER;
  });
}

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

function flag(fallback: boolean) {
  return text.transform((value, ctx): boolean => {
    if (value === undefined) return fallback;
    const parsed = BOOLEAN_WORDS[value.toLowerCase()];
    if (parsed !== undefined) return parsed;
    ctx.addIssue({ code: 'custom', message: `must be true or false (or 1/0, yes/no); got ${quote(value)}` });
    return z.NEVER;
  });
}

function wholeNumber(bounds: { min: number; max: number; fallback: number }) {
  return text.transform((value, ctx): number => {
    if (value === undefined) return bounds.fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (parsed >= bounds.min && parsed <= bounds.max) return parsed;
    ctx.addIssue({
      code: 'custom',
      message: `must be a whole number from ${bounds.min} to ${bounds.max}; got ${quote(value)}`,
    });
    return z.NEVER;
  });
}

function decimalNumber(bounds: { min: number; max: number; fallback: number }) {
  return text.transform((value, ctx): number => {
    if (value === undefined) return bounds.fallback;
    const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    if (parsed >= bounds.min && parsed <= bounds.max) return parsed;
    ctx.addIssue({
      code: 'custom',
      message: `must be a number from ${bounds.min} to ${bounds.max}; got ${quote(value)}`,
    });
    return z.NEVER;
  });
}

/** A secret or identifier: its value is never quoted in a message. */
function secretText(options: { minLength?: number } = {}) {
  return text.transform((value, ctx): string | undefined => {
    if (value === undefined) return undefined;
    if (options.minLength !== undefined && value.length < options.minLength) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at least ${options.minLength} characters long (it has ${value.length})`,
      });
      return z.NEVER;
    }
    return value;
  });
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function nameList(pattern: RegExp, what: string) {
  return text.transform((value, ctx): readonly string[] => {
    if (value === undefined) return [];
    const items = splitList(value);
    const bad = items.filter((item) => !pattern.test(item));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${bad.map(quote).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not ${what}`,
      });
      return z.NEVER;
    }
    return [...new Set(items)];
  });
}

const MAX_ID = 2 ** 31 - 1;

function parseId(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const id = Number(value);
  return id >= 1 && id <= MAX_ID ? id : undefined;
}

const clientIdList = text.transform((value, ctx): readonly number[] => {
  if (value === undefined) return [];
  const items = splitList(value);
  const bad = items.filter((item) => parseId(item) === undefined);
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be client ids (positive whole numbers) separated by commas; ${bad.map(quote).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not`,
    });
    return z.NEVER;
  }
  return [...new Set(items.map(Number))];
});

const customFieldLabels = text.transform((value, ctx): ReadonlyMap<number, string> => {
  const labels = new Map<number, string>();
  if (value === undefined) return labels;
  const complaints: string[] = [];
  for (const item of splitList(value)) {
    const colon = item.indexOf(':');
    const id = colon > 0 ? parseId(item.slice(0, colon).trim()) : undefined;
    const label = colon > 0 ? item.slice(colon + 1).trim() : '';
    if (id === undefined || label.length === 0) {
      complaints.push(`${quote(item)} is not id:label`);
    } else if (labels.has(id)) {
      complaints.push(`custom field ${id} is listed twice`);
    } else {
      labels.set(id, label);
    }
  }
  if (complaints.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be id:label pairs separated by commas (e.g. 12:VAT number); ${complaints.join('; ')}`,
    });
    return z.NEVER;
  }
  return labels;
});

function moneyAmount(fallback: string) {
  return text.transform((value, ctx): string => {
    const amount = value ?? fallback;
    const cents = isExactMoneyInput(amount) ? parseCents(amount) : undefined;
    if (cents !== undefined && cents >= 0n) return formatCents(cents);
    ctx.addIssue({
      code: 'custom',
      message: `must be an amount of 0 or more with at most two decimals (e.g. 1000 or 249.50); got ${quote(amount)}`,
    });
    return z.NEVER;
  });
}

/** An optional amount: unset stays undefined (the caller decides what unset means). */
function optionalMoneyAmount() {
  return text.transform((value, ctx): string | undefined => {
    if (value === undefined) return undefined;
    const cents = isExactMoneyInput(value) ? parseCents(value) : undefined;
    if (cents !== undefined && cents > 0n) return formatCents(cents);
    ctx.addIssue({
      code: 'custom',
      message: `must be an amount above 0 with at most two decimals (e.g. 500 or 249.50); got ${quote(value)}`,
    });
    return z.NEVER;
  });
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as 90s, 15m or 24h, in milliseconds, within bounds. */
function duration(bounds: { min: string; max: string; fallback: string }) {
  const toMs = (value: string): number | undefined => {
    const match = /^(\d+)\s*([smh])$/i.exec(value.trim());
    return match ? Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]! : undefined;
  };
  const min = toMs(bounds.min)!;
  const max = toMs(bounds.max)!;
  return text.transform((value, ctx): number => {
    const ms = toMs(value ?? bounds.fallback);
    if (ms !== undefined && ms >= min && ms <= max) return ms;
    ctx.addIssue({
      code: 'custom',
      message: `must be a duration from ${bounds.min} to ${bounds.max} written like 90s, 15m or 24h; got ${quote(value ?? '')}`,
    });
    return z.NEVER;
  });
}

/**
 * The WHMCS base URL, without a trailing slash. Whether http is acceptable depends on other
 * variables (WHMCS_ALLOW_HTTP, MCP_ENV), so that rule lives with the cross-variable checks.
 */
const whmcsUrl = text.transform((value, ctx): string | undefined => {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `must be the base URL of your WHMCS, such as https://billing.example.com; got ${quote(value)}`,
    });
    return z.NEVER;
  }
  const complaints: string[] = [];
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    complaints.push(`must start with https:// (got ${url.protocol}//)`);
  }
  if (url.username !== '' || url.password !== '') {
    complaints.push(
      'must not contain a user name or password; API credentials go in WHMCS_IDENTIFIER and WHMCS_SECRET',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    complaints.push('must not contain a query string or #fragment');
  }
  if (complaints.length > 0) {
    ctx.addIssue({ code: 'custom', message: complaints.join('; ') });
    return z.NEVER;
  }
  return url.href.replace(/\/+$/, '');
});

// --- OAuth resource server and metrics (MCP_OAUTH_*, MCP_METRICS_TOKEN) ---------------------------

/**
 * An issuer or JWKS URL. http is accepted here only for a loopback host (a local identity
 * provider); whether that is acceptable depends on MCP_ENV, so the rule sits with the cross checks.
 */
const oauthUrl = text.transform((value, ctx): string | undefined => {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `must be a URL such as https://login.example.com; got ${quote(value)}`,
    });
    return z.NEVER;
  }
  const complaints: string[] = [];
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    complaints.push('must start with https:// (http:// only for a loopback host such as 127.0.0.1)');
  }
  if (url.username !== '' || url.password !== '') complaints.push('must not contain a user name or password');
  if (url.hash !== '') complaints.push('must not contain a #fragment');
  if (complaints.length > 0) {
    ctx.addIssue({ code: 'custom', message: complaints.join('; ') });
    return z.NEVER;
  }
  return value;
});

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export const DEFAULT_OAUTH_ROLE_SCOPES =
  'reader=whmcs:read,operator=whmcs:write,approver=whmcs:approve,admin=whmcs:admin';

/** RFC 6749 scope-token characters: printable ASCII without space, double quote or backslash. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/** role=scope pairs, read into scope -> role. A scope grants one role; a role has one scope. */
const roleScopes = text.transform((value, ctx): ReadonlyMap<string, Role> => {
  const scopes = new Map<string, Role>();
  const roles = new Set<string>();
  const complaints: string[] = [];
  for (const item of splitList(value ?? DEFAULT_OAUTH_ROLE_SCOPES)) {
    const equals = item.indexOf('=');
    const role = equals > 0 ? item.slice(0, equals).trim() : '';
    const scope = equals > 0 ? item.slice(equals + 1).trim() : '';
    const knownRole = ROLES.find((candidate) => candidate === role);
    if (knownRole === undefined || !SCOPE_TOKEN.test(scope)) {
      complaints.push(`${quote(item)} is not role=scope with a role among ${ROLES.join(', ')}`);
    } else if (roles.has(knownRole)) {
      complaints.push(`role ${knownRole} is listed twice`);
    } else if (scopes.has(scope)) {
      complaints.push(`scope ${quote(scope)} is listed twice`);
    } else {
      roles.add(knownRole);
      scopes.set(scope, knownRole);
    }
  }
  if (complaints.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be role=scope pairs separated by commas (e.g. ${DEFAULT_OAUTH_ROLE_SCOPES}); ${complaints.join('; ')}`,
    });
    return z.NEVER;
  }
  return scopes;
});

/** A JWT claim name, plain (whmcs_client_ids) or namespaced (https://example.com/client_ids). */
const claimName = text.transform((value, ctx): string => {
  const name = value ?? 'whmcs_client_ids';
  if (/^[A-Za-z0-9_.:/-]{1,100}$/.test(name)) return name;
  ctx.addIssue({
    code: 'custom',
    message: `must be a claim name such as whmcs_client_ids; got ${quote(name)}`,
  });
  return z.NEVER;
});

// --- HTTP transport (MCP_HTTP_*, MCP_CONSUMERS_FILE) -------------------------------------------

/** A host name, an IPv4 address or an IPv6 address (brackets optional); stored without brackets. */
const listenHost = text.transform((value, ctx): string => {
  const host = (value ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  if (/^[A-Za-z0-9.-]{1,253}$/.test(host) || /^[0-9A-Fa-f:.]{2,45}$/.test(host)) return host.toLowerCase();
  ctx.addIssue({
    code: 'custom',
    message: `must be a host name or IP address such as 127.0.0.1; got ${quote(host)}`,
  });
  return z.NEVER;
});

/** Host names as a Host header carries them (no port), lowercased; IPv6 in brackets. */
const hostNameList = text.transform((value, ctx): readonly string[] => {
  if (value === undefined) return [];
  const items = splitList(value).map((item) => item.toLowerCase());
  const bad = items.filter((item) => !/^([a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\])$/.test(item));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be host names without scheme or port (e.g. mcp.example.com); ${bad.map(quote).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not`,
    });
    return z.NEVER;
  }
  return [...new Set(items)];
});

/** Browser origins (scheme://host[:port]), exactly as an Origin header carries them. */
const originList = text.transform((value, ctx): readonly string[] => {
  if (value === undefined) return [];
  const origins: string[] = [];
  const bad: string[] = [];
  for (const item of splitList(value)) {
    let origin: string | undefined;
    try {
      const url = new URL(item);
      const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
      if ((url.protocol === 'https:' || url.protocol === 'http:') && bare) origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined) bad.push(item);
    else origins.push(origin);
  }
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be origins such as https://app.example.com (scheme, host, optional port, no path); ${bad.map(quote).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not`,
    });
    return z.NEVER;
  }
  return [...new Set(origins)];
});

/** The URL clients reach this server at, without a trailing slash. */
const publicUrl = text.transform((value, ctx): string | undefined => {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '') {
      if (url.username === '' && url.password === '') return url.href.replace(/\/+$/, '');
    }
  } catch {
    // Reported below.
  }
  ctx.addIssue({
    code: 'custom',
    message: `must be the URL clients use to reach this server, such as https://mcp.example.com; got ${quote(value)}`,
  });
  return z.NEVER;
});

export interface VariableSpec<S extends z.ZodType> {
  group: ConfigGroup;
  /** The default as a person reads it in the docs; undefined when there is none. */
  defaultText: string | undefined;
  /** When the variable must be set; undefined when it is optional. */
  requiredWhen?: string;
  description: string;
  secret?: boolean;
  schema: S;
}

function variable<S extends z.ZodType<unknown, string | undefined>>(spec: VariableSpec<S>): VariableSpec<S> {
  return spec;
}

export const CONFIG_SPEC = {
  WHMCS_API_URL: variable({
    group: 'upstream',
    defaultText: undefined,
    requiredWhen: 'always',
    description:
      'Base URL of your WHMCS, e.g. https://billing.example.com. /includes/api.php is appended unless the URL already ends in api.php.',
    schema: whmcsUrl,
  }),
  WHMCS_IDENTIFIER: variable({
    group: 'upstream',
    defaultText: undefined,
    requiredWhen: 'always',
    description:
      'API credential identifier (WHMCS: Configuration > System Settings > Manage API Credentials).',
    secret: true,
    schema: secretText(),
  }),
  WHMCS_SECRET: variable({
    group: 'upstream',
    defaultText: undefined,
    requiredWhen: 'always',
    description: 'API credential secret, shown once when the credential is created in WHMCS.',
    secret: true,
    schema: secretText(),
  }),
  WHMCS_ACCESS_KEY: variable({
    group: 'upstream',
    defaultText: undefined,
    description:
      'Optional API access key ($api_access_key in WHMCS configuration.php); lets calls past the API IP allowlist.',
    secret: true,
    schema: secretText(),
  }),
  WHMCS_ALLOW_HTTP: variable({
    group: 'upstream',
    defaultText: 'false',
    description:
      'Allow an http:// WHMCS_API_URL, for a local WHMCS or the sandbox. Refused when MCP_ENV=production.',
    schema: flag(false),
  }),
  WHMCS_TIMEOUT_MS: variable({
    group: 'upstream',
    defaultText: '30000',
    description: 'Longest wait for one WHMCS call, in milliseconds (1000 to 600000).',
    schema: wholeNumber({ min: 1000, max: 600_000, fallback: 30_000 }),
  }),
  WHMCS_CONNECT_TIMEOUT_MS: variable({
    group: 'upstream',
    defaultText: '10000',
    description:
      'Longest wait to open a connection to WHMCS, in milliseconds (100 to 120000; not more than WHMCS_TIMEOUT_MS).',
    schema: wholeNumber({ min: 100, max: 120_000, fallback: 10_000 }),
  }),
  WHMCS_MAX_RESPONSE_BYTES: variable({
    group: 'upstream',
    defaultText: String(20 * MIB),
    description: 'Largest WHMCS reply accepted, in bytes (default 20 MiB; 1024 to 1073741824).',
    schema: wholeNumber({ min: 1024, max: 1024 * MIB, fallback: 20 * MIB }),
  }),
  WHMCS_RATE_LIMIT: variable({
    group: 'upstream',
    defaultText: '10',
    description:
      'WHMCS calls per second, shared by every tool: at most this many start in any one-second window; excess calls wait in arrival order, none is dropped (0.1 to 1000).',
    schema: decimalNumber({ min: 0.1, max: 1000, fallback: 10 }),
  }),
  WHMCS_MAX_CONCURRENCY: variable({
    group: 'upstream',
    defaultText: '8',
    description:
      'WHMCS calls in flight at once (1 to 64). The default lets the largest aggregator (get_account_360, 7 reads) send its reads in one wave.',
    schema: wholeNumber({ min: 1, max: 64, fallback: 8 }),
  }),
  WHMCS_LIMITER: variable({
    group: 'upstream',
    defaultText: 'local',
    description:
      'How the two limits above are enforced: local (in-process; at most WHMCS_RATE_LIMIT calls start in any one-second window) or bottleneck (the same limits through Bottleneck, every launch a full interval apart; about 5 ms slower per call).',
    schema: oneOf(['local', 'bottleneck'] as const, 'local'),
  }),
  WHMCS_RETRY_ATTEMPTS: variable({
    group: 'upstream',
    defaultText: '3',
    description:
      'Attempts of a read call, the first included, when faults are transient (network, 5xx, timeout); 1 disables retries. Writes are sent once, never retried (1 to 10).',
    schema: wholeNumber({ min: 1, max: 10, fallback: 3 }),
  }),
  WHMCS_RETRY_MAX_MS: variable({
    group: 'upstream',
    defaultText: '15000',
    description: 'Total time budget for the retries of one read call, in milliseconds (0 to 300000).',
    schema: wholeNumber({ min: 0, max: 300_000, fallback: 15_000 }),
  }),
  MCP_ENV: variable({
    group: 'server',
    defaultText: 'development',
    description:
      'Environment profile: development, local, test, staging or production. .env.<MCP_ENV> is read over .env; production applies the strictest rules.',
    schema: oneOf(MCP_ENVS, 'development'),
  }),
  MCP_MODE: variable({
    group: 'server',
    defaultText: 'read_only',
    description:
      'read_only refuses writes; simulate runs the whole write flow without changing WHMCS; full executes approved writes.',
    schema: oneOf(MCP_MODES, 'read_only'),
  }),
  MCP_ACCESS_MODE: variable({
    group: 'server',
    defaultText: 'admin',
    description:
      'admin sees every client; client limits every answer to the clients in MCP_ALLOWED_CLIENT_IDS.',
    schema: oneOf(ACCESS_MODES, 'admin'),
  }),
  MCP_ALLOWED_CLIENT_IDS: variable({
    group: 'server',
    defaultText: undefined,
    requiredWhen: 'MCP_ACCESS_MODE=client',
    description:
      'Comma-separated WHMCS client ids this instance may serve, e.g. 42,57. Required in client mode.',
    schema: clientIdList,
  }),
  MCP_AUTH_TOKEN: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Shared secret every tool call must carry (as auth_token), at least 16 characters. Unset: no token is checked.',
    secret: true,
    schema: secretText({ minLength: 16 }),
  }),
  MCP_TOOLSETS: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Comma-separated toolsets to offer (e.g. clients,billing,support). Empty: the default toolsets.',
    schema: nameList(/^[A-Za-z0-9_.-]+$/, 'a toolset name'),
  }),
  MCP_TOOL_ALLOWLIST: variable({
    group: 'server',
    defaultText: undefined,
    description: 'Comma-separated tool names; when set, only these tools are offered. Empty: no allowlist.',
    schema: nameList(/^[A-Za-z0-9_.-]+$/, 'a tool name'),
  }),
  MCP_TOOL_DENYLIST: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Comma-separated tool names never offered, even when a toolset or the allowlist includes them.',
    schema: nameList(/^[A-Za-z0-9_.-]+$/, 'a tool name'),
  }),
  MCP_LARGE_REFUND_THRESHOLD: variable({
    group: 'server',
    defaultText: '1000',
    description: 'Refunds above this amount (in the currency of the payment) need the stricter approval.',
    schema: moneyAmount('1000'),
  }),
  MCP_CLIENT_CUSTOM_FIELD_LABELS: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Comma-separated id:label pairs naming client custom fields in answers, e.g. 12:VAT number,15:Region.',
    schema: customFieldLabels,
  }),
  MCP_WRITE_ALLOWLIST: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Comma-separated WHMCS actions that approved writes may execute, e.g. AddCredit,UpdateInvoice. In production an empty list lets no write execute.',
    schema: nameList(/^[A-Za-z][A-Za-z0-9]*$/, 'a WHMCS action name'),
  }),
  MCP_WRITES_DISABLED: variable({
    group: 'server',
    defaultText: 'false',
    description:
      'Emergency block: true refuses every write execution at once, whatever the mode and approvals.',
    schema: flag(false),
  }),
  MCP_AUTO_APPROVE: variable({
    group: 'server',
    defaultText: 'false',
    description:
      'true lets low-risk writes with no effects (a client note, a ticket note) approve themselves in full mode. Never applies to money, deletion, provisioning, registrar spend or customer e-mail.',
    schema: flag(false),
  }),
  MCP_APPROVAL_TTL: variable({
    group: 'server',
    defaultText: '15m',
    description: 'How long an approval stays valid before the intent must be approved again (90s, 15m, 2h).',
    schema: duration({ min: '30s', max: '24h', fallback: '15m' }),
  }),
  MCP_INTENT_TTL: variable({
    group: 'server',
    defaultText: '24h',
    description: 'How long a drafted or validated intent stays usable before it expires.',
    schema: duration({ min: '1m', max: '168h', fallback: '24h' }),
  }),
  MCP_CAP_PER_ACTION: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Largest amount one money-moving write may move, per currency. Unset: 1000 outside production; in production money-moving writes are refused until it is set.',
    schema: optionalMoneyAmount(),
  }),
  MCP_CAP_DAILY: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Largest total money-moving writes may move per day (UTC), per currency. Unset: 5000 outside production; in production money-moving writes are refused until it is set.',
    schema: optionalMoneyAmount(),
  }),
  MCP_DUAL_APPROVAL_THRESHOLD: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Money-moving or destructive writes at or above this amount need two approvals from different people; destructive writes with no amount (termination) need two whenever it is set.',
    schema: optionalMoneyAmount(),
  }),
  MCP_STATE_DB: variable({
    group: 'server',
    defaultText: './data/whmcs-mcp.sqlite',
    description:
      'SQLite file holding write intents and the audit chain; relative paths start at the working directory.',
    schema: text.transform((value) => value ?? './data/whmcs-mcp.sqlite'),
  }),
  MCP_OAUTH_ISSUER: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'OAuth 2.1 authorization server (issuer URL) whose JWT access tokens the HTTP transport accepts, e.g. https://login.example.com/realms/whmcs. Unset: OAuth is off.',
    schema: oauthUrl,
  }),
  MCP_OAUTH_AUDIENCE: variable({
    group: 'server',
    defaultText: undefined,
    requiredWhen: 'MCP_OAUTH_ISSUER is set',
    description:
      "This server's resource identifier, usually its public MCP URL (https://mcp.example.com/mcp); tokens must name it in aud.",
    schema: text,
  }),
  MCP_OAUTH_JWKS_URL: variable({
    group: 'server',
    defaultText: undefined,
    description:
      "Where the issuer publishes its signing keys. Unset: read from the issuer's /.well-known/oauth-authorization-server or openid-configuration.",
    schema: oauthUrl,
  }),
  MCP_OAUTH_CLOCK_SKEW: variable({
    group: 'server',
    defaultText: '60s',
    description: 'Clock difference tolerated when checking token expiry and not-before (0s to 5m).',
    schema: duration({ min: '0s', max: '5m', fallback: '60s' }),
  }),
  MCP_OAUTH_ROLE_SCOPES: variable({
    group: 'server',
    defaultText: DEFAULT_OAUTH_ROLE_SCOPES,
    description:
      'Which token scope grants which role, as role=scope pairs (roles: reader, operator, approver, admin). A token with none of these scopes is refused.',
    schema: roleScopes,
  }),
  MCP_OAUTH_CLIENT_CLAIM: variable({
    group: 'server',
    defaultText: 'whmcs_client_ids',
    description:
      'Token claim holding the WHMCS client ids the caller is bound to (an array of ids). Absent: bound only by the server settings.',
    schema: claimName,
  }),
  MCP_METRICS_TOKEN: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Bearer token Prometheus must send to read /metrics, at least 16 characters. Unset: metrics are off (404).',
    secret: true,
    schema: secretText({ minLength: 16 }),
  }),
  MCP_HTTP_HOST: variable({
    group: 'server',
    defaultText: '127.0.0.1',
    description:
      'Address `serve --http` listens on. Anything but a loopback address needs authentication (MCP_CONSUMERS_FILE or OAuth).',
    schema: listenHost,
  }),
  MCP_HTTP_PORT: variable({
    group: 'server',
    defaultText: '8080',
    description: 'TCP port `serve --http` listens on (0 picks a free one).',
    schema: wholeNumber({ min: 0, max: 65_535, fallback: 8080 }),
  }),
  MCP_HTTP_PUBLIC_URL: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'The URL clients reach this server at (e.g. https://mcp.example.com behind a TLS proxy), used in the protected-resource metadata. Unset: http://<Host header>.',
    schema: publicUrl,
  }),
  MCP_HTTP_ALLOWED_HOSTS: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Comma-separated extra Host header names accepted (DNS rebinding protection), e.g. mcp.example.com. Always accepted: the bound host, localhost, 127.0.0.1, [::1].',
    schema: hostNameList,
  }),
  MCP_HTTP_ALLOWED_ORIGINS: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'Comma-separated browser origins allowed to call /mcp, e.g. https://app.example.com. A request with any other Origin than its own host is refused (403).',
    schema: originList,
  }),
  MCP_HTTP_MAX_BODY_BYTES: variable({
    group: 'server',
    defaultText: String(MIB),
    description:
      'Largest request body accepted on /mcp, in bytes (default 1 MiB; 1024 to 67108864); larger is 413.',
    schema: wholeNumber({ min: 1024, max: 64 * MIB, fallback: MIB }),
  }),
  MCP_HTTP_SESSION_IDLE: variable({
    group: 'server',
    defaultText: '30m',
    description: 'An MCP session with no request and no open stream for this long ends (1m to 24h).',
    schema: duration({ min: '1m', max: '24h', fallback: '30m' }),
  }),
  MCP_HTTP_MAX_SESSIONS: variable({
    group: 'server',
    defaultText: '20',
    description:
      'Open MCP sessions one principal may hold at once; one more is refused with 429 (1 to 10000).',
    schema: wholeNumber({ min: 1, max: 10_000, fallback: 20 }),
  }),
  MCP_HTTP_RATE_LIMIT: variable({
    group: 'server',
    defaultText: '600',
    description:
      'Requests per minute one principal may make to /mcp; more get 429 with Retry-After (1 to 1000000).',
    schema: wholeNumber({ min: 1, max: 1_000_000, fallback: 600 }),
  }),
  MCP_HTTP_SHUTDOWN_GRACE: variable({
    group: 'server',
    defaultText: '10s',
    description:
      'On SIGTERM or SIGINT, how long calls in flight may take to finish before sessions are closed (0s to 10m).',
    schema: duration({ min: '0s', max: '10m', fallback: '10s' }),
  }),
  MCP_CONSUMERS_FILE: variable({
    group: 'server',
    defaultText: undefined,
    description:
      'JSON registry of HTTP consumers (token hashes, roles, client ids, toolsets) managed with `whmcs-mcp consumers`; re-read when it changes.',
    schema: text,
  }),
  MCP_LOG_LEVEL: variable({
    group: 'logging',
    defaultText: 'info',
    description: 'Log level: fatal, error, warn, info, debug, trace or silent. Logs go to stderr only.',
    schema: oneOf(LOG_LEVELS, 'info'),
  }),
  MCP_LOG_FORMAT: variable({
    group: 'logging',
    defaultText: 'json',
    description: 'json (one object a line) or pretty (for a person at a terminal).',
    schema: oneOf(LOG_FORMATS, 'json'),
  }),
};

export type ConfigVariableName = keyof typeof CONFIG_SPEC;

export const CONFIG_VARIABLE_NAMES = Object.keys(CONFIG_SPEC) as ConfigVariableName[];

/** The documentation of one variable, as data for generated docs and drift checks. */
export interface ConfigVariable {
  name: ConfigVariableName;
  group: ConfigGroup;
  defaultText: string | undefined;
  requiredWhen: string | undefined;
  description: string;
  secret: boolean;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = CONFIG_VARIABLE_NAMES.map((name) => {
  const spec: VariableSpec<z.ZodType> = CONFIG_SPEC[name];
  return {
    name,
    group: spec.group,
    defaultText: spec.defaultText,
    requiredWhen: spec.requiredWhen,
    description: spec.description,
    secret: spec.secret === true || isSecretVariableName(name),
  };
});
