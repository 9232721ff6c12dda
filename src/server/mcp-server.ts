/**
 * Adapts the dispatcher to the MCP SDK. This folder is the only code that imports the SDK; tools,
 * resources and prompts stay plain data, so moving to a new SDK major changes only this folder.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode as RpcErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type Tool,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { z } from 'zod';
import { WhmcsMcpError } from '../errors.js';
import type { Principal } from '../policy/principal.js';
import type { PromptDefinition } from '../prompts/define.js';
import type { ResourceDefinition } from '../resources/define.js';
import type { AnyToolDefinition } from '../tools/define.js';
import type { ToolDispatcher } from './dispatch.js';
import type { PublishedToolSchemas } from './published-tools.js';

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface McpServerOptions {
  name: string;
  version: string;
  instructions: string;
  dispatcher: ToolDispatcher;
  prompts: readonly PromptDefinition[];
  /** The transport decides who is calling; for stdio it is one fixed principal. */
  principalFor(extra: RequestExtra): Principal;
}

/** MCP annotations follow from what a tool is, in one place, so they cannot drift from policy. */
export function toolAnnotations(tool: AnyToolDefinition): ToolAnnotations {
  if (tool.kind === 'read') {
    return {
      title: tool.title,
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    };
  }
  const destructive = tool.risk === 'high' || (tool.effects ?? []).includes('destructive');
  return {
    title: tool.title,
    readOnlyHint: false,
    destructiveHint: destructive,
    idempotentHint: false,
    openWorldHint: true,
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  const converted = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete converted.$schema;
  return converted as Tool['inputSchema'];
}

const described = new WeakMap<AnyToolDefinition, Tool>();

/**
 * The MCP description of a tool: what tools/list returns and what the surface snapshot pins.
 * Converting the schemas is the costly part of tools/list, so each tool is described once.
 */
export function describeTool(tool: AnyToolDefinition): Tool {
  const cached = described.get(tool);
  if (cached) return cached;
  const description = describeToolUncached(tool);
  described.set(tool, description);
  return description;
}

/** The JSON Schemas of a tool's input and output, converted from its zod schemas. */
export function convertToolSchemas(tool: AnyToolDefinition): PublishedToolSchemas {
  return {
    inputSchema: jsonSchema(tool.input, 'input'),
    outputSchema: jsonSchema(tool.output, 'output') as Tool['outputSchema'],
  };
}

/**
 * Takes the build's conversions (published-tools.ts) for these tool objects instead of converting
 * them on first use. Only for the registry's own tools: the build converted exactly those.
 */
export function adoptPublishedSchemas(
  tools: readonly AnyToolDefinition[],
  published: Readonly<Record<string, PublishedToolSchemas>>,
): void {
  for (const tool of tools) {
    const schemas = published[tool.name];
    if (schemas !== undefined && !described.has(tool)) described.set(tool, toolDescription(tool, schemas));
  }
}

function describeToolUncached(tool: AnyToolDefinition): Tool {
  return toolDescription(tool, convertToolSchemas(tool));
}

function toolDescription(tool: AnyToolDefinition, schemas: PublishedToolSchemas): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: schemas.inputSchema,
    outputSchema: schemas.outputSchema,
    annotations: toolAnnotations(tool),
    _meta: {
      'whmcs-mcp/toolset': tool.toolset,
      'whmcs-mcp/kind': tool.kind,
      'whmcs-mcp/risk': tool.risk,
      'whmcs-mcp/client-mode': tool.clientMode,
    },
  };
}

function errorResult(error: {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: JSON.stringify({ error }) }],
    _meta: { 'whmcs-mcp/error-code': error.code },
  };
}

/** Resource errors are protocol errors; the stable code travels in `data`. */
function rpcError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  if (error instanceof WhmcsMcpError) {
    const rpcCode =
      error.code === 'not_found'
        ? -32002
        : error.code === 'invalid_input'
          ? RpcErrorCode.InvalidParams
          : RpcErrorCode.InternalError;
    return new McpError(rpcCode, error.message, { code: error.code, ...(error.details ?? {}) });
  }
  return new McpError(RpcErrorCode.InternalError, 'The request failed unexpectedly.');
}

function isTemplate(resource: ResourceDefinition): boolean {
  return resource.uriTemplate.includes('{');
}

let ajvValidator: AjvJsonSchemaValidator | undefined;

