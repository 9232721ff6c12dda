/**
 * The registration point for `whmcs-mcp` subcommands. A command is a module exporting a
 * defineCommand (or defineCommandGroup) value, usually beside the code it drives; add it to
 * COMMANDS in the order `--help` should list it.
 */
import { sandboxCliCommand } from '../sandbox/command.js';
import type { CliCommand } from './command.js';
import { auditCommand } from './commands/audit.js';
import { consumersCommand } from './commands/consumers.js';
import { doctorCommand } from './commands/doctor.js';
import { intentsCommand } from './commands/intents.js';
import { serveCommand } from './commands/serve.js';

export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  doctorCommand,
  sandboxCliCommand,
  intentsCommand,
  auditCommand,
  consumersCommand,
];

/** The command `whmcs-mcp` runs when given none; unset, a bare `whmcs-mcp` is a usage error. */
export const DEFAULT_COMMAND: string | undefined = undefined;
