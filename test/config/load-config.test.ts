import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, inspectConfig, loadConfig, readConfigSources } from '../../src/config/index.js';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'whmcs-mcp-config-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function write(name: string, lines: string[]): void {
  writeFileSync(join(directory, name), `${lines.join('\n')}\n`);
}

const CREDENTIALS = ['WHMCS_IDENTIFIER=ident', 'WHMCS_SECRET=secret-value'];

describe('configuration layers', () => {
  it('reads .env, then .env.<MCP_ENV> over it, then the process environment over both', () => {
    write('.env', [
      ...CREDENTIALS,
      'WHMCS_API_URL=https://base.example.com',
      'MCP_MODE=simulate',
      'MCP_LOG_LEVEL=debug',
      'WHMCS_RATE_LIMIT=2',
    ]);
    write('.env.staging', [
      'WHMCS_API_URL=https://staging.example.com',
      'MCP_LOG_LEVEL=warn',
      'WHMCS_RATE_LIMIT=3',
    ]);
    write('.env.production', ['WHMCS_API_URL=https://production.example.com']);

    const config = loadConfig({ cwd: directory, env: { MCP_ENV: 'staging', WHMCS_RATE_LIMIT: '4' } });
    expect(config.env).toBe('staging');
    expect(config.whmcs.apiUrl).toBe('https://staging.example.com');
    expect(config.mode).toBe('simulate');
    expect(config.log.level).toBe('warn');
    expect(config.whmcs.rateLimitPerSecond).toBe(4);
  });

  it('uses the development profile when MCP_ENV is not set anywhere', () => {
    write('.env', [...CREDENTIALS, 'WHMCS_API_URL=https://base.example.com']);
    write('.env.development', ['MCP_MODE=full']);
    const sources = readConfigSources({ cwd: directory, env: {} });
    expect(sources.profile).toBe('development');
    expect(sources.files).toEqual(['.env', '.env.development']);
    expect(loadConfig({ cwd: directory, env: {} }).mode).toBe('full');
  });

  it('lets .env choose the profile when the process environment does not', () => {
    write('.env', [...CREDENTIALS, 'MCP_ENV=local', 'WHMCS_API_URL=https://base.example.com']);
    write('.env.local', ['WHMCS_API_URL=http://127.0.0.1:8088', 'WHMCS_ALLOW_HTTP=true']);
    const config = loadConfig({ cwd: directory, env: {} });
    expect(config.env).toBe('local');
    expect(config.whmcs.apiUrl).toBe('http://127.0.0.1:8088');
  });

  it('works with no files at all', () => {
    const config = loadConfig({
      cwd: directory,
      env: { WHMCS_API_URL: 'https://billing.example.com', WHMCS_IDENTIFIER: 'i', WHMCS_SECRET: 's' },
    });
    expect(config.whmcs.apiUrl).toBe('https://billing.example.com');
  });

  it('lets an empty process variable unset a value from a file', () => {
    write('.env', [...CREDENTIALS, 'WHMCS_API_URL=https://base.example.com', 'WHMCS_ACCESS_KEY=from-file']);
    expect(loadConfig({ cwd: directory, env: { WHMCS_ACCESS_KEY: '' } }).whmcs.accessKey).toBeUndefined();
  });

  it('lets caller overrides win over every layer', () => {
    write('.env', [...CREDENTIALS, 'WHMCS_API_URL=https://base.example.com']);
    const config = loadConfig({
      cwd: directory,
      env: { WHMCS_API_URL: 'https://process.example.com' },
      overrides: {
        WHMCS_API_URL: 'http://127.0.0.1:9999',
        WHMCS_ALLOW_HTTP: 'true',
        WHMCS_SECRET: 'sandbox-secret',
      },
    });
    expect(config.whmcs).toMatchObject({
      apiUrl: 'http://127.0.0.1:9999',
      allowHttp: true,
      secret: 'sandbox-secret',
    });
  });

  it('supplies a missing WHMCS_API_URL through overrides', () => {
    expect(() => loadConfig({ cwd: directory, env: {} })).toThrow(ConfigError);
    const config = loadConfig({
      cwd: directory,
      env: {},
      overrides: {
        WHMCS_API_URL: 'http://127.0.0.1:9999',
        WHMCS_ALLOW_HTTP: 'true',
        WHMCS_IDENTIFIER: 'sandbox',
        WHMCS_SECRET: 's',
      },
    });
    expect(config.whmcs.identifier).toBe('sandbox');
  });

  it('resolves a relative state database path against the working directory', () => {
    const env = { WHMCS_API_URL: 'https://b.example.com', WHMCS_IDENTIFIER: 'i', WHMCS_SECRET: 's' };
    expect(loadConfig({ cwd: directory, env }).stateDbPath).toBe(join(directory, 'data', 'whmcs-mcp.sqlite'));
    expect(loadConfig({ cwd: directory, env: { ...env, MCP_STATE_DB: ':memory:' } }).stateDbPath).toBe(
      ':memory:',
    );
    expect(
      loadConfig({ cwd: directory, env: { ...env, MCP_STATE_DB: '/var/lib/whmcs-mcp/state.db' } })
        .stateDbPath,
    ).toBe('/var/lib/whmcs-mcp/state.db');
  });
});

