/**
 * What the access log says about one request: who, which route, which MCP method and, for a
 * tools/call, which tool. It reads only the method and tool name from the JSON-RPC body; arguments,
 * tokens and session ids never reach the log.
 */
import type { Logger } from 'pino';

export interface McpRequestSummary {
  /** The JSON-RPC method, or several joined by commas for a batch. */
  method: string | undefined;
  /** The tool name of a tools/call. */
  tool: string | undefined;
  /** True for a lone initialize request, the only message that may open a session. */
  initialize: boolean;
}

const NAME = /^[A-Za-z0-9_./:-]{1,100}$/;

function safeName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return NAME.test(value) ? value : '(invalid)';
}

function messageSummary(message: unknown): { method: string | undefined; tool: string | undefined } {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return { method: undefined, tool: undefined };
  }
  const record = message as Record<string, unknown>;
  const method = safeName(record.method);
  let tool: string | undefined;
  if (method === 'tools/call' && record.params !== null && typeof record.params === 'object') {
    tool = safeName((record.params as Record<string, unknown>).name);
  }
  return { method, tool };
}

export function summarizeMcpBody(body: unknown): McpRequestSummary {
  if (Array.isArray(body)) {
    const parts = body.slice(0, 5).map(messageSummary);
    const methods = parts.map((part) => part.method ?? '(response)');
    const tools = parts.map((part) => part.tool).filter((tool): tool is string => tool !== undefined);
    return {
      method: methods.length > 0 ? methods.join(',') + (body.length > 5 ? ',...' : '') : undefined,
      tool: tools.length > 0 ? tools.join(',') : undefined,
      initialize: false,
    };
  }
  const { method, tool } = messageSummary(body);
  return { method, tool, initialize: method === 'initialize' };
}

/** One line per request, and the event the metrics observe. */
export interface HttpRequestEvent {
  method: string;
  /** The route (/mcp, /healthz, ...); unknown paths are logged as 'other'. */
  path: string;
  principal: string | undefined;
  mcpMethod: string | undefined;
  tool: string | undefined;
  status: number;
  /**
   * ok, or why the request was answered the way it was: unauthorized, rate_limited,
   * auth_locked_out, forbidden_host, forbidden_origin, too_large, bad_request, session_not_found,
   * session_limit, shutting_down, closed_at_shutdown, not_found, not_ready, rejected, error,
   * client_closed.
   */
  outcome: string;
  durationMs: number;
}

const QUIET_PATHS = new Set(['/healthz', '/readyz']);

export function logRequest(logger: Logger, event: HttpRequestEvent): void {
  const line = {
    principal: event.principal,
    method: event.method,
    path: event.path,
    mcp_method: event.mcpMethod,
    tool: event.tool,
    status: event.status,
    outcome: event.outcome,
    duration_ms: Math.round(event.durationMs * 10) / 10,
  };
  // Probes arrive every few seconds; they are logged only at debug level.
  if (QUIET_PATHS.has(event.path) && event.status < 400) logger.debug(line, 'http request');
  else logger.info(line, 'http request');
}
