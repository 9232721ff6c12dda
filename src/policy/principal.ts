/**
 * Who is calling. The transport establishes the principal (stdio process, HTTP bearer token, OAuth
 * subject, operator CLI); nothing a tool argument says can change it.
 */
export const ROLES = ['reader', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const TOOLSETS = [
  'clients',
  'billing',
  'orders',
  'services',
  'domains',
  'support',
  'reports',
  'system',
  'writes',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

export type PrincipalTransport = 'stdio' | 'http' | 'in-memory' | 'cli' | 'console';

export interface Principal {
  /** Stable identity used to bind intents and approvals: 'stdio', 'consumer:billing-bot', 'oauth:sub'. */
  id: string;
  /** What logs and the audit show. */
  label: string;
  roles: readonly Role[];
  /** Client ids this principal is bound to; undefined means it is not bound by itself. */
  clientScope?: readonly number[];
  /** Toolsets this principal may use; undefined means every toolset the server enables. */
  toolsets?: readonly Toolset[];
  transport: PrincipalTransport;
}

/**
 * Whether the principal holds a role. Admin holds every role; operators and approvers may read
 * (an approver must see what it approves), so both imply reader.
 */
export function hasRole(principal: Principal, role: Role): boolean {
  if (principal.roles.includes(role) || principal.roles.includes('admin')) return true;
  return role === 'reader' && (principal.roles.includes('operator') || principal.roles.includes('approver'));
}

/**
 * The agent on the other end of a stdio pipe. It may read and draft, never approve: approval needs
 * a second principal through another channel.
 */
export function stdioPrincipal(label = 'stdio-agent'): Principal {
  return { id: 'stdio', label, roles: ['reader', 'operator'], transport: 'stdio' };
}