describe('configuration file problems', () => {
  it('refuses a profile file that names a different profile', () => {
    write('.env', [...CREDENTIALS, 'WHMCS_API_URL=https://base.example.com']);
    write('.env.staging', ['MCP_ENV=production']);
    const inspection = inspectConfig({ cwd: directory, env: { MCP_ENV: 'staging' } });
    expect(inspection.config).toBeUndefined();
    expect(inspection.problems).toEqual([
      {
        variable: '.env.staging',
        message: expect.stringContaining(
          'different profile than the one that selected it (staging)',
        ) as string,
      },
    ]);
  });

  it('reports a malformed line by number without repeating it', () => {
    write('.env', ['WHMCS_API_URL=https://base.example.com', 'WHMCS_SECRET Zq-malformed-77', ...CREDENTIALS]);
    const error = captureConfigError(() => loadConfig({ cwd: directory, env: {} }));
    expect(error.problems).toEqual([
      { variable: '.env', message: 'line 2 is not NAME=value and was skipped' },
    ]);
    expect(error.message).not.toContain('Zq-malformed-77');
  });

  it('does not mistake the lines of a quoted multi-line value for malformed lines', () => {
    write('.env', [
      ...CREDENTIALS,
      'WHMCS_API_URL=https://base.example.com',
      'MCP_CLIENT_CUSTOM_FIELD_LABELS="12:VAT number,',
      '13:Tier,',
      '15:Region"',
      'export MCP_MODE=simulate',
    ]);
    const config = loadConfig({ cwd: directory, env: {} });
    expect(config.mode).toBe('simulate');
    expect([...config.clientCustomFieldLabels.keys()]).toEqual([12, 13, 15]);
  });

  it('skips the profile file when MCP_ENV is invalid and says so once', () => {
    write('.env', [...CREDENTIALS, 'WHMCS_API_URL=https://base.example.com']);
    const inspection = inspectConfig({ cwd: directory, env: { MCP_ENV: 'prod' } });
    expect(inspection.profile).toBeUndefined();
    expect(inspection.files).toEqual(['.env']);
    expect(inspection.problems.map((problem) => problem.variable)).toEqual(['MCP_ENV']);
  });
});

function captureConfigError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ConfigError', () => {
  it('lists every problem in one message with the files it read, and no secret', () => {
    write('.env', [
      'WHMCS_IDENTIFIER=Ident-Planted-31',
      'WHMCS_ACCESS_KEY=Key-Planted-47',
      'MCP_MODE=everything',
    ]);
    write('.env.production', ['WHMCS_API_URL=http://billing.example.com', 'WHMCS_ALLOW_HTTP=true']);
    const error = captureConfigError(() =>
      loadConfig({
        cwd: directory,
        env: { MCP_ENV: 'production', MCP_AUTH_TOKEN: 'Token-Planted-5', MCP_ACCESS_MODE: 'client' },
      }),
    );
    expect(error.problems.map((problem) => problem.variable)).toEqual([
      'WHMCS_API_URL',
      'WHMCS_SECRET',
      'MCP_MODE',
      'MCP_ALLOWED_CLIENT_IDS',
      'MCP_AUTH_TOKEN',
    ]);
    expect(error.message).toMatch(/^Invalid configuration: 5 problems\n/);
    expect(error.message).toContain('(read from .env, .env.production, the process environment)');
    for (const planted of ['Ident-Planted-31', 'Key-Planted-47', 'Token-Planted-5']) {
      expect(error.message).not.toContain(planted);
    }
  });
});
