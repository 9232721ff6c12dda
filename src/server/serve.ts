/**
 * `whmcs-mcp serve`: load the configuration, build the runtime, serve it over stdio or, with
 * `--http`, over Streamable HTTP. With `--sandbox` the server starts the built-in WHMCS sandbox
 * in-process and points itself at it, loudly. A server configured for a real WHMCS never talks to
 * the sandbox: there is no fallback anywhere.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type AppConfig, type ConfigVariableName } from '../config/index.js';
import type { ConsumerRegistry } from '../consumers/registry.js';
import { createLogger } from '../logging/logger.js';
import type { RunningSandbox } from '../sandbox/index.js';
import type { RunningHttpServer } from './http/server.js';
import type { Metrics } from './metrics.js';
import { createRuntime, type Runtime } from './runtime.js';

// The sandbox, the HTTP server (with OAuth, metrics and the console) and the stdio transport load
// only when this run uses them: a stdio server starts without the rest.

export interface ServeOptions {
  sandbox: boolean;
  sandboxClients?: number | undefined;
  sandboxSeed?: number | undefined;
  /** Serve Streamable HTTP instead of stdio; host and port override MCP_HTTP_HOST / MCP_HTTP_PORT. */
  http?: { host?: string | undefined; port?: number | undefined } | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stderr: NodeJS.WritableStream;
  version: string;
}

/** Overrides that point the configuration at a sandbox; what `--sandbox` means. */
export function sandboxOverrides(sandbox: Pick<RunningSandbox, 'url' | 'identifier' | 'secret'>) {
  return {
    WHMCS_API_URL: sandbox.url,
    WHMCS_IDENTIFIER: sandbox.identifier,
    WHMCS_SECRET: sandbox.secret,
    WHMCS_ACCESS_KEY: '',
    WHMCS_ALLOW_HTTP: 'true',
  } as const;
}

export async function runServe(options: ServeOptions): Promise<number> {
  const say = (line: string) => options.stderr.write(`${line}\n`);
  if (options.sandbox && options.env.MCP_ENV === 'production') {
    say(
      'whmcs-mcp serve: --sandbox is refused with MCP_ENV=production; a production server only talks to its WHMCS.',
    );
    return 2;
  }

  let sandbox: RunningSandbox | undefined;
  if (options.sandbox) {
    const { startSandbox } = await import('../sandbox/index.js');
    sandbox = await startSandbox({ port: 0, clients: options.sandboxClients, seed: options.sandboxSeed });
    say('');
    say('  !! SANDBOX MODE: this server talks to the built-in WHMCS sandbox, not to a real WHMCS.');
    say(`  !! Sandbox API: ${sandbox.apiUrl} (generated demo data; nothing real is read or changed)`);
    say('');
  }

  const overrides: Partial<Record<ConfigVariableName, string>> = {
    ...(sandbox ? sandboxOverrides(sandbox) : {}),
    ...(options.http?.host !== undefined ? { MCP_HTTP_HOST: options.http.host } : {}),
    ...(options.http?.port !== undefined ? { MCP_HTTP_PORT: String(options.http.port) } : {}),
  };
  let config: AppConfig;
  try {
    config = loadConfig({ env: options.env, cwd: options.cwd, overrides });
  } catch (error) {
    await sandbox?.close();
    if (error instanceof ConfigError) {
      say(error.message);
      return 1;
    }
    throw error;
  }

  const logger: Logger = createLogger({ level: config.log.level, format: config.log.format, destination: 2 });
  try {
    const runtime = createRuntime({ config, logger, version: options.version });
    if (options.http) return await serveHttp(runtime, config, logger, options);
    const { serveStdio } = await import('./stdio.js');
    await serveStdio(runtime, logger);
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'server failed');
    say(`whmcs-mcp serve: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await sandbox?.close();
  }
}

/** Serves over HTTP until SIGTERM or SIGINT, then shuts down gracefully. */
async function serveHttp(
  runtime: Runtime,
  config: AppConfig,
  logger: Logger,
  options: ServeOptions,
): Promise<number> {
  const say = (line: string) => options.stderr.write(`${line}\n`);
  const [
    { ConsumerRegistry },
    { ConsumersFileError },
    { HttpServerConfigError, httpServerOptions, startHttpServer },
    { createMetrics },
  ] = await Promise.all([
    import('../consumers/registry.js'),
    import('../consumers/file.js'),
    import('./http/server.js'),
    import('./metrics.js'),
  ]);
  let consumers: ConsumerRegistry | undefined;
  let metrics: Metrics | undefined;
  let running: RunningHttpServer;
  try {
    if (config.consumersFile !== undefined) {
      consumers = await ConsumerRegistry.open(resolve(options.cwd, config.consumersFile), logger);
    }
    // jose loads only for a server that verifies OAuth tokens.
    const oauth =
      config.oauth === undefined
        ? undefined
        : (await import('./http/oauth.js')).createOAuthVerifier(config, { logger });
    // /metrics answers 404 unless MCP_METRICS_TOKEN is set.
    metrics = createMetrics(runtime, { logger });
    running = await startHttpServer(
      runtime,
      httpServerOptions(config, logger, { consumers, oauth, metrics }),
    );
  } catch (error) {
    metrics?.close();
    await runtime.close();
    if (error instanceof HttpServerConfigError || error instanceof ConsumersFileError) {
      say(`whmcs-mcp serve: ${error.message}`);
      return 1;
    }
    throw error;
  }
  say(`whmcs-mcp: MCP over Streamable HTTP at ${running.mcpUrl}`);
  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => resolveSignal(name));
  });
  await running.close(signal);
  metrics.close();
  return 0;
}
