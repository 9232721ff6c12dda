/**
 * Starts the real server stack in-process for tests: a sandbox WHMCS on a free port, a runtime
 * configured through the same environment parsing users go through, and an SDK client connected
 * over InMemoryTransport. Everything between the client and the sandbox is production code.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino from 'pino';
import { parseConfig } from '../../src/config/index.js';
import type { Principal } from '../../src/policy/principal.js';
import { stdioPrincipal } from '../../src/policy/principal.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';

export type RunningSandbox = Awaited<ReturnType<typeof startSandbox>>;

export interface HarnessOptions {
  /** Extra MCP_* variables, e.g. { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: '1' }. */
  env?: Record<string, string>;
  /** Reuse a running sandbox (many harnesses against one state). */
  sandbox?: RunningSandbox;
  sandboxOptions?: Parameters<typeof startSandbox>[0];
  principal?: Principal;
}

export interface Harness {
  client: Client;
  sandbox: RunningSandbox;
  runtime: Runtime;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = options.sandbox ?? (await startSandbox({ port: 0, ...options.sandboxOptions }));
  const parsed = parseConfig({
    MCP_ENV: 'test',
    WHMCS_API_URL: sandbox.url,
    WHMCS_IDENTIFIER: sandbox.identifier,
    WHMCS_SECRET: sandbox.secret,
    WHMCS_ALLOW_HTTP: 'true',
    WHMCS_RATE_LIMIT: '1000',
    WHMCS_MAX_CONCURRENCY: '8',
    MCP_STATE_DB: ':memory:',
    ...options.env,
  });
  if ('problems' in parsed) throw new Error(`bad test configuration: ${JSON.stringify(parsed.problems)}`);
  const logger = pino({ level: 'silent' });
  const runtime = createRuntime({ config: parsed.config, logger, version: 'test' });
  const principal = options.principal ?? stdioPrincipal('test-agent');
  const server = runtime.createServer(() => principal);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'whmcs-mcp-tests', version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    sandbox,
    runtime,
    async close() {
      await client.close();
      await server.close();
      await runtime.close();
      if (!options.sandbox) await sandbox.close();
    },
  };
}

/** Calls a tool and returns its structured content, failing the test on an error result. */
export async function callOk(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const text = (result.content as Array<{ type: string; text?: string }>)[0]?.text ?? '';
    throw new Error(`${name} failed: ${text}`);
  }
  return result.structuredContent as Record<string, unknown>;
}

/** Calls a tool that must fail and returns its error code and message. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  if (!result.isError) throw new Error(`${name} succeeded but was expected to fail`);
  const text = (result.content as Array<{ type: string; text?: string }>)[0]?.text ?? '';
  return (JSON.parse(text) as { error: { code: string; message: string; details?: Record<string, unknown> } })
    .error;
}
