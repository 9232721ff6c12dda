/** `whmcs-mcp serve`: run the MCP server over stdio (the way Cursor and Claude start it) or HTTP. */
import { runServe } from '../../server/serve.js';
import { UsageError, defineCommand } from '../command.js';

function portNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new UsageError('--port must be 0 to 65535');
  return Number(value);
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} must be a positive whole number`);
  return Number(value);
}

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Run the MCP server over stdio, or Streamable HTTP with --http',
  description: [
    'Serves the MCP tools, resources and prompts over stdio: stdout carries JSON-RPC only, logs go',
    'to stderr. The configuration comes from .env, .env.<MCP_ENV> and the environment (see',
    '.env.example); `whmcs-mcp doctor` checks it.',
    '',
    'With --http it serves MCP Streamable HTTP at /mcp instead (plus /healthz and /readyz), on',
    '127.0.0.1:8080 unless --host/--port or MCP_HTTP_HOST/MCP_HTTP_PORT say otherwise. Callers',
    'authenticate with a bearer token from `whmcs-mcp consumers add` (MCP_CONSUMERS_FILE) or OAuth;',
    'without either, only a loopback address is allowed and callers may read and draft, never',
    'approve. SIGTERM or SIGINT lets calls in flight finish (MCP_HTTP_SHUTDOWN_GRACE), then stops.',
    '',
    'With --sandbox the server starts the built-in WHMCS sandbox in the same process and points',
    'itself at it, saying so on stderr: generated demo data, nothing real is read or changed. A',
    'server configured for a real WHMCS never falls back to the sandbox.',
  ].join('\n'),
  options: {
    http: { type: 'boolean', description: 'Serve MCP Streamable HTTP at /mcp instead of stdio' },
    host: {
      type: 'string',
      valueName: 'address',
      description: 'Address to listen on with --http (default MCP_HTTP_HOST or 127.0.0.1)',
    },
    port: {
      type: 'string',
      valueName: 'n',
      description: 'Port to listen on with --http (default MCP_HTTP_PORT or 8080; 0 picks a free one)',
    },
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
    'whmcs-mcp serve --http --port 8080',
    'MCP_CONSUMERS_FILE=./data/consumers.json whmcs-mcp serve --http --host 0.0.0.0',
    'MCP_MODE=simulate whmcs-mcp serve --sandbox --sandbox-clients 200',
  ],
  async run({ options, io, version }) {
    const sandbox = options.sandbox === true;
    const sandboxClients = positiveInteger('sandbox-clients', options['sandbox-clients']);
    const sandboxSeed = positiveInteger('sandbox-seed', options['sandbox-seed']);
    if (!sandbox && (sandboxClients !== undefined || sandboxSeed !== undefined)) {
      throw new UsageError('--sandbox-clients and --sandbox-seed only apply with --sandbox');
    }
    const http = options.http === true;
    const port = portNumber(options.port);
    if (!http && (options.host !== undefined || port !== undefined)) {
      throw new UsageError('--host and --port only apply with --http');
    }
    return runServe({
      sandbox,
      ...(http ? { http: { host: options.host, port } } : {}),
      sandboxClients,
      sandboxSeed,
      env: io.env,
      cwd: io.cwd,
      stderr: io.stderr,
      version,
    });
  },
});
