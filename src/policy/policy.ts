/**
 * The policy decision for one tool and one principal, in the order the design fixes: principal,
 * toolset, mode, access mode and client scope, allowlist. Listing and calling use this same
 * function, so a tool the configuration forbids is neither listed nor callable by name. The
 * capability matrix and, for writes, the intent gate come after it at call time.
 */
import type { ErrorCode } from '../errors.js';
import { ClientScope } from './client-scope.js';
import { hasRole, type Principal, type Role, type Toolset } from './principal.js';

export const MODES = ['read_only', 'simulate', 'full'] as const;
export type Mode = (typeof MODES)[number];

export type AccessMode = 'admin' | 'client';

/** How a tool behaves when the call is bound to clients. */
export type ClientModeRule =
  /** Resolves every entity to its owner and filters lists: available in client mode. */
  | 'owned'
  /** Touches no client data (products, TLD pricing, departments): available in client mode. */
  | 'public'
  /** Spans clients (global lists, reports, system): never available in client mode. */
  | 'admin_only';

export interface PolicySettings {
  mode: Mode;
  accessMode: AccessMode;
  allowedClientIds: readonly number[];
  /** MCP_TOOLSETS; undefined enables every toolset. */
  toolsets?: readonly Toolset[] | undefined;
  /** MCP_TOOL_ALLOWLIST; undefined allows every tool. */
  toolAllowlist?: readonly string[] | undefined;
  toolDenylist?: readonly string[] | undefined;
}

/** What policy needs to know about a tool: its declaration, not its code. */
export interface ToolPolicyFacts {
  name: string;
  toolset: Toolset;
  kind: 'read' | 'write';
  clientMode: ClientModeRule;
  /** The role a caller needs; by default reader for reads and operator for writes. */
  requiredRole?: Role | undefined;
}

export function requiredRoleOf(tool: ToolPolicyFacts): Role {
  return tool.requiredRole ?? (tool.kind === 'write' ? 'operator' : 'reader');
}

export type PolicyDecision =
  { allowed: true; scope: ClientScope } | { allowed: false; code: ErrorCode; reason: string };

function refuse(code: ErrorCode, reason: string): PolicyDecision {
  return { allowed: false, code, reason };
}

export function scopeFor(principal: Principal, settings: PolicySettings): ClientScope {
  return ClientScope.resolve(
    settings.accessMode === 'client' ? settings.allowedClientIds : undefined,
    principal.clientScope,
  );
}

export function decideToolAccess(
  tool: ToolPolicyFacts,
  principal: Principal,
  settings: PolicySettings,
): PolicyDecision {
  const role = requiredRoleOf(tool);
  if (!hasRole(principal, role)) {
    return refuse(
      'forbidden',
      `${tool.name} needs the ${role} role, which ${principal.label} does not hold.`,
    );
  }
  if (principal.toolsets !== undefined && !principal.toolsets.includes(tool.toolset)) {
    return refuse('forbidden', `The '${tool.toolset}' toolset is not granted to ${principal.label}.`);
  }
  if (settings.toolsets !== undefined && !settings.toolsets.includes(tool.toolset)) {
    return refuse('forbidden', `The '${tool.toolset}' toolset is not enabled (MCP_TOOLSETS).`);
  }
  if (tool.kind === 'write' && settings.mode === 'read_only') {
    return refuse(
      'not_permitted_in_mode',
      `${tool.name} changes WHMCS and this server runs in read_only mode (MCP_MODE). Use simulate to rehearse writes, or full to make them.`,
    );
  }
  const scope = scopeFor(principal, settings);
  if (scope.mode === 'client' && tool.clientMode === 'admin_only') {
    return refuse('forbidden', `${tool.name} spans many clients and is not available in client mode.`);
  }
  if (settings.toolDenylist?.includes(tool.name)) {
    return refuse('forbidden', `${tool.name} is denied by MCP_TOOL_DENYLIST.`);
  }
  if (settings.toolAllowlist !== undefined && !settings.toolAllowlist.includes(tool.name)) {
    return refuse('forbidden', `${tool.name} is not in MCP_TOOL_ALLOWLIST.`);
  }
  return { allowed: true, scope };
}
