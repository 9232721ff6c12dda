/**
 * `whmcs-mcp serve`: load the configuration, build the runtime, serve it. With `--sandbox` the
 * server starts the built-in WHMCS sandbox in-process and points itself at it, loudly. A server
 * configured for a real WHMCS never talks to the sandbox: there is no fallback anywhere.
 */
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type AppConfig } from '../config/index.js';
import { createLogger } from '../logging/logger.js';
import { startSandbox, type RunningSandbox } from '../sandbox/index.js';
import { createRuntime } from './runtime.js';
import { serveStdio } from './stdio.js';

export interface ServeOptions {
  sandbox: boolean;
  sandboxClients?: number | undefined;
  sandboxSeed?: number | undefined;
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
    sandbox = await startSandbox({ port: 0, clients: options.sandboxClients, seed: options.sandboxSeed });
    say('');
    say('  !! SANDBOX MODE: this server talks to the built-in WHMCS sandbox, not to a real WHMCS.');
    say(`  !! Sandbox API: ${sandbox.apiUrl} (generated demo data; nothing real is read or changed)`);
    say('');
  }

  let config: AppConfig;
  try {
    config = loadConfig({
      env: options.env,
      cwd: options.cwd,
      ...(sandbox ? { overrides: sandboxOverrides(sandbox) } : {}),
    });
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
