/**
 * Turns environment variables into a typed AppConfig. Every variable is checked, then the rules
 * that span variables, so one run reports every problem at once. No message repeats the value of
 * a secret variable.
 */
import type { z } from 'zod';
import type { Role } from '../policy/principal.js';
import {
  CONFIG_SPEC,
  CONFIG_VARIABLE_NAMES,
  CONFIG_VARIABLES,
  type AccessMode,
  type ConfigVariableName,
  type LogFormat,
  type LogLevel,
  type McpEnv,
  type McpMode,
} from './variables.js';

export interface WhmcsConfig {
  /** Base URL without a trailing slash; the client appends /includes/api.php when needed. */
  apiUrl: string;
  identifier: string;
  secret: string;
  accessKey: string | undefined;
  allowHttp: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  rateLimitPerSecond: number;
  maxConcurrency: number;
  limiter: 'local' | 'bottleneck';
  /** Attempts of a read action, the first included; writes are sent once. */
  retryAttempts: number;
  retryMaxMs: number;
}

/** The OAuth 2.1 resource server: which issuer's access tokens the HTTP transport accepts. */
export interface OAuthConfig {
  issuer: string;
  /** The value tokens must carry in `aud`: this server's resource URL. */
  audience: string;
  /** Undefined: discovered from the issuer's metadata. */
  jwksUrl: string | undefined;
  clockSkewMs: number;
  /** Scope -> the role it grants. */
  roleScopes: ReadonlyMap<string, Role>;
  /** The claim holding the client ids a token is bound to. */
  clientClaim: string;
}

export interface AppConfig {
  env: McpEnv;
  whmcs: WhmcsConfig;
  mode: McpMode;
  accessMode: AccessMode;
  /** Empty unless accessMode is client, where it is never empty. */
  allowedClientIds: readonly number[];
  authToken: string | undefined;
  /** Empty lists mean "not restricted by this setting". */
  toolsets: readonly string[];
  toolAllowlist: readonly string[];
  toolDenylist: readonly string[];
  /** Two-decimal amount, e.g. "1000.00". */
  largeRefundThreshold: string;
  clientCustomFieldLabels: ReadonlyMap<number, string>;
  writeAllowlist: readonly string[];
  writesDisabled: boolean;
  autoApprove: boolean;
  approvalTtlMs: number;
  intentTtlMs: number;
  /** Two-place amounts, or undefined when not configured (see DEFAULT_CAPS in src/writes). */
  capPerAction: string | undefined;
  capDaily: string | undefined;
  dualApprovalThreshold: string | undefined;
  /** As configured; loadConfig resolves a relative path against its working directory. */
  stateDbPath: string;
  /** The HTTP transport (`serve --http`). */
  http: HttpConfig;
  /** MCP_CONSUMERS_FILE as configured; relative paths start at the working directory. */
  consumersFile: string | undefined;
  log: { level: LogLevel; format: LogFormat };
  /** Undefined when MCP_OAUTH_ISSUER is unset (OAuth off). */
  oauth: OAuthConfig | undefined;
  /** MCP_METRICS_TOKEN; undefined turns the metrics endpoint off. */
  metricsToken: string | undefined;
}

export interface HttpConfig {
  /** Listen address, IPv6 without brackets. */
  host: string;
  port: number;
  /** What clients call this server, without a trailing slash; undefined: taken from the Host header. */
  publicUrl: string | undefined;
  /** Extra Host header names accepted on top of the bound host and the loopback names. */
  allowedHosts: readonly string[];
  /** Browser origins accepted besides the request's own host. */
  allowedOrigins: readonly string[];
  maxBodyBytes: number;
  sessionIdleMs: number;
  maxSessionsPerPrincipal: number;
  rateLimitPerMinute: number;
  shutdownGraceMs: number;
}

/** One bad setting: `variable` is the variable (or file) at fault, `message` says why. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigVariableValues = {
  [K in ConfigVariableName]: z.output<(typeof CONFIG_SPEC)[K]['schema']>;
};

export type RawEnvironment = Readonly<Record<string, string | undefined>>;

export interface ConfigEvaluation {
  /** Each variable that parsed on its own; rules between variables do not remove values here. */
  values: Partial<ConfigVariableValues>;
  problems: ConfigProblem[];
  /** Things worth a look that do not stop the server, such as a misspelt variable name. */
  warnings: string[];
  /** Present when there are no problems. */
  config: AppConfig | undefined;
  /**
   * Present when the upstream settings are usable on their own, even if other variables are
   * bad: lets `doctor` still probe WHMCS. Invalid tuning values fall back to their defaults.
   */
  whmcs: WhmcsConfig | undefined;
}

