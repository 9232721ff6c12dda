/**
 * `whmcs-mcp sandbox`: starts the WHMCS sandbox in the foreground, prints where it listens and the
 * credentials it accepts, and runs until SIGINT or SIGTERM.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError, defineCommand } from '../cli/command.js';
import {
  FAULT_RATE_OPTIONS,
  FaultSettingsError,
  faultSettingsFromEnv,
  mergeFaultSettings,
  parseFaultSettings,
  splitList,
  type FaultSettings,
} from './faults.js';
import { SANDBOX_DEFAULTS, startSandbox, type RunningSandbox, type SandboxOptions } from './index.js';

export const SANDBOX_DEFAULT_PORT = 8088;

/** Option declarations (the shape src/cli's OptionSpec uses), also the source of the help text. */
export const SANDBOX_OPTIONS = {
  port: {
    type: 'string',
    valueName: 'port',
    description: `Port to listen on; 0 picks a free one (default ${SANDBOX_DEFAULT_PORT})`,
  },
  host: {
    type: 'string',
    valueName: 'host',
    description: `Address to bind (default ${SANDBOX_DEFAULTS.host})`,
  },
  clients: {
    type: 'string',
    valueName: 'n',
    description: `Number of generated clients (default ${SANDBOX_DEFAULTS.clients})`,
  },
  seed: {
    type: 'string',
    valueName: 'n',
    description: `Seed of the generated data (default ${SANDBOX_DEFAULTS.seed})`,
  },
  identifier: {
    type: 'string',
    valueName: 'id',
    description: `API credential identifier (default ${SANDBOX_DEFAULTS.identifier})`,
  },
  secret: {
    type: 'string',
    valueName: 'secret',
    description: `API credential secret (default ${SANDBOX_DEFAULTS.secret})`,
  },
  'admin-username': {
    type: 'string',
    valueName: 'name',
    description: `Admin for the legacy username + MD5 password login (default ${SANDBOX_DEFAULTS.adminUsername})`,
  },
  'admin-password': {
    type: 'string',
    valueName: 'password',
    description: `That admin's password; callers send its MD5 (default ${SANDBOX_DEFAULTS.adminPassword})`,
  },
  'access-key': {
    type: 'string',
    valueName: 'key',
    description: 'API access key (configuration.php $api_access_key): lets a caller past the IP allowlist',
  },
  'ip-allowlist': {
    type: 'string',
    valueName: 'ips',
    description: 'Comma-separated API IP allowlist; others get 403 Invalid IP (default: allow all)',
  },
  'admin-token': {
    type: 'string',
    valueName: 'token',
    description: 'Token for /__sandbox/faults, /__sandbox/reset and /__sandbox/stats (default: random)',
  },
  'trust-client-ip-header': {
    type: 'boolean',
    description: 'Tests only: take the caller address from the X-Sandbox-Client-IP header',
  },
  'max-body-bytes': {
    type: 'string',
    valueName: 'n',
    description: `Largest request body; larger ones get HTTP 413 (default ${SANDBOX_DEFAULTS.maxBodyBytes})`,
  },
  faults: {
    type: 'string',
    valueName: 'json',
    description: 'Fault settings as JSON, as POST /__sandbox/faults takes them',
  },
  'fault-seed': {
    type: 'string',
    valueName: 'n',
    description: 'Seed for fault rates and jitter (repeatable runs)',
  },
  'latency-ms': { type: 'string', valueName: 'ms', description: 'Delay before every API reply' },
  'jitter-ms': { type: 'string', valueName: 'ms', description: 'Plus a random 0..ms' },
  'fault-actions': {
    type: 'string',
    valueName: 'actions',
    description: 'Comma-separated actions the fault rates apply to (default: all)',
  },
  ...Object.fromEntries(
    FAULT_RATE_OPTIONS.map((option) => [
      option.flag,
      { type: 'string', valueName: '0..1', description: `Share of calls (0..1) that get ${option.summary}` },
    ]),
  ),
} as const satisfies Record<string, { type: 'string' | 'boolean'; valueName?: string; description: string }>;

