import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  evaluateConfig,
  formatConfigProblems,
  parseConfig,
  whmcsClientOptions,
  type AppConfig,
  type ConfigProblem,
} from '../../src/config/index.js';

const VALID = {
  WHMCS_API_URL: 'https://billing.example.com',
  WHMCS_IDENTIFIER: 'ident',
  WHMCS_SECRET: 'secret-value',
};

function configOf(env: Record<string, string>): AppConfig {
  const result = parseConfig({ ...VALID, ...env });
  if ('problems' in result) throw new Error(formatConfigProblems(result.problems));
  return result.config;
}

function problemsOf(env: Record<string, string | undefined>): ConfigProblem[] {
  const result = parseConfig(env);
  if ('config' in result) throw new Error('expected problems, got a configuration');
  return result.problems;
}

function problemFor(env: Record<string, string | undefined>, variable: string): string {
  const found = problemsOf(env).filter((problem) => problem.variable === variable);
  expect(found, `a problem for ${variable}`).toHaveLength(1);
  return found[0]?.message ?? '';
}

describe('parseConfig defaults', () => {
  it('fills every default from the documented values', () => {
    const config = configOf({});
    expect(config).toMatchObject({
      env: 'development',
      mode: 'read_only',
      accessMode: 'admin',
      allowedClientIds: [],
      authToken: undefined,
      toolsets: [],
      toolAllowlist: [],
      toolDenylist: [],
      largeRefundThreshold: '1000.00',
      writeAllowlist: [],
      writesDisabled: false,
      stateDbPath: './data/whmcs-mcp.sqlite',
      log: { level: 'info', format: 'json' },
    });
    expect(config.whmcs).toEqual({
      apiUrl: 'https://billing.example.com',
      identifier: 'ident',
      secret: 'secret-value',
      accessKey: undefined,
      allowHttp: false,
      timeoutMs: 30000,
      connectTimeoutMs: 10000,
      maxResponseBytes: 20 * 1024 * 1024,
      rateLimitPerSecond: 10,
      maxConcurrency: 8,
      limiter: 'local',
      retryAttempts: 3,
      retryMaxMs: 15000,
    });
    expect(config.clientCustomFieldLabels.size).toBe(0);
  });

  it('treats empty and blank values as unset', () => {
    const config = configOf({ WHMCS_ACCESS_KEY: '', MCP_MODE: '   ', MCP_AUTH_TOKEN: '' });
    expect(config.whmcs.accessKey).toBeUndefined();
    expect(config.mode).toBe('read_only');
    expect(config.authToken).toBeUndefined();
  });

  it('documents a default for every variable that has one, matching what parsing produces', () => {
    const documented = Object.fromEntries(
      CONFIG_VARIABLES.filter((variable) => variable.defaultText !== undefined).map((variable) => [
        variable.name,
        variable.defaultText ?? '',
      ]),
    );
    expect(configOf(documented)).toEqual(configOf({}));
  });
});

