/**
 * The registration point for `whmcs-mcp` subcommands. A command is a module exporting a
 * defineCommand (or defineCommandGroup) value, usually beside the code it drives; add it to
 * COMMANDS in the order `--help` should list it, with its name and summary. The module loads only
 * when the command runs or shows its help, so `serve` starts without the operator commands' code
 * (test/cli/registry.test.ts checks the names and summaries against the modules).
 */
import { lazyCommand, type CliCommand } from './command.js';

export const COMMANDS: readonly CliCommand[] = [
  lazyCommand(
    'serve',
    'Run the MCP server over stdio, or Streamable HTTP with --http',
    async () => (await import('./commands/serve.js')).serveCommand,
  ),
  lazyCommand(
    'doctor',
    'Check the configuration and the connection to WHMCS',
    async () => (await import('./commands/doctor.js')).doctorCommand,
  ),
  lazyCommand(
    'sandbox',
    'Run the WHMCS sandbox: a local, stateful WHMCS API for tests, demos and trying whmcs-mcp',
    async () => (await import('../sandbox/command.js')).sandboxCliCommand,
  ),
  lazyCommand(
    'intents',
    'Review, approve, reject and reconcile write intents (operator channel)',
    async () => (await import('./commands/intents.js')).intentsCommand,
  ),
  lazyCommand(
    'audit',
    'Verify and export the hash-chained audit log',
    async () => (await import('./commands/audit.js')).auditCommand,
  ),
  lazyCommand(
    'consumers',
    'Manage who may call the HTTP server (bearer tokens, roles, client binding)',
    async () => (await import('./commands/consumers.js')).consumersCommand,
  ),
];

/** The command `whmcs-mcp` runs when given none; unset, a bare `whmcs-mcp` is a usage error. */
export const DEFAULT_COMMAND: string | undefined = undefined;
