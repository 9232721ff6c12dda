/**
 * The one dispatch path. Every tool call, whatever the transport, goes through `call` in this
 * order: authenticate the principal, resolve the tool, policy, validate input, capability check,
 * (writes: the intent gate), call upstream through the gateway, project and redact the output,
 * and record the outcome. There is no second path: the SDK layer only adapts this to MCP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { WhmcsMcpError, type ErrorCode } from '../errors.js';
import type { CapabilityMatrix } from '../policy/capabilities.js';
import { decideToolAccess, scopeFor, type PolicySettings } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import { matchTemplate, type ResourceDefinition } from '../resources/define.js';
import type { AnyToolDefinition, ToolContext, ToolSettings } from '../tools/define.js';
import { bindIntentAccess } from '../writes/access.js';
import { isAuditedRefusal, type WriteFlow } from '../writes/engine.js';
import { ToolWhmcsGateway, type WhmcsCaller } from './gateway.js';
import { redactOutput } from './output.js';

export interface PublicError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type ToolCallOutcome =
  { ok: true; structured: Record<string, unknown>; text: string } | { ok: false; error: PublicError };

export interface ToolCallEvent {
  tool: string;
  principal: string;
  outcome: 'success' | ErrorCode;
  durationMs: number;
}

export interface DispatcherOptions {
  tools: readonly AnyToolDefinition[];
  resources: readonly ResourceDefinition[];
  whmcs: WhmcsCaller;
  policy: PolicySettings;
  settings: ToolSettings;
  capabilities: CapabilityMatrix;
  writeFlow: WriteFlow;
  logger: Logger;
  /** MCP_AUTH_TOKEN: when set, stdio and in-memory callers must present it. */
  authToken?: string | undefined;
  onToolCall?: (event: ToolCallEvent) => void;
}

export interface ResourceReadRequest {
  uri: string;
  meta?: Record<string, unknown> | undefined;
  principal: Principal;
  signal: AbortSignal;
}

export interface ResourceContents {
  uri: string;
  mimeType: string;
  text: string;
}

export interface ToolCallRequest {
  name: string;
  arguments: unknown;
  /** The request's `_meta`, where a host can pass `auth_token` without showing it to the model. */
  meta?: Record<string, unknown> | undefined;
  principal: Principal;
  signal: AbortSignal;
}

const AUTH_ARGUMENT = 'auth_token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Formats zod issues as one message naming every bad field, plus structured problems. */
export function describeInputProblems(toolName: string, error: z.ZodError): WhmcsMcpError {
  const problems: Array<{ field: string; message: string }> = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        problems.push({ field: [...issue.path, key].join('.'), message: 'unknown field' });
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)';
    problems.push({ field, message: issue.message });
  }
  const listed = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
  return new WhmcsMcpError('invalid_input', `Invalid arguments for ${toolName}: ${listed}.`, {
    details: { problems },
  });
}

function defaultSummary(structured: Record<string, unknown>): string {
  if (Array.isArray(structured.items) && typeof structured.total === 'number') {
    const offset = typeof structured.offset === 'number' ? structured.offset : 0;
    const more = structured.has_more === true ? `; more from offset ${String(structured.next_offset)}` : '';
    return `${structured.items.length} of ${structured.total} item(s) from offset ${offset}${more}.`;
  }
  return 'Result:';
}

export class ToolDispatcher {
  private readonly byName: ReadonlyMap<string, AnyToolDefinition>;

  constructor(private readonly options: DispatcherOptions) {
    const byName = new Map<string, AnyToolDefinition>();
    for (const tool of options.tools) {
      if (byName.has(tool.name)) throw new Error(`Tool ${tool.name} is declared twice`);
      byName.set(tool.name, tool);
    }
    this.byName = byName;
  }

  /** The tools this principal may see: the same policy decision that guards calls. */
  listTools(principal: Principal): AnyToolDefinition[] {
    return this.options.tools.filter(
      (tool) => decideToolAccess(tool, principal, this.options.policy).allowed,
    );
  }

  getTool(name: string): AnyToolDefinition | undefined {
    return this.byName.get(name);
  }

