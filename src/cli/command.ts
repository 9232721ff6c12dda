/**
 * What a `whmcs-mcp` subcommand is: a name, a one-line summary, help text, declared options and
 * arguments, and a run function. The frame (main.ts) parses, validates and prints help from
 * these declarations, so a command module only states what it takes and does its work.
 */
import type { Readable } from 'node:stream';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The process streams and environment a command works with; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in help after the flag, e.g. `--as <name>`; strings only. */
  valueName?: string;
  description: string;
}

export interface ArgumentSpec {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining argument; only the last argument may be variadic. */
  variadic?: boolean;
}

type OptionValue<S extends OptionSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;

export type ParsedOptions<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: OptionValue<O[K]> | undefined;
};

export interface CommandContext<O extends Record<string, OptionSpec>> {
  options: ParsedOptions<O>;
  /** Declared arguments by name; a variadic argument is a list. */
  args: Record<string, string | string[] | undefined>;
  io: CliIo;
  version: string;
}

/** A usage problem found by a command itself (a bad option value); exits 2 with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface LeafCommand {
  kind: 'command';
  name: string;
  summary: string;
  description: string | undefined;
  options: Readonly<Record<string, OptionSpec>>;
  arguments: readonly ArgumentSpec[];
  examples: readonly string[];
  /** Runs with already-validated input and returns the exit code. */
  execute(input: {
    values: Record<string, unknown>;
    args: Record<string, string | string[] | undefined>;
    io: CliIo;
    version: string;
  }): Promise<number>;
}

export interface CommandGroup {
  kind: 'group';
  name: string;
  summary: string;
  description: string | undefined;
  subcommands: readonly CliCommand[];
}

/**
 * A command known by name and summary until it runs or shows its help, when its module loads:
 * `serve` then starts without loading what the operator commands need.
 */
export interface LazyCommand {
  kind: 'lazy';
  name: string;
  summary: string;
  load(): Promise<LeafCommand | CommandGroup>;
}

export type CliCommand = LeafCommand | CommandGroup | LazyCommand;

/** A command that is loaded already: what the frame dispatches on and prints help for. */
export type LoadedCommand = LeafCommand | CommandGroup;

export interface CommandDefinition<O extends Record<string, OptionSpec>> {
  name: string;
  summary: string;
  description?: string;
  options?: O;
  arguments?: readonly ArgumentSpec[];
  examples?: readonly string[];
  run(context: CommandContext<O>): Promise<number> | number;
}

export function defineCommand<const O extends Record<string, OptionSpec> = Record<never, OptionSpec>>(
  definition: CommandDefinition<O>,
): LeafCommand {
  const declared = definition.arguments ?? [];
  const variadicIndex = declared.findIndex((argument) => argument.variadic === true);
  if (variadicIndex !== -1 && variadicIndex !== declared.length - 1) {
    throw new Error(`${definition.name}: only the last argument may be variadic`);
  }
  return {
    kind: 'command',
    name: definition.name,
    summary: definition.summary,
    description: definition.description,
    options: definition.options ?? {},
    arguments: declared,
    examples: definition.examples ?? [],
    async execute({ values, args, io, version }) {
      // The frame parsed `values` with exactly these option declarations.
      const options = values as ParsedOptions<O>;
      return definition.run({ options, args, io, version });
    },
  };
}

/**
 * Registers a command by name and summary; `load` imports its module. The registry test checks
 * that the name and summary match what the module declares.
 */
export function lazyCommand(
  name: string,
  summary: string,
  load: () => Promise<LeafCommand | CommandGroup>,
): LazyCommand {
  let loading: Promise<LeafCommand | CommandGroup> | undefined;
  return {
    kind: 'lazy',
    name,
    summary,
    load: () => (loading ??= load()),
  };
}

/** The command itself, its module loaded if it was registered lazily. */
export async function loadCommand(command: CliCommand): Promise<LoadedCommand> {
  return command.kind === 'lazy' ? command.load() : command;
}

export function defineCommandGroup(definition: {
  name: string;
  summary: string;
  description?: string;
  subcommands: readonly CliCommand[];
}): CommandGroup {
  return {
    kind: 'group',
    name: definition.name,
    summary: definition.summary,
    description: definition.description,
    subcommands: definition.subcommands,
  };
}
