import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, parseConfig } from '../../src/config/index.js';

const root = new URL('../../', import.meta.url);

function readProjectFile(name: string): string {
  return readFileSync(new URL(name, root), 'utf8');
}

/** Every NAME= line, commented out or not: .env.example shows optional variables commented. */
function documentedNames(content: string): string[] {
  return [...content.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] ?? '');
}

describe('.env.example', () => {
  const content = readProjectFile('.env.example');
  const names = documentedNames(content);

  it('documents every configuration variable', () => {
    const missing = CONFIG_VARIABLES.map((variable) => variable.name).filter((name) => !names.includes(name));
    expect(missing).toEqual([]);
  });

  it('documents nothing the configuration does not read', () => {
    const known = new Set<string>(CONFIG_VARIABLES.map((variable) => variable.name));
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });

  it('documents each variable once, with its default where it has one', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const variable of CONFIG_VARIABLES) {
      if (variable.defaultText === undefined) continue;
      expect(content, variable.name).toMatch(
        new RegExp(`^# ${variable.name}=${variable.defaultText.replace(/\./g, '\\.')}$`, 'm'),
      );
    }
  });

  it('leaves the required variables uncommented and empty, so copying it fails loudly', () => {
    const required = CONFIG_VARIABLES.filter((variable) => variable.requiredWhen === 'always');
    for (const variable of required) expect(content).toMatch(new RegExp(`^${variable.name}=$`, 'm'));
  });
});

describe('.env.local.example', () => {
  it('is a complete, valid sandbox setup', () => {
    const env = parseEnv(readProjectFile('.env.local.example'));
    expect(env).toMatchObject({
      MCP_ENV: 'local',
      WHMCS_API_URL: 'http://127.0.0.1:8088',
      WHMCS_IDENTIFIER: 'sandbox',
      WHMCS_SECRET: 'sandbox-secret',
      WHMCS_ALLOW_HTTP: 'true',
    });
    const result = parseConfig(env);
    expect('config' in result ? result.config.env : result.problems).toBe('local');
  });
});
