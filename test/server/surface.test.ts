/**
 * Sweeps over the whole surface, through a real SDK client against the sandbox:
 * - a snapshot of every tool (name, toolset, annotations, input and output schemas), resource and
 *   prompt, which fails on any change until it is reviewed and updated (`vitest -u`);
 * - bad input on every tool: wrong types, negative and huge ids, limit 0 and 101, 10,000-character
 *   strings, unknown fields: each gives invalid_input naming the field, never a crash.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/mcp-harness.js';

let harness: Harness;
let tools: Tool[];

beforeAll(async () => {
  // Full mode and an admin principal list every tool; nothing here is approved, so nothing is written.
  harness = await startHarness({
    env: { MCP_MODE: 'full' },
    principal: { id: 'surface-admin', label: 'surface-admin', roles: ['admin'], transport: 'in-memory' },
  });
  tools = (await harness.client.listTools()).tools;
});
afterAll(async () => harness?.close());

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  enum?: unknown[];
  pattern?: string;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  const variant = schema.anyOf?.find((option) => option.type !== 'null');
  return variant ? typeOf(variant) : undefined;
}

/** A value of a different JSON type than the schema asks for. */
function wrongTypeFor(schema: JsonSchema): unknown {
  switch (typeOf(schema)) {
    case 'integer':
    case 'number':
      return 'not-a-number';
    case 'string':
      return { not: 'a string' };
    case 'boolean':
      return 'yes please';
    case 'array':
      return 'not-a-list';
    case 'object':
      return 42;
    default:
      return undefined;
  }
}

async function errorOf(name: string, args: Record<string, unknown>) {
  const result = await harness.client.callTool({ name, arguments: args });
  expect(result.isError, `${name}(${JSON.stringify(args).slice(0, 120)}) should fail`).toBe(true);
  const text = (result.content as Array<{ text: string }>)[0]!.text;
  return (JSON.parse(text) as { error: { code: string; message: string } }).error;
}

describe('the surface', () => {
  it('matches the reviewed snapshot', async () => {
    const resources = await harness.client.listResources();
    const templates = await harness.client.listResourceTemplates();
    const prompts = await harness.client.listPrompts();
    const surface = {
      tools: [...tools]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((tool) => ({
          name: tool.name,
          title: tool.title,
          toolset: tool._meta?.['whmcs-mcp/toolset'],
          kind: tool._meta?.['whmcs-mcp/kind'],
          risk: tool._meta?.['whmcs-mcp/risk'],
          client_mode: tool._meta?.['whmcs-mcp/client-mode'],
          annotations: tool.annotations,
          input: tool.inputSchema,
          output: tool.outputSchema,
        })),
      resources: resources.resources.map((resource) => ({
        uri: resource.uri,
        name: resource.name,
        mimeType: resource.mimeType,
      })),
      resource_templates: templates.resourceTemplates.map((template) => ({
        uriTemplate: template.uriTemplate,
        name: template.name,
        mimeType: template.mimeType,
      })),
      prompts: prompts.prompts.map((prompt) => ({ name: prompt.name, arguments: prompt.arguments })),
    };
    await expect(JSON.stringify(surface, null, 2) + '\n').toMatchFileSnapshot('surface.snapshot.json');
  });

  it('gives every tool a title, a description, an output schema and annotations that match its kind', () => {
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(20);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      const kind = tool._meta?.['whmcs-mcp/kind'];
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(kind === 'read');
      if (kind === 'read')
        expect(tool.annotations).toMatchObject({ destructiveHint: false, openWorldHint: true });
    }
  });
});

describe('bad input on every tool', () => {
  it('refuses unknown fields by name', async () => {
    for (const tool of tools) {
      const error = await errorOf(tool.name, { bogus_field_name: 1 });
      expect(error.code, tool.name).toBe('invalid_input');
      expect(error.message, tool.name).toContain('bogus_field_name');
    }
  });

  it('refuses wrong types, naming the field', async () => {
    for (const tool of tools) {
      const properties = (tool.inputSchema as JsonSchema).properties ?? {};
      for (const [field, schema] of Object.entries(properties)) {
        const value = wrongTypeFor(schema);
        if (value === undefined) continue;
        const error = await errorOf(tool.name, { [field]: value });
        expect(error.code, `${tool.name}.${field}`).toBe('invalid_input');
        expect(error.message, `${tool.name}.${field}`).toContain(field);
      }
    }
  });

  it('refuses negative and huge ids, limit 0 and 101, and 10,000-character strings', async () => {
    let checked = 0;
    for (const tool of tools) {
      const properties = (tool.inputSchema as JsonSchema).properties ?? {};
      for (const [field, schema] of Object.entries(properties)) {
        const type = typeOf(schema);
        const bad: unknown[] = [];
        if (type === 'integer' && (field.endsWith('_id') || field === 'id')) bad.push(-1, 0, 2 ** 53);
        if (field === 'limit') bad.push(0, 101);
        if (type === 'string' && schema.enum === undefined && schema.pattern === undefined) {
          // Every free-text input is bounded; long texts (a ticket message) may allow more than
          // 10,000 characters, so one character past the declared bound is the test.
          expect(schema.maxLength, `${tool.name}.${field} declares no maxLength`).toBeDefined();
          bad.push('x'.repeat(Math.max(10_000, (schema.maxLength ?? 0) + 1)));
        }
        for (const value of bad) {
          const error = await errorOf(tool.name, { [field]: value });
          expect(error.code, `${tool.name}.${field}=${String(value).slice(0, 20)}`).toBe('invalid_input');
          expect(error.message, `${tool.name}.${field}`).toContain(field);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