describe('parseConfig values', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('reads the boolean %s as %s', (text, expected) => {
    expect(configOf({ MCP_WRITES_DISABLED: text }).writesDisabled).toBe(expected);
  });

  it.each(['on', 'off', 'maybe', '2', 'y'])('refuses the boolean %s and quotes it', (text) => {
    expect(problemFor({ ...VALID, MCP_WRITES_DISABLED: text }, 'MCP_WRITES_DISABLED')).toContain(`'${text}'`);
  });

  it.each([
    ['WHMCS_TIMEOUT_MS', '999'],
    ['WHMCS_TIMEOUT_MS', '600001'],
    ['WHMCS_TIMEOUT_MS', '1.5'],
    ['WHMCS_TIMEOUT_MS', '-5'],
    ['WHMCS_CONNECT_TIMEOUT_MS', '99'],
    ['WHMCS_MAX_RESPONSE_BYTES', '1023'],
    ['WHMCS_RATE_LIMIT', '0'],
    ['WHMCS_RATE_LIMIT', '1001'],
    ['WHMCS_MAX_CONCURRENCY', '0'],
    ['WHMCS_MAX_CONCURRENCY', '65'],
    ['WHMCS_RETRY_ATTEMPTS', '0'],
    ['WHMCS_RETRY_ATTEMPTS', '11'],
    ['WHMCS_RETRY_MAX_MS', '300001'],
    ['WHMCS_RETRY_MAX_MS', 'ten'],
  ])('refuses %s=%s as out of bounds', (variable, text) => {
    expect(problemFor({ ...VALID, [variable]: text }, variable)).toMatch(/from \d+(\.\d+)? to \d+/);
  });

  it('takes a limiter backend by name and refuses any other', () => {
    expect(configOf({ ...VALID, WHMCS_LIMITER: 'Bottleneck' }).whmcs.limiter).toBe('bottleneck');
    expect(problemFor({ ...VALID, WHMCS_LIMITER: 'redis' }, 'WHMCS_LIMITER')).toMatch(
      /must be one of local, bottleneck/,
    );
  });

  it('accepts numbers at their bounds and a fractional rate', () => {
    const config = configOf({
      WHMCS_TIMEOUT_MS: '600000',
      WHMCS_CONNECT_TIMEOUT_MS: '100',
      WHMCS_RATE_LIMIT: '0.5',
      WHMCS_RETRY_ATTEMPTS: '1',
      WHMCS_RETRY_MAX_MS: '0',
    });
    expect(config.whmcs).toMatchObject({
      timeoutMs: 600000,
      connectTimeoutMs: 100,
      rateLimitPerSecond: 0.5,
      retryAttempts: 1,
      retryMaxMs: 0,
    });
  });

  it('refuses a connect timeout longer than the call timeout', () => {
    const message = problemFor(
      { ...VALID, WHMCS_TIMEOUT_MS: '5000', WHMCS_CONNECT_TIMEOUT_MS: '6000' },
      'WHMCS_CONNECT_TIMEOUT_MS',
    );
    expect(message).toContain('WHMCS_TIMEOUT_MS');
  });

  it('reads enumerations case-insensitively and refuses unknown words', () => {
    expect(configOf({ MCP_MODE: 'SIMULATE', MCP_LOG_FORMAT: 'Pretty' })).toMatchObject({
      mode: 'simulate',
      log: { format: 'pretty' },
    });
    expect(problemFor({ ...VALID, MCP_MODE: 'ful' }, 'MCP_MODE')).toBe(
      "must be one of read_only, simulate, full; got 'ful'",
    );
    expect(problemFor({ ...VALID, MCP_ENV: 'prod' }, 'MCP_ENV')).toContain('production');
    expect(problemFor({ ...VALID, MCP_LOG_LEVEL: 'verbose' }, 'MCP_LOG_LEVEL')).toContain('debug');
  });

  it('splits comma lists, trims items, drops empties and repeats', () => {
    const config = configOf({
      MCP_TOOLSETS: ' billing , clients,,billing ',
      MCP_TOOL_ALLOWLIST: 'get_invoice,search_clients',
      MCP_TOOL_DENYLIST: 'terminate_service',
      MCP_WRITE_ALLOWLIST: 'AddCredit, UpdateInvoice',
    });
    expect(config.toolsets).toEqual(['billing', 'clients']);
    expect(config.toolAllowlist).toEqual(['get_invoice', 'search_clients']);
    expect(config.toolDenylist).toEqual(['terminate_service']);
    expect(config.writeAllowlist).toEqual(['AddCredit', 'UpdateInvoice']);
  });

  it('refuses names that cannot be tool or WHMCS action names', () => {
    expect(
      problemFor({ ...VALID, MCP_TOOL_ALLOWLIST: 'get_invoice,get invoice' }, 'MCP_TOOL_ALLOWLIST'),
    ).toBe("'get invoice' is not a tool name");
    expect(
      problemFor({ ...VALID, MCP_WRITE_ALLOWLIST: 'AddCredit,add-credit' }, 'MCP_WRITE_ALLOWLIST'),
    ).toContain("'add-credit'");
  });

  it('reads client custom field labels as id:label pairs', () => {
    const config = configOf({ MCP_CLIENT_CUSTOM_FIELD_LABELS: '12:VAT number, 15 : Region:EU' });
    expect([...config.clientCustomFieldLabels]).toEqual([
      [12, 'VAT number'],
      [15, 'Region:EU'],
    ]);
    const message = problemFor(
      { ...VALID, MCP_CLIENT_CUSTOM_FIELD_LABELS: '12:VAT,12:Tax,x:Label,7:' },
      'MCP_CLIENT_CUSTOM_FIELD_LABELS',
    );
    expect(message).toContain('custom field 12 is listed twice');
    expect(message).toContain("'x:Label' is not id:label");
    expect(message).toContain("'7:' is not id:label");
  });

  it('keeps the large refund threshold as an exact two-decimal amount', () => {
    expect(configOf({ MCP_LARGE_REFUND_THRESHOLD: '249.5' }).largeRefundThreshold).toBe('249.50');
    expect(configOf({ MCP_LARGE_REFUND_THRESHOLD: '0' }).largeRefundThreshold).toBe('0.00');
    for (const bad of ['-1', '10.001', 'lots', '1e3']) {
      expect(
        problemFor({ ...VALID, MCP_LARGE_REFUND_THRESHOLD: bad }, 'MCP_LARGE_REFUND_THRESHOLD'),
      ).toContain(bad);
    }
  });

  it('requires an auth token of at least 16 characters when one is set', () => {
    expect(configOf({ MCP_AUTH_TOKEN: 'a'.repeat(16) }).authToken).toBe('a'.repeat(16));
    expect(problemFor({ ...VALID, MCP_AUTH_TOKEN: 'short-token' }, 'MCP_AUTH_TOKEN')).toBe(
      'must be at least 16 characters long (it has 11)',
    );
  });
});