function rawValue(env: RawEnvironment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseVariable<K extends ConfigVariableName>(
  name: K,
  raw: string | undefined,
): { ok: true; value: ConfigVariableValues[K] } | { ok: false; messages: string[] } {
  const schema: z.ZodType<unknown, string | undefined> = CONFIG_SPEC[name].schema;
  const result = schema.safeParse(raw);
  // The schema at CONFIG_SPEC[name] is the one ConfigVariableValues[K] is inferred from.
  if (result.success) return { ok: true, value: result.data as ConfigVariableValues[K] };
  return { ok: false, messages: result.error.issues.map((issue) => issue.message) };
}

function defaultOf<K extends ConfigVariableName>(name: K): ConfigVariableValues[K] {
  const result = parseVariable(name, undefined);
  if (!result.ok) throw new Error(`${name} has no usable default`);
  return result.value;
}

/** Rules between variables; each adds problems for the variables a person would change. */
function crossCheck(
  env: RawEnvironment,
  values: Partial<ConfigVariableValues>,
  problems: ConfigProblem[],
  warnings: string[],
): void {
  const add = (variable: ConfigVariableName, message: string) => problems.push({ variable, message });
  const present = (name: ConfigVariableName) => rawValue(env, name) !== undefined;

  if (!present('WHMCS_API_URL')) {
    add('WHMCS_API_URL', 'is required: the base URL of your WHMCS, e.g. https://billing.example.com');
  }
  const credentialHint =
    'create an API credential in WHMCS under Configuration > System Settings > Manage API Credentials';
  if (!present('WHMCS_IDENTIFIER') && !present('WHMCS_SECRET')) {
    add('WHMCS_IDENTIFIER', `is required together with WHMCS_SECRET: ${credentialHint}`);
    add('WHMCS_SECRET', `is required together with WHMCS_IDENTIFIER: ${credentialHint}`);
  } else if (!present('WHMCS_SECRET')) {
    add(
      'WHMCS_SECRET',
      'is required when WHMCS_IDENTIFIER is set: the two come from the same API credential',
    );
  } else if (!present('WHMCS_IDENTIFIER')) {
    add(
      'WHMCS_IDENTIFIER',
      'is required when WHMCS_SECRET is set: the two come from the same API credential',
    );
  }

  if (
    values.MCP_ENV === 'production' &&
    values.MCP_MODE !== undefined &&
    values.MCP_MODE !== 'read_only' &&
    values.MCP_STATE_DB === ':memory:'
  ) {
    add(
      'MCP_STATE_DB',
      'cannot be :memory: in production with writes enabled: intents and the audit chain would vanish on restart; give it a file path',
    );
  }

  if (values.WHMCS_API_URL !== undefined && values.WHMCS_API_URL.startsWith('http:')) {
    if (values.MCP_ENV === 'production') {
      add(
        'WHMCS_API_URL',
        'must use https:// when MCP_ENV=production; WHMCS_ALLOW_HTTP does not apply in production because credentials would cross the network in clear text',
      );
    } else if (values.WHMCS_ALLOW_HTTP === false) {
      add(
        'WHMCS_API_URL',
        'uses http://, which sends the API credentials in clear text; use https://, or set WHMCS_ALLOW_HTTP=true for a local WHMCS or the sandbox',
      );
    }
  }

  if (
    values.WHMCS_CONNECT_TIMEOUT_MS !== undefined &&
    values.WHMCS_TIMEOUT_MS !== undefined &&
    values.WHMCS_CONNECT_TIMEOUT_MS > values.WHMCS_TIMEOUT_MS
  ) {
    add(
      'WHMCS_CONNECT_TIMEOUT_MS',
      `must not be more than WHMCS_TIMEOUT_MS (${values.WHMCS_CONNECT_TIMEOUT_MS} > ${values.WHMCS_TIMEOUT_MS})`,
    );
  }

  if (values.MCP_ACCESS_MODE === 'client' && values.MCP_ALLOWED_CLIENT_IDS?.length === 0) {
    add(
      'MCP_ALLOWED_CLIENT_IDS',
      'is required when MCP_ACCESS_MODE=client: list the WHMCS client ids this instance may serve, e.g. 42,57',
    );
  }
  if (values.MCP_ACCESS_MODE === 'admin' && (values.MCP_ALLOWED_CLIENT_IDS?.length ?? 0) > 0) {
    warnings.push('MCP_ALLOWED_CLIENT_IDS is set but ignored because MCP_ACCESS_MODE=admin');
  }

  checkOAuth(values, present, add);
}

/** OAuth settings only make sense together, and a loopback http issuer never in production. */
function checkOAuth(
  values: Partial<ConfigVariableValues>,
  present: (name: ConfigVariableName) => boolean,
  add: (variable: ConfigVariableName, message: string) => void,
): void {
  if (!present('MCP_OAUTH_ISSUER')) {
    for (const name of ['MCP_OAUTH_AUDIENCE', 'MCP_OAUTH_JWKS_URL'] as const) {
      if (present(name)) add(name, 'is set but OAuth is off: set MCP_OAUTH_ISSUER as well, or unset it');
    }
    return;
  }
  if (!present('MCP_OAUTH_AUDIENCE')) {
    add(
      'MCP_OAUTH_AUDIENCE',
      "is required when MCP_OAUTH_ISSUER is set: this server's resource URL, which tokens must name in aud",
    );
  }
  if (values.MCP_ENV === 'production') {
    for (const name of ['MCP_OAUTH_ISSUER', 'MCP_OAUTH_JWKS_URL'] as const) {
      if (values[name]?.startsWith('http:')) {
        add(name, 'must use https:// when MCP_ENV=production');
      }
    }
  }
}

/** Variables that look like ours but are not: usually a typo that would otherwise go unnoticed. */
function unknownVariableWarnings(env: RawEnvironment): string[] {
  const known = new Set<string>(CONFIG_VARIABLE_NAMES);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!/^(WHMCS|MCP)_/.test(name) || known.has(name)) continue;
    const suggestion = CONFIG_VARIABLE_NAMES.find((candidate) => editDistance(candidate, name) <= 2);
    warnings.push(
      suggestion === undefined
        ? `${name} is not a whmcs-mcp setting and is ignored`
        : `${name} is not a whmcs-mcp setting and is ignored; did you mean ${suggestion}?`,
    );
  }
  return warnings;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Belt and braces over the messages: even if a rule quoted a value by mistake, the value of a
 * secret variable never reaches the message.
 */