  async call(request: ToolCallRequest): Promise<ToolCallOutcome> {
    const started = performance.now();
    let outcome: ToolCallOutcome;
    try {
      outcome = await this.run(request);
    } catch (caught) {
      outcome = { ok: false, error: this.toPublicError(caught, request.name) };
      this.auditWriteRefusal(request, caught, outcome.error);
    }
    const durationMs = performance.now() - started;
    const event: ToolCallEvent = {
      tool: request.name,
      principal: request.principal.label,
      outcome: outcome.ok ? 'success' : outcome.error.code,
      durationMs,
    };
    this.options.logger.info({ ...event, durationMs: Math.round(durationMs * 10) / 10 }, 'tool call');
    try {
      this.options.onToolCall?.(event);
    } catch (error) {
      this.options.logger.error({ err: error }, 'tool call observer threw');
    }
    return outcome;
  }

  /** Resources this principal may read, through the same policy as tools (kind read). */
  listResources(principal: Principal): ResourceDefinition[] {
    return this.options.resources.filter(
      (resource) => decideToolAccess({ ...resource, kind: 'read' }, principal, this.options.policy).allowed,
    );
  }

  /** Reads a resource through the same pipeline: auth, policy, scope, gateway, redaction. */
  async readResource(request: ResourceReadRequest): Promise<ResourceContents> {
    const started = performance.now();
    let outcome: 'success' | ErrorCode = 'success';
    try {
      this.authenticate({ ...request, arguments: {} });
      for (const resource of this.options.resources) {
        const variables = matchTemplate(resource.uriTemplate, request.uri);
        if (!variables) continue;
        const decision = decideToolAccess(
          { ...resource, kind: 'read' },
          request.principal,
          this.options.policy,
        );
        if (!decision.allowed) throw new WhmcsMcpError(decision.code, decision.reason);
        if (variables.id !== undefined && !/^[1-9]\d{0,9}$/.test(variables.id)) {
          throw new WhmcsMcpError('invalid_input', `'${variables.id}' is not a valid id in ${request.uri}.`, {
            details: { problems: [{ field: 'id', message: 'expected a positive integer' }] },
          });
        }
        const context = this.context(resource, decision.scope, request.principal, request.signal);
        const text = await resource.read(variables, context);
        return { uri: request.uri, mimeType: resource.mimeType, text: redactOutput(text) as string };
      }
      throw new WhmcsMcpError(
        'not_found',
        `No resource matches ${request.uri}. List resources and templates to see what exists.`,
      );
    } catch (caught) {
      const error = caught instanceof WhmcsMcpError ? caught : undefined;
      outcome = error?.code ?? 'upstream_error';
      if (!error)
        this.options.logger.error({ uri: request.uri, err: caught }, 'resource read failed unexpectedly');
      throw error ?? new WhmcsMcpError('upstream_error', `Reading ${request.uri} failed unexpectedly.`);
    } finally {
      this.options.logger.info(
        {
          resource: request.uri.replace(/\/\d+(?=\/|$)/g, '/{id}'),
          principal: request.principal.label,
          outcome,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        'resource read',
      );
    }
  }

  /** True when this principal's calls are bound to clients (client mode or a scoped consumer). */
  isClientScoped(principal: Principal): boolean {
    return scopeFor(principal, this.options.policy).mode === 'client';
  }

  /** Completion values for a resource template variable, within the caller's scope. */
  async completeResource(request: {
    uriTemplate: string;
    variable: string;
    prefix: string;
    principal: Principal;
    signal: AbortSignal;
  }): Promise<string[]> {
    const resource = this.options.resources.find(
      (candidate) => candidate.uriTemplate === request.uriTemplate,
    );
    if (!resource?.complete) return [];
    const decision = decideToolAccess({ ...resource, kind: 'read' }, request.principal, this.options.policy);
    if (!decision.allowed) return [];
    const context = this.context(resource, decision.scope, request.principal, request.signal);
    const values = await resource.complete(request.variable, request.prefix.slice(0, 50), context);
    return values.filter((value) => value.startsWith(request.prefix));
  }

  /** The handler's view of one call: gateway bound to the call's signal and declared actions. */
  private context(
    declaration: Pick<AnyToolDefinition, 'name' | 'whmcsActions'>,
    scope: ToolContext['scope'],
    principal: Principal,
    signal: AbortSignal,
  ): ToolContext {
    return {
      whmcs: new ToolWhmcsGateway(this.options.whmcs, declaration, signal, this.options.capabilities),
      scope,
      principal,
      settings: this.options.settings,
      signal,
      logger: this.options.logger.child({ tool: declaration.name }),
      capabilities: this.options.capabilities,
      writes: bindIntentAccess(this.options.writeFlow, principal, scope, signal, principal.transport),
    };
  }

  private async run(request: ToolCallRequest): Promise<ToolCallOutcome> {
    const args = this.authenticate(request);

    const tool = this.byName.get(request.name);
    if (!tool) {
      throw new WhmcsMcpError(
        'invalid_input',
        `Unknown tool '${request.name}'. Call tools/list to see what is available.`,
      );
    }

    const decision = decideToolAccess(tool, request.principal, this.options.policy);
    if (!decision.allowed) throw new WhmcsMcpError(decision.code, decision.reason);

    const parsed = tool.input.safeParse(args);
    if (!parsed.success) throw describeInputProblems(tool.name, parsed.error);

    for (const action of tool.whmcsActions) {
      if (this.options.capabilities.isKnownForbidden(action)) {
        throw new WhmcsMcpError(
          'forbidden',
          `The API role of this WHMCS credential does not allow ${action}, which ${tool.name} needs. Grant it in Configuration > System Settings > Manage API Credentials > API Roles.`,
          { details: { action } },
        );
      }
    }

    const raw = await tool.handler(
      parsed.data,
      this.context(tool, decision.scope, request.principal, request.signal),
    );

    // Projection: only fields the output schema declares leave the server.
    const projected = tool.output.safeParse(raw);
    if (!projected.success) {
      this.options.logger.error(
        { tool: tool.name, issues: projected.error.issues.slice(0, 10) },
        'tool output does not match its schema',
      );
      throw new WhmcsMcpError(
        'upstream_error',
        `${tool.name} received data from WHMCS that it could not shape into its documented output.`,
      );
    }
    const structured = redactOutput(projected.data) as Record<string, unknown>;
    const summary = tool.summarize ? tool.summarize(structured) : defaultSummary(structured);
    return { ok: true, structured, text: `${summary}\n${JSON.stringify(structured)}` };
  }

  /** Checks MCP_AUTH_TOKEN for local transports and strips the token from the arguments. */
  private authenticate(request: Pick<ToolCallRequest, 'arguments' | 'meta' | 'principal'>): unknown {
    const expected = this.options.authToken;
    const args = request.arguments;
    const argsRecord =
      args !== null && typeof args === 'object' && !Array.isArray(args)
        ? (args as Record<string, unknown>)
        : undefined;
    const local = request.principal.transport === 'stdio' || request.principal.transport === 'in-memory';
    if (!expected || !local) return args ?? {};
    const presented = request.meta?.[AUTH_ARGUMENT] ?? argsRecord?.[AUTH_ARGUMENT];
    if (!tokenMatches(presented, expected)) {
      throw new WhmcsMcpError(
        'auth_failed',
        'This server requires MCP_AUTH_TOKEN: pass it as `auth_token` in the request _meta (or as an auth_token argument).',
      );
    }
    if (!argsRecord || !(AUTH_ARGUMENT in argsRecord)) return args ?? {};
    const { [AUTH_ARGUMENT]: _token, ...rest } = argsRecord;
    return rest;
  }

  /** Every refused attempt at a write tool is one audit row, wherever in the pipeline it stopped. */
  private auditWriteRefusal(request: ToolCallRequest, caught: unknown, error: PublicError): void {
    const tool = this.byName.get(request.name);
    if (tool?.kind !== 'write' || isAuditedRefusal(caught)) return;
    if (
      !['forbidden', 'not_permitted_in_mode', 'approval_required', 'auth_failed', 'invalid_input'].includes(
        error.code,
      )
    )
      return;
    const args = request.arguments as Record<string, unknown> | null;
    const intentId = typeof args?.intent_id === 'string' ? args.intent_id.slice(0, 64) : null;
    this.options.writeFlow.auditRefusal(request.principal, tool.name, error.code, error.message, intentId);
  }

  private toPublicError(caught: unknown, toolName: string): PublicError {
    if (caught instanceof WhmcsMcpError) {
      if (caught.internal) {
        this.options.logger.warn(
          { tool: toolName, code: caught.code, detail: caught.internal },
          'tool call failed',
        );
      }
      return caught.toPublic();
    }
    this.options.logger.error({ tool: toolName, err: caught }, 'tool call failed unexpectedly');
    return {
      code: 'upstream_error',
      message: `${toolName} failed unexpectedly; the server log has the details.`,
    };
  }
}