describe('WHMCS_API_URL', () => {
  it('is required', () => {
    expect(problemFor({ WHMCS_IDENTIFIER: 'i', WHMCS_SECRET: 's' }, 'WHMCS_API_URL')).toMatch(/^is required/);
  });

  it('drops a trailing slash and keeps a path or an api.php ending', () => {
    expect(configOf({ WHMCS_API_URL: 'https://billing.example.com/' }).whmcs.apiUrl).toBe(
      'https://billing.example.com',
    );
    expect(configOf({ WHMCS_API_URL: 'https://example.com/whmcs/' }).whmcs.apiUrl).toBe(
      'https://example.com/whmcs',
    );
    expect(configOf({ WHMCS_API_URL: 'https://example.com/includes/api.php' }).whmcs.apiUrl).toBe(
      'https://example.com/includes/api.php',
    );
  });

  it.each([
    ['billing.example.com', 'must be the base URL'],
    ['ftp://billing.example.com', 'must start with https://'],
    ['https://billing.example.com/?x=1', 'query string'],
  ])('refuses %s', (url, expected) => {
    expect(problemFor({ ...VALID, WHMCS_API_URL: url }, 'WHMCS_API_URL')).toContain(expected);
  });

  it('refuses a URL carrying credentials without repeating them', () => {
    const message = problemFor(
      { ...VALID, WHMCS_API_URL: 'https://admin:Pw-Zx81Qv@billing.example.com' },
      'WHMCS_API_URL',
    );
    expect(message).toContain('must not contain a user name or password');
    expect(message).not.toContain('Pw-Zx81Qv');
    const unparsable = problemFor(
      { ...VALID, WHMCS_API_URL: 'https://admin:Pw-Zx81Qv@bad host' },
      'WHMCS_API_URL',
    );
    expect(unparsable).not.toContain('Pw-Zx81Qv');
  });

  it('refuses http unless WHMCS_ALLOW_HTTP is set', () => {
    const http = { ...VALID, WHMCS_API_URL: 'http://127.0.0.1:8088' };
    expect(problemFor(http, 'WHMCS_API_URL')).toContain('WHMCS_ALLOW_HTTP=true');
    expect(configOf({ ...http, WHMCS_ALLOW_HTTP: 'true' }).whmcs).toMatchObject({
      apiUrl: 'http://127.0.0.1:8088',
      allowHttp: true,
    });
  });

  it('refuses http in production even with WHMCS_ALLOW_HTTP', () => {
    const message = problemFor(
      {
        ...VALID,
        WHMCS_API_URL: 'http://billing.example.com',
        WHMCS_ALLOW_HTTP: 'true',
        MCP_ENV: 'production',
      },
      'WHMCS_API_URL',
    );
    expect(message).toContain('MCP_ENV=production');
    expect(configOf({ MCP_ENV: 'production', WHMCS_ALLOW_HTTP: 'true' }).env).toBe('production');
  });
});