function withoutSecretValues(env: RawEnvironment, problems: ConfigProblem[]): ConfigProblem[] {
  const secretValues = CONFIG_VARIABLES.filter((variable) => variable.secret)
    .map((variable) => rawValue(env, variable.name))
    .filter((value): value is string => value !== undefined && value.length >= 3)
    .sort((a, b) => b.length - a.length);
  for (const name of Object.keys(env)) {
    const value = rawValue(env, name);
    if (value !== undefined && value.length >= 3 && /TOKEN|SECRET|PASSWORD|PASSWD|KEY/i.test(name)) {
      secretValues.push(value);
    }
  }
  return problems.map((problem) => {
    let message = problem.message;
    for (const value of secretValues) message = message.split(value).join('[secret]');
    return { variable: problem.variable, message };
  });
}

function whmcsConfigFrom(
  values: Partial<ConfigVariableValues>,
  problemVariables: ReadonlySet<string>,
): WhmcsConfig | undefined {
  // Without these the probe would send credentials somewhere, or in a way, nobody approved.
  const essential: ConfigVariableName[] = [
    'WHMCS_API_URL',
    'WHMCS_IDENTIFIER',
    'WHMCS_SECRET',
    'WHMCS_ACCESS_KEY',
    'WHMCS_ALLOW_HTTP',
    'MCP_ENV',
  ];
  if (essential.some((name) => problemVariables.has(name))) return undefined;
  const { WHMCS_API_URL: apiUrl, WHMCS_IDENTIFIER: identifier, WHMCS_SECRET: secret } = values;
  if (apiUrl === undefined || identifier === undefined || secret === undefined) return undefined;
  const pick = <K extends ConfigVariableName>(name: K): ConfigVariableValues[K] => {
    const value = values[name];
    return value === undefined || problemVariables.has(name) ? defaultOf(name) : value;
  };
  const timeoutMs = pick('WHMCS_TIMEOUT_MS');
  return {
    apiUrl,
    identifier,
    secret,
    accessKey: values.WHMCS_ACCESS_KEY,
    allowHttp: pick('WHMCS_ALLOW_HTTP'),
    timeoutMs,
    connectTimeoutMs: Math.min(pick('WHMCS_CONNECT_TIMEOUT_MS'), timeoutMs),
    maxResponseBytes: pick('WHMCS_MAX_RESPONSE_BYTES'),
    rateLimitPerSecond: pick('WHMCS_RATE_LIMIT'),
    maxConcurrency: pick('WHMCS_MAX_CONCURRENCY'),
    limiter: pick('WHMCS_LIMITER'),
    retryAttempts: pick('WHMCS_RETRY_ATTEMPTS'),
    retryMaxMs: pick('WHMCS_RETRY_MAX_MS'),
  };
}