const HELP_OPTION = { type: 'boolean', short: 'h', description: 'Show this help' } as const;

function optionLines(): string {
  const rows = Object.entries({ ...SANDBOX_OPTIONS, help: HELP_OPTION }).map(([name, spec]) => {
    const flag = `--${name}${'valueName' in spec ? ` <${spec.valueName}>` : ''}`;
    return `  ${flag.padEnd(30)} ${spec.description}`;
  });
  return rows.join('\n');
}

export const SANDBOX_SUMMARY =
  'Run the WHMCS sandbox: a local, stateful WHMCS API for tests, demos and trying whmcs-mcp';

const SANDBOX_INTRO = `Starts a WHMCS External API emulator at http://<host>:<port>/includes/api.php with generated data,
prints the URL and the credentials it accepts, and runs until Ctrl+C (SIGINT) or SIGTERM.`;

const SANDBOX_FAULTS_TEXT = `Fault injection (off by default). Environment variables set the same faults; flags win over them:
  SANDBOX_FAULTS                 Fault settings as JSON (the --faults form)
  SANDBOX_FAULT_SEED             Seed for fault rates and jitter
  SANDBOX_LATENCY_MS             Delay before every API reply
  SANDBOX_JITTER_MS              Plus a random 0..ms
  SANDBOX_FAULT_ACTIONS          Comma-separated actions the rates apply to
${FAULT_RATE_OPTIONS.map((option) => `  ${option.env.padEnd(30)} Share of calls (0..1) that get ${option.summary}`).join('\n')}
Rates together must not exceed 1. Faults that answer before the action (HTTP 5xx, hang, maintenance
page, Invalid IP) change nothing; malformed UTF-8, truncated and empty replies come after it ran.

At run time, with the admin token as a bearer token:
  GET/POST/DELETE /__sandbox/faults   show, replace or clear the fault settings (JSON)
  POST /__sandbox/reset               regenerate the data; optional JSON {"seed": n, "clients": n}
  GET /__sandbox/stats                calls seen per action`;

const SANDBOX_EXAMPLES = [
  'whmcs-mcp sandbox --port 8088 --clients 200',
  'whmcs-mcp sandbox --port 0 --latency-ms 150 --jitter-ms 100 --error-rate 0.05 --fault-seed 7',
];

export const SANDBOX_HELP = `Usage: whmcs-mcp sandbox [options]

${SANDBOX_INTRO}

Options:
${optionLines()}

${SANDBOX_FAULTS_TEXT}

Examples:
${SANDBOX_EXAMPLES.map((example) => `  ${example}`).join('\n')}
`;

/** Where the command writes and what stops it; tests pass their own. */
export interface SandboxCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Stops the sandbox when aborted, besides SIGINT and SIGTERM. */
  signal?: AbortSignal;
  /** Called once the sandbox listens (tests read the URL from it). */
  onListening?: (sandbox: RunningSandbox) => void;
}

class UsageProblem extends Error {}

function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageProblem(`--${name} must be a whole number from ${min} to ${max}, not '${text}'`);
  }
  return value;
}

function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageProblem(`--${name} must be a number, not '${text}'`);
  return value;
}