describe('WHMCS credentials', () => {
  it('requires the identifier and the secret together', () => {
    const url = { WHMCS_API_URL: VALID.WHMCS_API_URL };
    expect(problemFor({ ...url, WHMCS_IDENTIFIER: 'i' }, 'WHMCS_SECRET')).toContain(
      'when WHMCS_IDENTIFIER is set',
    );
    expect(problemFor({ ...url, WHMCS_SECRET: 's' }, 'WHMCS_IDENTIFIER')).toContain(
      'when WHMCS_SECRET is set',
    );
    const neither = problemsOf(url).map((problem) => problem.variable);
    expect(neither).toEqual(['WHMCS_IDENTIFIER', 'WHMCS_SECRET']);
  });

  it('passes the optional access key through', () => {
    expect(configOf({ WHMCS_ACCESS_KEY: 'k-123' }).whmcs.accessKey).toBe('k-123');
  });
});

describe('client access mode', () => {
  it('needs MCP_ALLOWED_CLIENT_IDS', () => {
    expect(problemFor({ ...VALID, MCP_ACCESS_MODE: 'client' }, 'MCP_ALLOWED_CLIENT_IDS')).toContain(
      'required when MCP_ACCESS_MODE=client',
    );
    expect(
      problemFor(
        { ...VALID, MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: ' , ' },
        'MCP_ALLOWED_CLIENT_IDS',
      ),
    ).toContain('required');
  });

  it('reads the client ids as positive whole numbers without repeats', () => {
    const config = configOf({ MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: '42, 57,42' });
    expect(config.accessMode).toBe('client');
    expect(config.allowedClientIds).toEqual([42, 57]);
  });

  it('names every bad client id', () => {
    const message = problemFor(
      { ...VALID, MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: '42,0,-3,abc,4.5' },
      'MCP_ALLOWED_CLIENT_IDS',
    );
    expect(message).toContain("'0', '-3', 'abc', '4.5' are not");
  });

  it('ignores client ids in admin mode, with a warning', () => {
    const evaluation = evaluateConfig({ ...VALID, MCP_ALLOWED_CLIENT_IDS: '42' });
    expect(evaluation.config?.allowedClientIds).toEqual([]);
    expect(evaluation.warnings).toContain(
      'MCP_ALLOWED_CLIENT_IDS is set but ignored because MCP_ACCESS_MODE=admin',
    );
  });
});

