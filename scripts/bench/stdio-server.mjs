// Spawns the built server the way an MCP host does (`node dist/cli.js serve ...` over stdio, the
// SDK's StdioClientTransport) and notes when each start-up step finished.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI } from './util.mjs';

/** The environment a spawned server gets: only what is listed, so the caller's shell cannot leak in. */
export function serverEnv(variables) {
  return { PATH: process.env.PATH ?? '', ...variables };
}

/**
 * Starts `node dist/cli.js <args>` and connects an SDK client (connect sends initialize).
 * `spawnedAt` is taken just before the spawn; `readyAt` when the server logged that it serves.
 */
export async function startStdioServer({ args, env, cwd }) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env,
    cwd,
    // A host pipes stderr; it is drained here so a chatty server never blocks on a full pipe.
    stderr: 'pipe',
  });
  let stderrTail = '';
  let readyAt;
  transport.stderr?.on('data', (chunk) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
    if (readyAt === undefined && stderrTail.includes('stdio server ready')) readyAt = performance.now();
  });
  const client = new Client({ name: 'whmcs-mcp-bench', version: '1.0.0' });
  const spawnedAt = performance.now();
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw new Error(`the server did not start: ${error.message}\n${stderrTail}`);
  }
  const initializedAt = performance.now();
  return {
    client,
    pid: transport.pid,
    spawnedAt,
    initializedAt,
    readyAt: () => readyAt,
    stderrTail: () => stderrTail,
    close: () => client.close(),
  };
}

/** Calls a tool and fails loudly on an error result: a benchmark of failures measures nothing. */
export async function callTool(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const text = result.content?.[0]?.text ?? '';
    throw new Error(`${name}(${JSON.stringify(args)}) failed: ${text.slice(0, 300)}`);
  }
  return result;
}
