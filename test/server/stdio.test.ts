/**
 * The built server over a real stdio pipe, started the way Cursor starts it: a child process
 * running `whmcs-mcp serve --sandbox`, spoken to by the SDK's own stdio client.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

let client: Client;
let workdir: string;
let stderr = '';

beforeAll(async () => {
  // An empty working directory: no .env of the developer's leaks into the test.
  workdir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-stdio-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', '--sandbox'],
    cwd: workdir,
    env: {
      PATH: process.env.PATH ?? '',
      MCP_ENV: 'test',
      MCP_STATE_DB: join(workdir, 'state.sqlite'),
      MCP_LOG_LEVEL: 'warn',
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  rmSync(workdir, { recursive: true, force: true });
});

describe('whmcs-mcp serve --sandbox over stdio', () => {
  it('says loudly on stderr that it talks to the sandbox', () => {
    expect(stderr).toMatch(/SANDBOX MODE/);
  });

  it('lists tools with output schemas and answers a read with valid structuredContent', async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    for (const tool of tools) expect(tool.outputSchema, tool.name).toBeDefined();
    // The SDK client validates structuredContent against the tool's outputSchema on every call.
    const result = await client.callTool({ name: 'get_invoice', arguments: { invoice_id: 1 } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toBeDefined();
  });

  it('gives instructions and refuses bad input as an isError result, not a crash', async () => {
    expect(client.getInstructions()).toMatch(/read_only/);
    const result = await client.callTool({ name: 'get_invoice', arguments: { invoice_id: 'one' } });
    expect(result.isError).toBe(true);
    const { error } = JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as {
      error: { code: string };
    };
    expect(error.code).toBe('invalid_input');
  });

  it('stops cleanly when the host closes stdin', () => {
    const run = spawnSync(process.execPath, [CLI, 'serve', '--sandbox'], {
      cwd: workdir,
      input: '',
      env: { PATH: process.env.PATH ?? '', MCP_ENV: 'test', MCP_STATE_DB: join(workdir, 'closed.sqlite') },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/RangeError|Error:/);
    expect(run.stderr).toMatch(/stdio server stopping/);
  });
});
