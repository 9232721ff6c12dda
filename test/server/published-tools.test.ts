/**
 * The bundled CLI answers tools/list with JSON Schemas converted at build time
 * (scripts/postbuild.mjs, src/server/published-tools.ts). They must be exactly what converting the
 * tools' zod schemas gives now, or the published surface would drift from what calls validate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { convertToolSchemas, describeTool } from '../../src/server/mcp-server.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';

const DIST = join(import.meta.dirname, '..', '..', 'dist');
const workdir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-published-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('schemas converted at build time', () => {
  it('dist/cli.js runs the bundle', () => {
    expect(readFileSync(join(DIST, 'cli.js'), 'utf8')).toContain("from './bundle/main.js'");
  });

  it('are the live conversion of every tool in the registry', () => {
    const published = JSON.parse(readFileSync(join(DIST, 'bundle', 'tool-schemas.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(published).sort()).toEqual(ALL_TOOLS.map((tool) => tool.name).sort());
    for (const tool of ALL_TOOLS) expect(published[tool.name], tool.name).toEqual(convertToolSchemas(tool));
  });

  it('are what the bundled server lists over stdio, with the rest of each description', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(DIST, 'cli.js'), 'serve', '--sandbox'],
      cwd: workdir,
      env: {
        PATH: process.env.PATH ?? '',
        MCP_ENV: 'test',
        MCP_MODE: 'full',
        MCP_STATE_DB: join(workdir, 'state.sqlite'),
        MCP_LOG_LEVEL: 'warn',
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'published-tools-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.request({ method: 'tools/list' }, ListToolsResultSchema);
      // Full mode: every tool but the approver's own is listed to the stdio principal.
      expect(tools.length).toBeGreaterThan(ALL_TOOLS.length / 2);
      const byName = new Map(ALL_TOOLS.map((tool) => [tool.name, tool]));
      for (const listed of tools) {
        const tool = byName.get(listed.name);
        expect(tool, listed.name).toBeDefined();
        expect(listed, listed.name).toEqual(describeTool(tool!));
      }
    } finally {
      await client.close();
    }
  });
});