describe('problem reporting', () => {
  it('reports every bad variable at once, in declaration order', () => {
    const problems = problemsOf({
      WHMCS_API_URL: 'not a url',
      WHMCS_IDENTIFIER: 'i',
      WHMCS_TIMEOUT_MS: 'soon',
      MCP_MODE: 'write_everything',
      MCP_ACCESS_MODE: 'client',
      MCP_LOG_FORMAT: 'xml',
      WHMCS_ALLOW_HTTP: 'perhaps',
    });
    expect(problems.map((problem) => problem.variable)).toEqual([
      'WHMCS_API_URL',
      'WHMCS_SECRET',
      'WHMCS_ALLOW_HTTP',
      'WHMCS_TIMEOUT_MS',
      'MCP_MODE',
      'MCP_ALLOWED_CLIENT_IDS',
      'MCP_LOG_FORMAT',
    ]);
    const text = formatConfigProblems(problems);
    expect(text.split('\n')[0]).toBe('Invalid configuration: 7 problems');
    for (const problem of problems) expect(text).toContain(`  - ${problem.variable}: ${problem.message}`);
  });

  it('never repeats the value of a secret, even one pasted into another variable', () => {
    const planted = {
      WHMCS_IDENTIFIER: 'Ident-Q7Z3xw',
      WHMCS_SECRET: 'Secret-K2L9pq',
      WHMCS_ACCESS_KEY: 'Access-M4N5rt',
      MCP_AUTH_TOKEN: 'Tok-9f8e7d',
    };
    const problems = problemsOf({
      ...planted,
      WHMCS_API_URL: 'http://billing.example.com',
      MCP_TOOLSETS: 'Secret-K2L9pq!',
      MCP_MODE: 'Access-M4N5rt',
    });
    const text = formatConfigProblems(problems);
    expect(text).toContain('MCP_AUTH_TOKEN');
    expect(text).toContain('MCP_TOOLSETS');
    expect(text).toContain("got '[secret]'");
    for (const value of Object.values(planted)) expect(text).not.toContain(value);
  });

  it('warns about variables that look like ours but are not', () => {
    const evaluation = evaluateConfig({ ...VALID, MCP_MOD: 'full', WHMCS_DEBUG: '1', OTHER_THING: 'x' });
    expect(evaluation.config).toBeDefined();
    expect(evaluation.warnings).toEqual([
      'MCP_MOD is not a whmcs-mcp setting and is ignored; did you mean MCP_MODE?',
      'WHMCS_DEBUG is not a whmcs-mcp setting and is ignored',
    ]);
  });
});

describe('evaluateConfig for diagnostics', () => {
  it('keeps usable WHMCS settings when only server variables are bad', () => {
    const evaluation = evaluateConfig({ ...VALID, MCP_MODE: 'bogus', WHMCS_RATE_LIMIT: 'fast' });
    expect(evaluation.config).toBeUndefined();
    expect(evaluation.whmcs).toMatchObject({ apiUrl: 'https://billing.example.com', rateLimitPerSecond: 10 });
    expect(evaluation.values.MCP_MODE).toBeUndefined();
    expect(evaluation.values.MCP_ACCESS_MODE).toBe('admin');
  });

  it('withholds WHMCS settings that would send credentials where nobody allowed', () => {
    expect(evaluateConfig({ ...VALID, WHMCS_API_URL: 'http://billing.example.com' }).whmcs).toBeUndefined();
    expect(
      evaluateConfig({ ...VALID, WHMCS_API_URL: 'http://x.test', WHMCS_ALLOW_HTTP: 'perhaps' }).whmcs,
    ).toBeUndefined();
    expect(
      evaluateConfig({ WHMCS_API_URL: VALID.WHMCS_API_URL, WHMCS_IDENTIFIER: 'i' }).whmcs,
    ).toBeUndefined();
  });
});

describe('CONFIG_VARIABLES', () => {
  it('marks the credentials and anything named like a secret as secret', () => {
    const secrets = CONFIG_VARIABLES.filter((variable) => variable.secret).map((variable) => variable.name);
    expect(secrets.sort()).toEqual([
      'MCP_AUTH_TOKEN',
      'MCP_METRICS_TOKEN',
      'WHMCS_ACCESS_KEY',
      'WHMCS_IDENTIFIER',
      'WHMCS_SECRET',
    ]);
  });

  it('describes every variable and keeps the naming pattern', () => {
    for (const variable of CONFIG_VARIABLES) {
      expect(variable.name).toMatch(/^(WHMCS|MCP)_[A-Z0-9_]+$/);
      expect(variable.description.length).toBeGreaterThan(20);
      expect(variable.group).toBe(
        variable.name.startsWith('WHMCS_') ? 'upstream' : variable.group === 'logging' ? 'logging' : 'server',
      );
      if (variable.name.startsWith('MCP_LOG_')) expect(variable.group).toBe('logging');
    }
  });
});

