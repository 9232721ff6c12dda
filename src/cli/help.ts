/** Help and usage text, derived from the command declarations so it cannot drift from parsing. */
import type {
  ArgumentSpec,
  CliCommand,
  CommandGroup,
  LeafCommand,
  LoadedCommand,
  OptionSpec,
} from './command.js';

export const PROGRAM = 'whmcs-mcp';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show this help' };

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}

function argumentLabel(argument: ArgumentSpec): string {
  const name = argument.variadic === true ? `${argument.name}...` : argument.name;
  return argument.required === true ? `<${name}>` : `[${name}]`;
}

function optionLabel(name: string, option: OptionSpec): string {
  const flag = option.short === undefined ? `    --${name}` : `-${option.short}, --${name}`;
  return option.type === 'string' ? `${flag} <${option.valueName ?? 'value'}>` : flag;
}

/** `whmcs-mcp intents approve <id> [options]` */
export function usageLine(path: readonly string[], command: LeafCommand): string {
  const parts = [PROGRAM, ...path, ...command.arguments.map(argumentLabel)];
  return `Usage: ${parts.join(' ')} [options]`;
}

function groupUsageLine(path: readonly string[]): string {
  return `Usage: ${[PROGRAM, ...path].join(' ')} <command> [options]`;
}

function commandRows(commands: readonly CliCommand[]): [string, string][] {
  return commands.map((command) => [command.name, command.summary]);
}

export function commandHelp(path: readonly string[], command: LeafCommand): string {
  const lines = [usageLine(path, command), '', command.summary];
  if (command.description !== undefined) lines.push('', command.description);
  if (command.arguments.length > 0) {
    lines.push(
      '',
      'Arguments:',
      ...table(command.arguments.map((argument) => [argument.name, argument.description])),
    );
  }
  const options: [string, string][] = [
    ...Object.entries(command.options).map(([name, option]): [string, string] => [
      optionLabel(name, option),
      option.description,
    ]),
    [optionLabel('help', HELP_OPTION), HELP_OPTION.description],
  ];
  lines.push('', 'Options:', ...table(options));
  if (command.examples.length > 0)
    lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}

export function groupHelp(path: readonly string[], group: CommandGroup): string {
  const lines = [groupUsageLine(path), '', group.summary];
  if (group.description !== undefined) lines.push('', group.description);
  lines.push('', 'Commands:', ...table(commandRows(group.subcommands)));
  lines.push('', 'Options:', ...table([['-h, --help', 'Show this help']]));
  lines.push('', `Run '${[PROGRAM, 'help', ...path].join(' ')} <command>' for the options of a command.`);
  return `${lines.join('\n')}\n`;
}

export function programHelp(commands: readonly CliCommand[]): string {
  const lines = [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'A governed MCP server for WHMCS: agents read what their configuration allows, and every',
    'change to billing goes through an approved, audited write flow.',
    '',
    'Commands:',
    ...table([...commandRows(commands), ['help', 'Show the help of a command']]),
    '',
    'Options:',
    ...table([
      ['-h, --help', 'Show this help'],
      ['-v, --version', 'Print the version'],
    ]),
    '',
    `Run '${PROGRAM} help <command>' or '${PROGRAM} <command> --help' for the options of a command.`,
    'Configuration comes from the environment and .env files: see .env.example.',
  ];
  return `${lines.join('\n')}\n`;
}

/** The short reminder printed under a usage error. */
export function usageHint(path: readonly string[], command: LoadedCommand | undefined): string {
  if (command === undefined)
    return `Usage: ${PROGRAM} <command> [options]\nRun '${PROGRAM} --help' for the commands.\n`;
  const usage = command.kind === 'group' ? groupUsageLine(path) : usageLine(path, command);
  return `${usage}\nRun '${[PROGRAM, ...path].join(' ')} --help' for details.\n`;
}
