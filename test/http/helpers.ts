/**
 * Starts the real HTTP stack in-process for tests: a sandbox WHMCS, a runtime configured through
 * the same environment parsing users go through, a consumers file in a temporary directory, and
 * startHttpServer on a free port. Clients are the SDK's StreamableHTTPClientTransport. Log lines
 * are captured so tests can read the access log and check nothing secret reaches it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino, { type Logger } from 'pino';
import { parseConfig, type AppConfig } from '../../src/config/index.js';
import {
  addConsumerRecord,
  emptyConsumersFile,
  readConsumersFile,
  revokeConsumerRecord,
  writeConsumersFile,
  type NewConsumer,
} from '../../src/consumers/file.js';
import { ConsumerRegistry } from '../../src/consumers/registry.js';
import { generateConsumerToken, hashConsumerToken } from '../../src/consumers/tokens.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import {
  httpServerOptions,
  startHttpServer,
  type HttpServerOptions,
  type RunningHttpServer,
} from '../../src/server/http/server.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';

export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  raw = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    const text = chunk.toString();
    this.raw += text;
    for (const line of text.split('\n')) {
      if (line.trim() !== '') this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }

  withMessage(message: string): Array<Record<string, unknown>> {
    return this.lines.filter((line) => line.msg === message);
  }
}

export interface HttpHarnessOptions {
  env?: Record<string, string>;
  /** Keep a consumers file (default true); false runs without any authentication. */
  consumers?: boolean;
  http?: Partial<HttpServerOptions>;
  sandbox?: RunningSandbox;
  sandboxOptions?: Parameters<typeof startSandbox>[0];
}

export interface HttpHarness {
  sandbox: RunningSandbox;
  runtime: Runtime;
  server: RunningHttpServer;
  logs: LogCapture;
  consumersPath: string;
  directory: string;
  /** Adds a consumer to the file the server watches and returns its token. */
  addConsumer(consumer: NewConsumer): string;
  revoke(label: string): void;
  /** An SDK client connected over HTTP with this bearer token (none when undefined). */
  connect(token: string | undefined, headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

/** A runtime against the sandbox, configured through the environment parsing users go through. */
export function testRuntime(
  sandbox: RunningSandbox,
  directory: string,
  env: Record<string, string> = {},
  logs: LogCapture = new LogCapture(),
): { runtime: Runtime; config: AppConfig; logger: Logger } {
  const parsed = parseConfig({
    MCP_ENV: 'test',
    WHMCS_API_URL: sandbox.url,
    WHMCS_IDENTIFIER: sandbox.identifier,
    WHMCS_SECRET: sandbox.secret,
    WHMCS_ALLOW_HTTP: 'true',
    WHMCS_RATE_LIMIT: '1000',
    WHMCS_MAX_CONCURRENCY: '8',
    MCP_STATE_DB: join(directory, 'state.sqlite'),
    MCP_HTTP_PORT: '0',
    ...env,
  });
  if ('problems' in parsed) throw new Error(`bad test configuration: ${JSON.stringify(parsed.problems)}`);
  const logger = pino({ level: 'debug' }, logs);
  return {
    runtime: createRuntime({ config: parsed.config, logger, version: 'test' }),
    config: parsed.config,
    logger,
  };
}

export async function startHttpHarness(options: HttpHarnessOptions = {}): Promise<HttpHarness> {
  const sandbox = options.sandbox ?? (await startSandbox({ port: 0, ...options.sandboxOptions }));
  const directory = mkdtempSync(join(tmpdir(), 'whmcs-mcp-http-'));
  const consumersPath = join(directory, 'consumers.json');
  const logs = new LogCapture();
  const { runtime, config, logger } = testRuntime(sandbox, directory, options.env, logs);

  let registry: ConsumerRegistry | undefined;
  if (options.consumers !== false) {
    writeConsumersFile(consumersPath, emptyConsumersFile());
    registry = await ConsumerRegistry.open(consumersPath, logger);
  }
  const server = await startHttpServer(runtime, {
    ...httpServerOptions(config, logger, { consumers: registry }),
    ...options.http,
  });
  const clients: Client[] = [];

  return {
    sandbox,
    runtime,
    server,
    logs,
    consumersPath,
    directory,
    addConsumer(consumer) {
      const token = generateConsumerToken();
      const next = addConsumerRecord(
        readConsumersFile(consumersPath),
        consumer,
        hashConsumerToken(token),
        new Date(),
      );
      writeConsumersFile(consumersPath, next);
      return token;
    },
    revoke(label) {
      writeConsumersFile(
        consumersPath,
        revokeConsumerRecord(readConsumersFile(consumersPath), label, new Date()),
      );
    },
    async connect(token, headers = {}) {
      const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), {
        requestInit: {
          headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...headers },
        },
      });
      const client = new Client({ name: 'whmcs-mcp-http-tests', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await server.close('test finished');
      if (!options.sandbox) await sandbox.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A raw JSON-RPC POST to /mcp, for what the SDK client would never send. */
export async function postMcp(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
} as const;
