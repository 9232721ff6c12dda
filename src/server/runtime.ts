/**
 * Assembles one server process from its configuration: the WHMCS client, the capability matrix,
 * the dispatcher over the registries, and an MCP server factory per connection. The transports
 * (stdio, HTTP) take a runtime and only decide who the principal is.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { whmcsClientOptions } from '../config/index.js';
import { WhmcsMcpError } from '../errors.js';
import { CapabilityMatrix } from '../policy/capabilities.js';
import { scopeFor, type PolicySettings } from '../policy/policy.js';
import { TOOLSETS, type Principal, type Toolset } from '../policy/principal.js';
import type { PromptDefinition } from '../prompts/define.js';
import { ALL_PROMPTS } from '../prompts/registry.js';
import type { ResourceDefinition } from '../resources/define.js';
import { ALL_RESOURCES } from '../resources/registry.js';
import type { AnyToolDefinition, ToolSettings } from '../tools/define.js';
import { ALL_TOOLS } from '../tools/registry.js';
import { getAction } from '../whmcs/actions.js';
import type { ActionDefinition } from '../whmcs/action-types.js';
import { WhmcsClient, type WhmcsCallEvent } from '../whmcs/client.js';
import { WriteFlow, type WriteSettings } from '../writes/engine.js';
import { WRITE_RULES } from '../writes/rules/index.js';
import { SqliteIntentStore } from '../writes/sqlite-store.js';
import { ToolDispatcher, type ToolCallEvent } from './dispatch.js';
import { serverInstructions } from './instructions.js';
import { adoptPublishedSchemas, createMcpServer, type RequestExtra } from './mcp-server.js';
import { PUBLISHED_TOOL_SCHEMAS } from './published-tools.js';

export const SERVER_NAME = 'whmcs-mcp';

export interface RuntimeOptions {
  config: AppConfig;
  logger: Logger;
  version: string;
  /** A client to use instead of one built from the configuration (tests, benchmarks). */
  whmcs?: WhmcsClient;
  tools?: readonly AnyToolDefinition[];
  resources?: readonly ResourceDefinition[];
  prompts?: readonly PromptDefinition[];
  onToolCall?: (event: ToolCallEvent) => void;
  /** Observes every WHMCS call of a client built here; a client passed in `whmcs` keeps its own. */
  onWhmcsCall?: (event: WhmcsCallEvent) => void;
}

/** Watches calls without taking part in them (metrics); an observer must not throw. */
export interface RuntimeObserver {
  onToolCall?: (event: ToolCallEvent) => void;
  onWhmcsCall?: (event: WhmcsCallEvent) => void;
}

export interface Runtime {
  config: AppConfig;
  whmcs: WhmcsClient;
  dispatcher: ToolDispatcher;
  capabilities: CapabilityMatrix;
  store: SqliteIntentStore;
  writeFlow: WriteFlow;
  /** A new MCP server bound to how this connection identifies its principal. */
  /**
   * A new MCP server bound to how this connection identifies its principal. `principal`, when the
   * connection has one fixed principal (stdio, an HTTP session), shapes the instructions: a
   * client-scoped consumer is told its own scope.
   */
  createServer(principalFor: (extra: RequestExtra) => Principal, principal?: Principal): Server;
  /**
   * Adds an observer of every tool call, whatever the transport, and every WHMCS call made by a
   * client this runtime built. Returns a function that removes it.
   */
  observe(observer: RuntimeObserver): () => void;
  close(): Promise<void>;
}

