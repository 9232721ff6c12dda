// One MCP session with the server under test, opened the way a host opens it (stdio child process
// or Streamable HTTP with a bearer token). Every call is timed, its structuredContent is checked
// against the tool's published outputSchema with ajv, and every output is kept for the hygiene scans.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { untrustedTexts } from './scan.mjs';

const STDERR_CAP = 4 * 1024 * 1024;
const HARNESS_CLIENT = { name: 'whmcs-mcp-harness', version: '1.0.0' };

export function toolKind(tool) {
  const declared = tool._meta?.['whmcs-mcp/kind'];
  if (declared === 'read' || declared === 'write') return declared;
  return tool.annotations?.readOnlyHint === true ? 'read' : 'write';
}

export function toolClientMode(tool) {
  return tool._meta?.['whmcs-mcp/client-mode'] ?? null;
}

/** The `{"error":{"code","message"}}` body of an isError result, or null when it has none. */
function errorBody(text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body.error === 'object' && body.error !== null) {
      return {
        code: typeof body.error.code === 'string' ? body.error.code : null,
        message: typeof body.error.message === 'string' ? body.error.message : '',
        details: body.error.details ?? null,
      };
    }
  } catch {
    // Not JSON: reported as an error without the documented shape.
  }
  return null;
}

export class Session {
  /**
   * @param {{ kind: 'stdio', command: string, args: string[], env: Record<string,string>, cwd: string }
   *   | { kind: 'http', url: string, token?: string }} target
   */
  constructor(target, { timeoutMs, label, authToken, outputs }) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.label = label;
    /** MCP_AUTH_TOKEN of a stdio server, sent in each call's _meta as a host does. */
    this.authToken = authToken;
    /** Shared by every session of a run: what the hygiene layer scans. */
    this.outputs = outputs;
    this.stderr = '';
    this.client = null;
    this.tools = [];
    this.toolByName = new Map();
    this.validators = new Map();
    this.validator = new AjvJsonSchemaValidator();
  }

  async connect() {
    let transport;
    if (this.target.kind === 'stdio') {
      transport = new StdioClientTransport({
        command: this.target.command,
        args: this.target.args,
        env: this.target.env,
        cwd: this.target.cwd,
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk) => {
        if (this.stderr.length < STDERR_CAP) this.stderr += chunk.toString('utf8');
      });
    } else {
      const headers = this.target.token ? { Authorization: `Bearer ${this.target.token}` } : {};
      transport = new StreamableHTTPClientTransport(new URL(this.target.url), { requestInit: { headers } });
    }
    this.client = new Client(HARNESS_CLIENT);
    await this.client.connect(transport, { timeout: this.timeoutMs });
    this.record({ source: 'instructions', text: this.instructions() });
  }

  instructions() {
    return this.client?.getInstructions() ?? '';
  }

  serverVersion() {
    return this.client?.getServerVersion() ?? null;
  }

  async listTools() {
    const tools = [];
    let cursor;
    do {
      // A plain request: the SDK's listTools would compile every outputSchema a second time.
      const page = await this.client.request(
        { method: 'tools/list', params: cursor ? { cursor } : {} },
        ListToolsResultSchema,
        { timeout: this.timeoutMs },
      );
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    this.toolByName = new Map(tools.map((tool) => [tool.name, tool]));
    return tools;
  }

  has(name) {
    return this.toolByName.has(name);
  }

  record(output) {
    this.outputs.push({ session: this.label, ...output });
  }

  /** The ajv check of structuredContent against the tool's published outputSchema; null when valid. */
  schemaProblem(name, structured) {
    const tool = this.toolByName.get(name);
    if (!tool?.outputSchema) return null;
    let validate = this.validators.get(name);
    if (!validate) {
      validate = this.validator.getValidator(tool.outputSchema);
      this.validators.set(name, validate);
    }
    if (structured === undefined || structured === null)
      return 'no structuredContent although the tool declares an outputSchema';
    const verdict = validate(structured);
    return verdict.valid
      ? null
      : `structuredContent does not match the outputSchema: ${verdict.errorMessage}`;
  }

  /**
   * Calls a tool. The SDK's own callTool would throw on an output-schema mismatch; the request is
   * sent directly so the mismatch is reported as a contract failure with ajv's message instead.
   * @param {{ meta?: Record<string, unknown> | null }} [options] meta: null sends no _meta at all.
   */
  async call(name, args, options = {}) {
    const params = { name, arguments: args };
    const meta =
      options.meta === undefined
        ? this.authToken
          ? { auth_token: this.authToken }
          : undefined
        : options.meta;
    if (meta) params._meta = meta;
    const started = performance.now();
    const outcome = {
      name,
      args,
      ms: 0,
      ok: false,
      isError: false,
      structured: null,
      text: '',
      error: null,
      protocolError: null,
      schemaProblem: null,
    };
    try {
      const result = await this.client.request({ method: 'tools/call', params }, CallToolResultSchema, {
        timeout: this.timeoutMs,
      });
      outcome.isError = result.isError === true;
      outcome.structured = result.structuredContent ?? null;
      outcome.text = (result.content ?? [])
        .map((part) => (part.type === 'text' ? part.text : JSON.stringify(part)))
        .join('\n');
      if (outcome.isError) {
        outcome.error = errorBody(outcome.text) ?? { code: null, message: outcome.text, details: null };
      } else {
        outcome.schemaProblem = this.schemaProblem(name, outcome.structured);
      }
    } catch (error) {
      outcome.protocolError = {
        code: typeof error?.code === 'number' ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
        data: error?.data ?? null,
      };
    }
    outcome.ms = Math.round(performance.now() - started);
    outcome.ok = !outcome.isError && outcome.protocolError === null && outcome.schemaProblem === null;
    this.record({
      source: `tool ${name}`,
      isError: outcome.isError || outcome.protocolError !== null,
      structured: outcome.structured,
      text: outcome.protocolError ? outcome.protocolError.message : outcome.text,
      untrusted: untrustedTexts(outcome.structured),
    });
    return outcome;
  }

  /** Reads a resource; a refusal comes back as `{ error }` with the JSON-RPC code, message and data. */
  async readResource(uri) {
    try {
      const params = this.authToken ? { uri, _meta: { auth_token: this.authToken } } : { uri };
      const result = await this.client.readResource(params, { timeout: this.timeoutMs });
      const text = result.contents.map((part) => part.text ?? '').join('\n');
      let parsed = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      this.record({ source: `resource ${uri}`, text, structured: parsed, untrusted: untrustedTexts(parsed) });
      return { ok: true, contents: result.contents, text, parsed };
    } catch (error) {
      const failure = {
        ok: false,
        error: {
          code: typeof error?.code === 'number' ? error.code : null,
          message: error instanceof Error ? error.message : String(error),
          data: error?.data ?? null,
        },
      };
      this.record({
        source: `resource ${uri}`,
        isError: true,
        text: failure.error.message,
        structured: failure.error.data,
      });
      return failure;
    }
  }

  async getPrompt(name, args) {
    try {
      const params = {
        name,
        arguments: args,
        ...(this.authToken ? { _meta: { auth_token: this.authToken } } : {}),
      };
      const result = await this.client.getPrompt(params, { timeout: this.timeoutMs });
      const text = result.messages
        .map((message) =>
          message.content?.type === 'text' ? message.content.text : JSON.stringify(message.content),
        )
        .join('\n');
      this.record({ source: `prompt ${name}`, text });
      return { ok: true, messages: result.messages, text };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.record({ source: `prompt ${name}`, isError: true, text: message });
      return { ok: false, error: { code: typeof error?.code === 'number' ? error.code : null, message } };
    }
  }

  async close() {
    try {
      await this.client?.close();
    } catch {
      // Closing a session whose server already exited is not a finding.
    }
  }
}
