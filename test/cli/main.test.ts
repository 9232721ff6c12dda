import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand, defineCommandGroup, UsageError, type CliCommand } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { ConfigError } from '../../src/config/load.js';
import { WhmcsMcpError } from '../../src/errors.js';
import { captureIo, removeCapturedDirectories } from './io.js';

afterEach(removeCapturedDirectories);

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const received: unknown[] = [];

const approve = defineCommand({
  name: 'approve',
  summary: 'Approve an intent',
  arguments: [
    { name: 'intent', description: 'The intent id', required: true },
    { name: 'notes', description: 'Free notes', variadic: true },
  ],
  options: {
    as: { type: 'string', valueName: 'name', description: 'Who approves' },
    yes: { type: 'boolean', short: 'y', description: 'Do not ask' },
  },
  run({ options, args, io }) {
    received.push({ options, args });
    if (options.as === '') throw new UsageError('--as must not be empty');
    io.stdout.write(`approved ${String(args.intent)} as ${options.as ?? 'nobody'}\n`);
    return 0;
  },
});

const explode = defineCommand({
  name: 'explode',
  summary: 'Fails in the ways commands fail',
  options: { kind: { type: 'string', description: 'config, whmcs or other' } },
  run({ options }) {
    if (options.kind === 'config')
      throw new ConfigError([{ variable: 'MCP_MODE', message: 'must be one of ...' }]);
    if (options.kind === 'whmcs') throw new WhmcsMcpError('auth_failed', 'WHMCS rejected the credentials.');
    throw new Error('disk full');
  },
});

const TEST_COMMANDS: CliCommand[] = [
  defineCommandGroup({ name: 'intents', summary: 'Work with write intents', subcommands: [approve] }),
  explode,
];

function run(argv: string[], commands: readonly CliCommand[] = TEST_COMMANDS) {
  const io = captureIo();
  return runCli(argv, io, { commands }).then((code) => ({
    code,
    stdout: io.stdout.text,
    stderr: io.stderr.text,
  }));
}

describe('top level', () => {
  it('prints the help with every registered command on --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run([flag], COMMANDS);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^Usage: whmcs-mcp <command> \[options\]/);
      for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command.name}`);
      expect(result.stdout).toContain('doctor');
    }
  });

  it('prints the version', async () => {
    for (const flag of ['--version', '-v']) {
      expect(await run([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  it('exits 2 with the usage on stderr for a missing or unknown command', async () => {
    const missing = await run([]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('whmcs-mcp: missing command');
    expect(missing.stderr).toContain('Usage: whmcs-mcp <command>');

    const unknown = await run(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(unknown.stderr).toContain('Usage:');

    const typo = await run(['intent']);
    expect(typo.stderr).toContain("did you mean 'intents'?");
  });

  it('exits 2 for an unknown top-level flag', async () => {
    const result = await run(['--frobnicate']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });

  it('runs the default command when none is given, if one is set', async () => {
    const io = captureIo();
    const code = await runCli([], io, { commands: TEST_COMMANDS, defaultCommand: 'explode' });
    expect(code).toBe(1);
    expect(io.stderr.text).toContain('disk full');
  });
});

describe('help for commands', () => {
  it.each(COMMANDS.map((command) => [command.name]))(
    'every registered command answers --help: %s',
    async (name) => {
      const viaFlag = await run([name, '--help'], COMMANDS);
      const viaHelp = await run(['help', name], COMMANDS);
      expect(viaFlag.code).toBe(0);
      expect(viaFlag.stderr).toBe('');
      expect(viaFlag.stdout).toContain(`Usage: whmcs-mcp ${name}`);
      expect(viaFlag.stdout).toContain('-h, --help');
      expect(viaHelp).toEqual(viaFlag);
    },
  );

  it('describes arguments and options of a nested command', async () => {
    const result = await run(['intents', 'approve', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: whmcs-mcp intents approve <intent> [notes...] [options]');
    expect(result.stdout).toMatch(/--as <name>\s+Who approves/);
    expect(result.stdout).toMatch(/-y, --yes\s+Do not ask/);
    expect(result.stdout).toMatch(/intent\s+The intent id/);
    expect(await run(['help', 'intents', 'approve'])).toEqual(result);
  });

  it('lists the subcommands of a group', async () => {
    for (const argv of [
      ['intents', '--help'],
      ['help', 'intents'],
    ]) {
      const result = await run(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: whmcs-mcp intents <command> [options]');
      expect(result.stdout).toMatch(/approve\s+Approve an intent/);
    }
  });

  it('shows help even when other flags are wrong', async () => {
    expect((await run(['intents', 'approve', '--bogus', '--help'])).code).toBe(0);
  });

  it('exits 2 when asked for help on an unknown command', async () => {
    const result = await run(['help', 'nothing']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain("no help for unknown command 'nothing'");
  });
});

describe('parsing a command', () => {
  it('passes typed options and named arguments', async () => {
    received.length = 0;
    const result = await run(['intents', 'approve', 'int_123', 'looks', 'fine', '--as', 'alice', '-y']);
    expect(result).toEqual({ code: 0, stdout: 'approved int_123 as alice\n', stderr: '' });
    expect(received).toEqual([
      { options: { as: 'alice', yes: true }, args: { intent: 'int_123', notes: ['looks', 'fine'] } },
    ]);
  });

  it.each([
    [['intents', 'approve', 'int_1', '--bogus'], "Unknown option '--bogus'"],
    [['intents', 'approve', 'int_1', '--as'], "Option '--as <value>' argument missing"],
    [['intents', 'approve'], 'missing <intent>'],
    [['explode', 'extra'], "unexpected argument 'extra'"],
    [['intents'], 'missing command'],
    [['intents', 'reject'], "unknown command 'reject'"],
    [['intents', 'approve', 'int_1', '--as', ''], '--as must not be empty'],
  ])('exits 2 for %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: whmcs-mcp');
  });
});

describe('failures', () => {
  it('exits 1 with the configuration problems', async () => {
    const result = await run(['explode', '--kind', 'config']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Invalid configuration: 1 problem');
    expect(result.stderr).toContain("Run 'whmcs-mcp doctor'");
  });

  it('exits 1 with the WHMCS error message and code', async () => {
    const result = await run(['explode', '--kind', 'whmcs']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('whmcs-mcp explode: WHMCS rejected the credentials. (auth_failed)\n');
  });

  it('exits 1 on an unexpected error without a stack trace', async () => {
    const result = await run(['explode']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('whmcs-mcp explode: unexpected error: disk full\n');
  });
});

describe('the installed entry point', () => {
  const entry = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
  const cli = (...argv: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', entry, ...argv], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });

  it('sets the process exit code: 0 for --version, 2 for an unknown command', () => {
    const version = cli('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});
