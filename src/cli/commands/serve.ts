/** `whmcs-mcp serve`: run the MCP server over stdio (the way Cursor and Claude start it). */
import { runServe } from '../../server/serve.js';
import { UsageError, defineCommand } from '../command.js';

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} must be a positive whole number`);
  return Number(value);
}

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Run the MCP server over stdio',
  description: [
    'Serves the MCP tools, resources and prompts over stdio: stdout carries JSON-RPC only, logs go',
    'to stderr. The configuration comes from .env, .env.<MCP_ENV> and the environment (see',
    '.env.example); `whmcs-mcp doctor` checks it.',
    '',
    'With --sandbox the server starts the built-in WHMCS sandbox in the same process and points',
    'itself at it, saying so on stderr: generated demo data, nothing real is read or changed. A',
    'server configured for a real WHMCS never falls back to the sandbox.',
  ].join('\n'),
  options: {
    sandbox: {
      type: 'boolean',
      description: 'Run against the built-in WHMCS sandbox instead of a real WHMCS',
    },
    'sandbox-clients': {
      type: 'string',
      valueName: 'n',
      description: 'Clients in the sandbox data (default 50)',
    },
    'sandbox-seed': { type: 'string', valueName: 'n', description: 'Seed of the sandbox data (default 1)' },
  },
  examples: [
    'whmcs-mcp serve',
    'whmcs-mcp serve --sandbox',
    'MCP_MODE=simulate whmcs-mcp serve --sandbox --sandbox-clients 200',
  ],
  async run({ options, io, version }) {
    const sandbox = options.sandbox === true;
    const sandboxClients = positiveInteger('sandbox-clients', options['sandbox-clients']);
    const sandboxSeed = positiveInteger('sandbox-seed', options['sandbox-seed']);
    if (!sandbox && (sandboxClients !== undefined || sandboxSeed !== undefined)) {
      throw new UsageError('--sandbox-clients and --sandbox-seed only apply with --sandbox');
    }
    return runServe({
      sandbox,
      sandboxClients,
      sandboxSeed,
      env: io.env,
      cwd: io.cwd,
      stderr: io.stderr,
      version,
    });
  },
});