describe('whmcsClientOptions', () => {
  it('maps the WHMCS settings onto the client options', () => {
    const logger = pino({ level: 'silent' });
    const config = configOf({
      WHMCS_ACCESS_KEY: 'key-1',
      WHMCS_RETRY_ATTEMPTS: '5',
      WHMCS_RETRY_MAX_MS: '9000',
    });
    expect(whmcsClientOptions(config, logger)).toEqual({
      apiUrl: 'https://billing.example.com',
      identifier: 'ident',
      secret: 'secret-value',
      accessKey: 'key-1',
      allowHttp: false,
      timeoutMs: 30000,
      connectTimeoutMs: 10000,
      maxResponseBytes: 20 * 1024 * 1024,
      rateLimitPerSecond: 10,
      maxConcurrency: 8,
      limiter: 'local',
      retry: { attempts: 5, maxTotalMs: 9000 },
      logger,
    });
  });
});

describe('write-flow settings', () => {
  it('reads durations, caps and the auto-approval switch', () => {
    const config = configOf({
      MCP_APPROVAL_TTL: '90s',
      MCP_INTENT_TTL: '2h',
      MCP_CAP_PER_ACTION: '250.5',
      MCP_CAP_DAILY: '1000',
      MCP_AUTO_APPROVE: 'yes',
    });
    expect(config).toMatchObject({
      approvalTtlMs: 90_000,
      intentTtlMs: 7_200_000,
      capPerAction: '250.50',
      capDaily: '1000.00',
      dualApprovalThreshold: undefined,
      autoApprove: true,
    });
    expect(configOf({})).toMatchObject({
      approvalTtlMs: 900_000,
      intentTtlMs: 86_400_000,
      capPerAction: undefined,
    });
  });

  it('refuses durations out of range or without a unit, and caps that are not positive amounts', () => {
    expect(problemFor({ ...VALID, MCP_APPROVAL_TTL: '15' }, 'MCP_APPROVAL_TTL')).toMatch(/15m/);
    expect(problemFor({ ...VALID, MCP_APPROVAL_TTL: '2d' }, 'MCP_APPROVAL_TTL')).toMatch(/duration/);
    expect(problemFor({ ...VALID, MCP_APPROVAL_TTL: '48h' }, 'MCP_APPROVAL_TTL')).toMatch(/24h/);
    expect(problemFor({ ...VALID, MCP_CAP_DAILY: '0' }, 'MCP_CAP_DAILY')).toMatch(/above 0/);
    expect(problemFor({ ...VALID, MCP_CAP_PER_ACTION: '10.005' }, 'MCP_CAP_PER_ACTION')).toMatch(
      /two decimals/,
    );
  });

  it('refuses an in-memory state store in production when writes are enabled', () => {
    const production = { ...VALID, MCP_ENV: 'production', MCP_STATE_DB: ':memory:' };
    expect(problemFor({ ...production, MCP_MODE: 'full' }, 'MCP_STATE_DB')).toMatch(/:memory:/);
    expect(problemFor({ ...production, MCP_MODE: 'simulate' }, 'MCP_STATE_DB')).toMatch(/restart/);
    expect(parseConfig({ ...production, MCP_MODE: 'read_only' })).toHaveProperty('config');
    expect(parseConfig({ ...VALID, MCP_MODE: 'full', MCP_STATE_DB: ':memory:' })).toHaveProperty('config');
  });
});