type ParsedValues = {
  [K in keyof typeof SANDBOX_OPTIONS]?: (typeof SANDBOX_OPTIONS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

/** Fault settings from the environment, then --faults, then the single flags. */
function faultSettingsFrom(values: ParsedValues, env: SandboxCommandIo['env']): FaultSettings | undefined {
  let settings: FaultSettings | undefined = faultSettingsFromEnv(env);
  const fromFlags: FaultSettings = {};
  if (values.faults !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(values.faults);
    } catch {
      throw new UsageProblem('--faults must be JSON fault settings');
    }
    settings = mergeFaultSettings(settings ?? {}, parseFaultSettings(raw));
  }
  const seed = integerOption('fault-seed', values['fault-seed'], -(2 ** 31), 2 ** 32 - 1);
  if (seed !== undefined) fromFlags.seed = seed;
  const latency = integerOption('latency-ms', values['latency-ms'], 0, 600_000);
  if (latency !== undefined) fromFlags.latencyMs = latency;
  const jitter = integerOption('jitter-ms', values['jitter-ms'], 0, 600_000);
  if (jitter !== undefined) fromFlags.jitterMs = jitter;
  if (values['fault-actions'] !== undefined) fromFlags.actions = splitList(values['fault-actions']);
  for (const option of FAULT_RATE_OPTIONS) {
    const value = numberOption(
      option.flag,
      (values as Record<string, string | boolean | undefined>)[option.flag] as string | undefined,
    );
    if (value !== undefined) fromFlags.rates = { ...fromFlags.rates, [option.kind]: value };
  }
  if (Object.keys(fromFlags).length === 0) return settings;
  return parseFaultSettings(mergeFaultSettings(settings ?? {}, fromFlags));
}

function optionsFrom(values: ParsedValues, env: SandboxCommandIo['env']): SandboxOptions {
  const options: SandboxOptions = {
    port: integerOption('port', values.port, 0, 65_535) ?? SANDBOX_DEFAULT_PORT,
  };
  if (values.host !== undefined) options.host = values.host;
  const clients = integerOption('clients', values.clients, 1, 1_000_000);
  if (clients !== undefined) options.clients = clients;
  const seed = integerOption('seed', values.seed, 0, 2 ** 32 - 1);
  if (seed !== undefined) options.seed = seed;
  if (values.identifier !== undefined) options.identifier = values.identifier;
  if (values.secret !== undefined) options.secret = values.secret;
  if (values['admin-username'] !== undefined) options.adminUsername = values['admin-username'];
  if (values['admin-password'] !== undefined) options.adminPassword = values['admin-password'];
  if (values['access-key'] !== undefined) options.accessKey = values['access-key'];
  if (values['ip-allowlist'] !== undefined) options.ipAllowlist = splitList(values['ip-allowlist']);
  if (values['admin-token'] !== undefined) options.adminToken = values['admin-token'];
  if (values['trust-client-ip-header'] === true) options.trustClientIpHeader = true;
  const maxBody = integerOption('max-body-bytes', values['max-body-bytes'], 1024, 1024 ** 3);
  if (maxBody !== undefined) options.maxBodyBytes = maxBody;
  const faults = faultSettingsFrom(values, env);
  if (faults !== undefined) options.faults = faults;
  return options;
}

/** The human-readable start banner: where the sandbox listens and what it accepts. */
export function describeSandbox(sandbox: RunningSandbox, options: SandboxOptions): string {
  const md5 = createHash('md5').update(sandbox.adminPassword, 'utf8').digest('hex');
  const faults = sandbox.faults.active ? JSON.stringify(sandbox.faults.settings) : 'off';
  const allowlist =
    options.ipAllowlist !== undefined && options.ipAllowlist.length > 0
      ? options.ipAllowlist.join(', ')
      : 'any address';
  const lines = [
    `WHMCS sandbox listening on ${sandbox.url}`,
    `  API URL        ${sandbox.apiUrl}`,
    `  identifier     ${sandbox.identifier}`,
    `  secret         ${sandbox.secret}`,
    `  legacy login   username ${sandbox.adminUsername}, password MD5 of '${sandbox.adminPassword}' (${md5})`,
    ...(sandbox.accessKey === undefined ? [] : [`  access key     ${sandbox.accessKey}`]),
    `  IP allowlist   ${allowlist}`,
    `  admin token    ${sandbox.adminToken}  (for /__sandbox/faults, /__sandbox/reset, /__sandbox/stats)`,
    `  data           ${options.clients ?? SANDBOX_DEFAULTS.clients} clients, seed ${options.seed ?? SANDBOX_DEFAULTS.seed}`,
    `  faults         ${faults}`,
    '',
    'Point whmcs-mcp at it:',
    `  WHMCS_API_URL=${sandbox.url} WHMCS_IDENTIFIER=${sandbox.identifier} WHMCS_SECRET=${sandbox.secret} WHMCS_ALLOW_HTTP=true`,
    '',
    'Stop with Ctrl+C.',
    '',
  ];
  return lines.join('\n');
}

function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string): void => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const onInterrupt = (): void => stop('SIGINT');
    const onTerminate = (): void => stop('SIGTERM');
    const onAbort = (): void => stop('abort');
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onTerminate);
    if (signal?.aborted === true) stop('abort');
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Starts the sandbox, prints the banner, and stops it on SIGINT, SIGTERM or the io signal. */
async function serveSandbox(options: SandboxOptions, io: Partial<SandboxCommandIo>): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${options.port ?? SANDBOX_DEFAULT_PORT} is already in use (try --port 0 for a free one)`
        : (error as Error).message;
    stderr.write(`whmcs-mcp sandbox: cannot start: ${reason}\n`);
    return 1;
  }
  stdout.write(describeSandbox(sandbox, options));
  io.onListening?.(sandbox);
  const reason = await waitForStop(io.signal);
  await sandbox.close();
  stdout.write(`WHMCS sandbox stopped (${reason}).\n`);
  return 0;
}

/** Problems in flags or SANDBOX_* variables, worded for the person who typed them. */
function isUsageProblem(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof UsageProblem ||
    error instanceof FaultSettingsError ||
    (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
  );
}

/**
 * Runs `whmcs-mcp sandbox <argv>` on its own (parsing, --help, usage errors with exit code 2);
 * resolves with 0 once the sandbox has stopped, 1 when it could not start.
 */
export async function runSandboxCommand(
  argv: readonly string[],
  io: Partial<SandboxCommandIo> = {},
): Promise<number> {
  let options: SandboxOptions;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries({ ...SANDBOX_OPTIONS, help: HELP_OPTION }).map(([name, spec]) => [
          name,
          'short' in spec ? { type: spec.type, short: spec.short } : { type: spec.type },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
    if (values['help'] === true) {
      (io.stdout ?? process.stdout).write(SANDBOX_HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageProblem(`unexpected argument '${positionals[0] ?? ''}'`);
    options = optionsFrom(values as ParsedValues, io.env ?? process.env);
  } catch (error) {
    if (!isUsageProblem(error)) throw error;
    (io.stderr ?? process.stderr).write(
      `whmcs-mcp sandbox: ${error.message}\n\nRun 'whmcs-mcp sandbox --help' for the options.\n`,
    );
    return 2;
  }
  return serveSandbox(options, io);
}

/** The subcommand as a plain module: name, summary, help text and a run(argv) that parses for itself. */
export const sandboxCommand = {
  name: 'sandbox',
  summary: SANDBOX_SUMMARY,
  help: SANDBOX_HELP,
  run: runSandboxCommand,
} as const;

/** The same subcommand declared for the src/cli frame (it parses the flags and prints the help). */
export const sandboxCliCommand = defineCommand({
  name: 'sandbox',
  summary: SANDBOX_SUMMARY,
  description: `${SANDBOX_INTRO}\n\n${SANDBOX_FAULTS_TEXT}`,
  options: SANDBOX_OPTIONS,
  examples: SANDBOX_EXAMPLES,
  async run({ options: values, io }) {
    let options: SandboxOptions;
    try {
      options = optionsFrom(values as ParsedValues, io.env);
    } catch (error) {
      if (isUsageProblem(error)) throw new UsageError(error.message);
      throw error;
    }
    return serveSandbox(options, io);
  },
});
