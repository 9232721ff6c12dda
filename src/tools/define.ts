/**
 * A tool is data: name, title, description, toolset, schemas, kind, risk, client-mode rule, the
 * WHMCS actions it uses, and a handler. The server derives annotations and policy from these
 * fields; handlers never see the MCP SDK or the raw WhmcsClient.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CapabilityMatrix } from '../policy/capabilities.js';
import type { ClientScope } from '../policy/client-scope.js';
import type { ClientModeRule, Mode } from '../policy/policy.js';
import type { Principal, Role, Toolset } from '../policy/principal.js';
import type { EffectTag, RiskClass } from '../whmcs/action-types.js';
import type { WhmcsParams } from '../whmcs/encode.js';
import type { IntentAccess } from '../writes/access.js';

export type WhmcsReply = Record<string, unknown>;

/**
 * The only door from a handler to WHMCS. It carries the call's abort signal, refuses blocked
 * actions, refuses write actions outside the write-flow, and records what the credential may call.
 */
export interface WhmcsGateway {
  call(action: string, params?: WhmcsParams): Promise<WhmcsReply>;
}

export interface ToolSettings {
  mode: Mode;
  environment: string;
  /** Refunds above this need an explicit acknowledgement (MCP_LARGE_REFUND_THRESHOLD). */
  largeRefundThreshold: string;
  /** Client custom field ids mapped to readable labels (MCP_CLIENT_CUSTOM_FIELD_LABELS). */
  clientCustomFieldLabels: ReadonlyMap<number, string>;
}

export interface ToolContext {
  whmcs: WhmcsGateway;
  scope: ClientScope;
  principal: Principal;
  settings: ToolSettings;
  signal: AbortSignal;
  logger: Logger;
  /** What this credential may call; read by get_capability_matrix. */
  capabilities: CapabilityMatrix;
  /** The write-flow, bound to this caller: the only way a tool changes WHMCS. */
  writes: IntentAccess;
}

export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
> {
  /** snake_case, stable: users' configs and harnesses call tools by name. */
  name: string;
  title: string;
  description: string;
  toolset: Toolset;
  kind: 'read' | 'write';
  risk: RiskClass;
  effects?: readonly EffectTag[];
  clientMode: ClientModeRule;
  /** The role a caller needs when the default (reader for reads, operator for writes) does not fit. */
  requiredRole?: Role;
  /** WHMCS actions the handler may call; the capability matrix and the gateway check against it. */
  whmcsActions: readonly string[];
  input: Input;
  output: Output;
  // Method syntax keeps handlers of specific tools assignable to the registry's general type.
  handler(input: z.output<Input>, ctx: ToolContext): Promise<z.input<Output>>;
  /** One or two lines for hosts that only read text; the JSON follows it. */
  summarize?(output: z.output<Output>): string;
}

export type AnyToolDefinition = ToolDefinition<z.ZodObject, z.ZodObject>;

export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  definition: ToolDefinition<Input, Output>,
): AnyToolDefinition {
  return definition as unknown as AnyToolDefinition;
}
