/**
 * The `whmcs-mcp` command frame: finds the subcommand, parses its flags strictly, prints help,
 * and turns outcomes into exit codes (0 success, 1 failure, 2 usage error). The frame itself
 * writes to stdout only when asked for help or the version, so `serve` keeps stdout for JSON-RPC.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.js';
import { isWhmcsMcpError } from '../errors.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  loadCommand,
  type CliCommand,
  type CliIo,
  type LeafCommand,
  type LoadedCommand,
} from './command.js';
import { PROGRAM, commandHelp, groupHelp, programHelp, usageHint } from './help.js';
import { COMMANDS, DEFAULT_COMMAND } from './registry.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

export interface RunCliOptions {
  /** The command list; defaults to the registry. Tests pass their own. */
  commands?: readonly CliCommand[];
  /** Runs when no command is given; defaults to the registry's DEFAULT_COMMAND. */
  defaultCommand?: string | undefined;
}

function closestName(name: string, candidates: readonly string[]): string | undefined {
  return candidates.find((candidate) => candidate.startsWith(name) || name.startsWith(candidate));
}

function usageFailure(
  io: CliIo,
  message: string,
  path: readonly string[],
  command: LoadedCommand | undefined,
): number {
  io.stderr.write(`${PROGRAM}: ${message}\n\n${usageHint(path, command)}`);
  return EXIT_USAGE;
}

function findCommand(commands: readonly CliCommand[], name: string): CliCommand | undefined {
  return commands.find((command) => command.name === name);
}

/** True when --help or -h appears before a `--` terminator. */
function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** Parses a leaf command's arguments against its declarations; throws UsageError on any mismatch. */
function parseLeaf(command: LeafCommand, argv: readonly string[]) {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, option]) => [
      name,
      {
        type: option.type,
        multiple: option.multiple ?? false,
        ...(option.short === undefined ? {} : { short: option.short }),
      },
    ]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs reports unknown flags and missing values with a TypeError and an ERR_PARSE_ARGS code.
    throw new UsageError(
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error),
    );
  }
  const args: Record<string, string | string[] | undefined> = {};
  const remaining = [...parsed.positionals];
  for (const argument of command.arguments) {
    if (argument.variadic === true) {
      if (argument.required === true && remaining.length === 0)
        throw new UsageError(`missing <${argument.name}>`);
      args[argument.name] = remaining.splice(0);
      continue;
    }
    const value = remaining.shift();
    if (value === undefined && argument.required === true) throw new UsageError(`missing <${argument.name}>`);
    args[argument.name] = value;
  }
  if (remaining.length > 0) throw new UsageError(`unexpected argument '${remaining[0] ?? ''}'`);
  return { values: parsed.values, args };
}

async function runLeaf(command: LeafCommand, path: readonly string[], argv: readonly string[], io: CliIo) {
  if (wantsHelp(argv)) {
    io.stdout.write(commandHelp(path, command));
    return EXIT_OK;
  }
  let input: ReturnType<typeof parseLeaf>;
  try {
    input = parseLeaf(command, argv);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error.message, path, command);
    throw error;
  }
  try {
    return await command.execute({ ...input, io, version: packageVersion() });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error.message, path, command);
    io.stderr.write(`${describeFailure(path, error)}\n`);
    return EXIT_FAILURE;
  }
}

/** A failure a person can act on; stacks stay out unless something truly unexpected happened. */
function describeFailure(path: readonly string[], error: unknown): string {
  const prefix = `${PROGRAM} ${path.join(' ')}`;
  if (error instanceof ConfigError)
    return `${prefix}: ${error.message}\nRun '${PROGRAM} doctor' for a full check.`;
  if (isWhmcsMcpError(error)) return `${prefix}: ${error.message} (${error.code})`;
  if (error instanceof Error) return `${prefix}: unexpected error: ${error.message}`;
  return `${prefix}: unexpected error: ${String(error)}`;
}

async function dispatch(
  commands: readonly CliCommand[],
  path: string[],
  argv: readonly string[],
  io: CliIo,
  parent: LoadedCommand | undefined,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('-')) {
    if (parent?.kind === 'group' && (name === '--help' || name === '-h')) {
      io.stdout.write(groupHelp(path, parent));
      return EXIT_OK;
    }
    const message = name === undefined ? 'missing command' : `unknown option '${name}'`;
    return usageFailure(io, message, path, parent);
  }
  const found = findCommand(commands, name);
  if (found === undefined) {
    const suggestion = closestName(
      name,
      commands.map((candidate) => candidate.name),
    );
    const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
    return usageFailure(io, `unknown command '${name}'${hint}`, path, parent);
  }
  const command = await loadCommand(found);
  const commandPath = [...path, command.name];
  if (command.kind === 'group') return dispatch(command.subcommands, commandPath, rest, io, command);
  return runLeaf(command, commandPath, rest, io);
}

async function printHelpFor(
  commands: readonly CliCommand[],
  names: readonly string[],
  io: CliIo,
): Promise<number> {
  let siblings = commands;
  let current: LoadedCommand | undefined;
  const path: string[] = [];
  for (const name of names) {
    const found = findCommand(siblings, name);
    if (found === undefined) {
      return usageFailure(io, `no help for unknown command '${[...path, name].join(' ')}'`, path, current);
    }
    const next = await loadCommand(found);
    current = next;
    path.push(next.name);
    if (next.kind === 'group') siblings = next.subcommands;
    else siblings = [];
  }
  if (current === undefined) io.stdout.write(programHelp(commands));
  else io.stdout.write(current.kind === 'group' ? groupHelp(path, current) : commandHelp(path, current));
  return EXIT_OK;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}, options: RunCliOptions = {}) {
  const fullIo: CliIo = { ...processIo(), ...io };
  const commands = options.commands ?? COMMANDS;
  const defaultCommand = 'defaultCommand' in options ? options.defaultCommand : DEFAULT_COMMAND;
  const [first, ...rest] = argv;

  if (first === undefined) {
    if (defaultCommand !== undefined) return dispatch(commands, [], [defaultCommand], fullIo, undefined);
    return usageFailure(fullIo, 'missing command', [], undefined);
  }
  if (first === '--help' || first === '-h') {
    fullIo.stdout.write(programHelp(commands));
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    fullIo.stdout.write(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (first === 'help') return printHelpFor(commands, rest, fullIo);
  return dispatch(commands, [], argv, fullIo, undefined);
}