function toAppConfig(values: ConfigVariableValues, whmcs: WhmcsConfig): AppConfig {
  return {
    env: values.MCP_ENV,
    whmcs,
    mode: values.MCP_MODE,
    accessMode: values.MCP_ACCESS_MODE,
    allowedClientIds: values.MCP_ACCESS_MODE === 'client' ? values.MCP_ALLOWED_CLIENT_IDS : [],
    authToken: values.MCP_AUTH_TOKEN,
    toolsets: values.MCP_TOOLSETS,
    toolAllowlist: values.MCP_TOOL_ALLOWLIST,
    toolDenylist: values.MCP_TOOL_DENYLIST,
    largeRefundThreshold: values.MCP_LARGE_REFUND_THRESHOLD,
    clientCustomFieldLabels: values.MCP_CLIENT_CUSTOM_FIELD_LABELS,
    writeAllowlist: values.MCP_WRITE_ALLOWLIST,
    writesDisabled: values.MCP_WRITES_DISABLED,
    autoApprove: values.MCP_AUTO_APPROVE,
    approvalTtlMs: values.MCP_APPROVAL_TTL,
    intentTtlMs: values.MCP_INTENT_TTL,
    capPerAction: values.MCP_CAP_PER_ACTION,
    capDaily: values.MCP_CAP_DAILY,
    dualApprovalThreshold: values.MCP_DUAL_APPROVAL_THRESHOLD,
    stateDbPath: values.MCP_STATE_DB,
    http: {
      host: values.MCP_HTTP_HOST,
      port: values.MCP_HTTP_PORT,
      publicUrl: values.MCP_HTTP_PUBLIC_URL,
      allowedHosts: values.MCP_HTTP_ALLOWED_HOSTS,
      allowedOrigins: values.MCP_HTTP_ALLOWED_ORIGINS,
      maxBodyBytes: values.MCP_HTTP_MAX_BODY_BYTES,
      sessionIdleMs: values.MCP_HTTP_SESSION_IDLE,
      maxSessionsPerPrincipal: values.MCP_HTTP_MAX_SESSIONS,
      rateLimitPerMinute: values.MCP_HTTP_RATE_LIMIT,
      shutdownGraceMs: values.MCP_HTTP_SHUTDOWN_GRACE,
    },
    consumersFile: values.MCP_CONSUMERS_FILE,
    log: { level: values.MCP_LOG_LEVEL, format: values.MCP_LOG_FORMAT },
    oauth:
      values.MCP_OAUTH_ISSUER === undefined || values.MCP_OAUTH_AUDIENCE === undefined
        ? undefined
        : {
            issuer: values.MCP_OAUTH_ISSUER,
            audience: values.MCP_OAUTH_AUDIENCE,
            jwksUrl: values.MCP_OAUTH_JWKS_URL,
            clockSkewMs: values.MCP_OAUTH_CLOCK_SKEW,
            roleScopes: values.MCP_OAUTH_ROLE_SCOPES,
            clientClaim: values.MCP_OAUTH_CLIENT_CLAIM,
          },
    metricsToken: values.MCP_METRICS_TOKEN,
  };
}

/** Checks every variable and every rule between them; never throws on bad input. */
export function evaluateConfig(env: RawEnvironment): ConfigEvaluation {
  const values: Partial<ConfigVariableValues> = {};
  const problems: ConfigProblem[] = [];
  const assign = <K extends ConfigVariableName>(name: K) => {
    const result = parseVariable(name, rawValue(env, name));
    if (result.ok) values[name] = result.value;
    else for (const message of result.messages) problems.push({ variable: name, message });
  };
  for (const name of CONFIG_VARIABLE_NAMES) assign(name);

  const warnings: string[] = [];
  crossCheck(env, values, problems, warnings);
  warnings.push(...unknownVariableWarnings(env));

  // Report in declaration order, so related variables sit together.
  const order = new Map<string, number>(CONFIG_VARIABLE_NAMES.map((name, index) => [name, index]));
  problems.sort((a, b) => (order.get(a.variable) ?? -1) - (order.get(b.variable) ?? -1));

  const problemVariables = new Set(problems.map((problem) => problem.variable));
  const whmcs = whmcsConfigFrom(values, problemVariables);
  const config =
    problems.length === 0 && whmcs !== undefined
      ? toAppConfig(values as ConfigVariableValues, whmcs)
      : undefined;
  return { values, problems: withoutSecretValues(env, problems), warnings, config, whmcs };
}

/** Pure: the configuration, or every problem found. */
export function parseConfig(env: RawEnvironment): { config: AppConfig } | { problems: ConfigProblem[] } {
  const evaluation = evaluateConfig(env);
  return evaluation.config === undefined ? { problems: evaluation.problems } : { config: evaluation.config };
}

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const heading =
    problems.length === 1
      ? 'Invalid configuration: 1 problem'
      : `Invalid configuration: ${problems.length} problems`;
  return [heading, ...problems.map((problem) => `  - ${problem.variable}: ${problem.message}`)].join('\n');
}