/**
 * One validator for every server in the process, made on first use. Left to itself the SDK builds
 * an Ajv instance (with its formats) per server, which is per HTTP session, for elicitation
 * replies only; this server never elicits, so the instance is normally never made at all.
 */
const sharedJsonSchemaValidator: jsonSchemaValidator = {
  getValidator(schema) {
    ajvValidator ??= new AjvJsonSchemaValidator();
    return ajvValidator.getValidator(schema);
  },
};

export function createMcpServer(options: McpServerOptions): Server {
  const { dispatcher } = options;
  const server = new Server(
    { name: options.name, version: options.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {}, completions: {} },
      instructions: options.instructions,
      jsonSchemaValidator: sharedJsonSchemaValidator,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, (_request, extra) => ({
    tools: dispatcher.listTools(options.principalFor(extra)).map(describeTool),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const outcome = await dispatcher.call({
      name: request.params.name,
      arguments: request.params.arguments ?? {},
      meta: request.params._meta as Record<string, unknown> | undefined,
      principal: options.principalFor(extra),
      signal: extra.signal,
    });
    if (!outcome.ok) return errorResult(outcome.error);
    return { content: [{ type: 'text', text: outcome.text }], structuredContent: outcome.structured };
  });

  server.setRequestHandler(ListResourcesRequestSchema, (_request, extra) => ({
    resources: dispatcher
      .listResources(options.principalFor(extra))
      .filter((resource) => !isTemplate(resource))
      .map((resource) => ({
        uri: resource.uriTemplate,
        name: resource.name,
        title: resource.title,
        description: resource.description,
        mimeType: resource.mimeType,
      })),
  }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, (_request, extra) => ({
    resourceTemplates: dispatcher
      .listResources(options.principalFor(extra))
      .filter(isTemplate)
      .map((resource) => ({
        uriTemplate: resource.uriTemplate,
        name: resource.name,
        title: resource.title,
        description: resource.description,
        mimeType: resource.mimeType,
      })),
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    try {
      const contents = await dispatcher.readResource({
        uri: request.params.uri,
        meta: request.params._meta as Record<string, unknown> | undefined,
        principal: options.principalFor(extra),
        signal: extra.signal,
      });
      return { contents: [contents] };
    } catch (error) {
      throw rpcError(error);
    }
  });

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const { ref, argument } = request.params;
    if (ref.type !== 'ref/resource') return { completion: { values: [] } };
    try {
      const values = await dispatcher.completeResource({
        uriTemplate: ref.uri,
        variable: argument.name,
        prefix: argument.value,
        principal: options.principalFor(extra),
        signal: extra.signal,
      });
      return {
        completion: { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 },
      };
    } catch (error) {
      throw rpcError(error);
    }
  });

  const visiblePrompts = (principal: Principal) =>
    options.prompts.filter((prompt) => prompt.availableInClientMode || !dispatcher.isClientScoped(principal));

  server.setRequestHandler(ListPromptsRequestSchema, (_request, extra) => ({
    prompts: visiblePrompts(options.principalFor(extra)).map((prompt) => ({
      name: prompt.name,
      title: prompt.title,
      description: prompt.description,
      arguments: prompt.arguments.map((argument) => ({ ...argument })),
    })),
  }));

  server.setRequestHandler(GetPromptRequestSchema, (request, extra) => {
    const prompt = visiblePrompts(options.principalFor(extra)).find(
      (candidate) => candidate.name === request.params.name,
    );
    if (!prompt) throw new McpError(RpcErrorCode.InvalidParams, `Unknown prompt '${request.params.name}'.`);
    const args = request.params.arguments ?? {};
    const missing = prompt.arguments.filter((argument) => argument.required && !args[argument.name]);
    if (missing.length > 0) {
      throw new McpError(
        RpcErrorCode.InvalidParams,
        `Prompt '${prompt.name}' needs: ${missing.map((argument) => argument.name).join(', ')}.`,
      );
    }
    for (const [name, value] of Object.entries(args)) {
      if (value.length > 500)
        throw new McpError(RpcErrorCode.InvalidParams, `Argument '${name}' is too long.`);
    }
    let text: string;
    try {
      text = prompt.render(args);
    } catch (error) {
      // A prompt refuses malformed arguments by throwing; the caller sees why, as InvalidParams.
      throw new McpError(
        RpcErrorCode.InvalidParams,
        error instanceof Error ? error.message : 'Invalid prompt arguments.',
      );
    }
    return {
      description: prompt.description,
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }],
    };
  });

  return server;
}