/** MCP_TOOLSETS names are checked here, where the list of toolsets is known. */
export function policySettings(config: AppConfig): PolicySettings {
  const unknown = config.toolsets.filter((name) => !(TOOLSETS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new WhmcsMcpError(
      'invalid_input',
      `MCP_TOOLSETS names unknown toolset(s): ${unknown.join(', ')}. Known: ${TOOLSETS.join(', ')}.`,
    );
  }
  return {
    mode: config.mode,
    accessMode: config.accessMode,
    allowedClientIds: config.allowedClientIds,
    toolsets: config.toolsets.length > 0 ? (config.toolsets as Toolset[]) : undefined,
    toolAllowlist: config.toolAllowlist.length > 0 ? config.toolAllowlist : undefined,
    toolDenylist: config.toolDenylist.length > 0 ? config.toolDenylist : undefined,
  };
}

export type WriteConfig = Pick<
  AppConfig,
  | 'mode'
  | 'env'
  | 'writesDisabled'
  | 'writeAllowlist'
  | 'capPerAction'
  | 'capDaily'
  | 'approvalTtlMs'
  | 'intentTtlMs'
  | 'autoApprove'
  | 'dualApprovalThreshold'
  | 'largeRefundThreshold'
>;

export function writeSettings(config: WriteConfig): WriteSettings {
  return {
    mode: config.mode,
    environment: config.env,
    writesDisabled: config.writesDisabled,
    writeAllowlist: config.writeAllowlist,
    perActionCap: config.capPerAction ?? null,
    dailyCap: config.capDaily ?? null,
    approvalTtlMs: config.approvalTtlMs,
    intentTtlMs: config.intentTtlMs,
    autoApproveLowRisk: config.autoApprove,
    dualApprovalThreshold: config.dualApprovalThreshold ?? null,
    largeRefundThreshold: config.largeRefundThreshold,
  };
}

/** The WHMCS actions the surface can use, for the capability matrix. */
function actionsInUse(declarations: ReadonlyArray<{ whmcsActions: readonly string[] }>): ActionDefinition[] {
  const names = new Set(declarations.flatMap((declaration) => declaration.whmcsActions));
  return [...names]
    .map((name) => getAction(name))
    .filter((action): action is ActionDefinition => action !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, logger } = options;
  const tools = options.tools ?? ALL_TOOLS;
  // The bundled CLI carries the registry's schemas converted at build time.
  if (tools === ALL_TOOLS && PUBLISHED_TOOL_SCHEMAS !== undefined)
    adoptPublishedSchemas(tools, PUBLISHED_TOOL_SCHEMAS);
  const resources = options.resources ?? ALL_RESOURCES;
  const prompts = options.prompts ?? ALL_PROMPTS;
  const policy = policySettings(config);
  // Observers are added after assembly (metrics need the runtime), so the hooks fan out to a set.
  const observers = new Set<RuntimeObserver>();
  if (options.onToolCall || options.onWhmcsCall) {
    observers.add({ onToolCall: options.onToolCall, onWhmcsCall: options.onWhmcsCall });
  }
  const notify = (deliver: (observer: RuntimeObserver) => void) => {
    for (const observer of observers) {
      try {
        deliver(observer);
      } catch (error) {
        logger.error({ err: error }, 'call observer threw');
      }
    }
  };
  const whmcs =
    options.whmcs ??
    new WhmcsClient({
      ...whmcsClientOptions(config, logger),
      onCall: (event) => notify((observer) => observer.onWhmcsCall?.(event)),
    });
  const capabilities = new CapabilityMatrix(actionsInUse([...tools, ...resources]), (action, params) =>
    whmcs.call(action, params),
  );
  const settings: ToolSettings = {
    mode: config.mode,
    environment: config.env,
    largeRefundThreshold: config.largeRefundThreshold,
    clientCustomFieldLabels: config.clientCustomFieldLabels,
  };
  const store = new SqliteIntentStore({ path: config.stateDbPath });
  const writeFlow = new WriteFlow({
    store,
    whmcs,
    settings: writeSettings(config),
    rules: WRITE_RULES,
    logger,
  });
  const interrupted = writeFlow.recoverInterrupted();
  if (interrupted.length > 0) {
    logger.warn(
      { intents: interrupted },
      'writes were interrupted while executing; they are now unknown and must be reconciled (whmcs-mcp intents reconcile)',
    );
  }
  const dispatcher = new ToolDispatcher({
    tools,
    resources,
    whmcs,
    policy,
    settings,
    capabilities,
    writeFlow,
    logger,
    authToken: config.authToken,
    onToolCall: (event) => notify((observer) => observer.onToolCall?.(event)),
  });

  return {
    config,
    whmcs,
    dispatcher,
    capabilities,
    store,
    writeFlow,
    createServer(principalFor, principal) {
      const scopeOf = principal ?? { id: 'server', label: 'server', roles: [], transport: 'stdio' as const };
      return createMcpServer({
        name: SERVER_NAME,
        version: options.version,
        dispatcher,
        prompts,
        principalFor,
        instructions: serverInstructions({
          mode: config.mode,
          environment: config.env,
          scope: scopeFor(scopeOf, policy),
        }),
      });
    },
    observe(observer) {
      observers.add(observer);
      return () => {
        observers.delete(observer);
      };
    },
    async close() {
      await whmcs.close();
      store.close();
    },
  };
}
