import { describe, expect, it } from 'vitest';
import { decideToolAccess, type PolicySettings, type ToolPolicyFacts } from '../../src/policy/policy.js';
import { hasRole, type Principal } from '../../src/policy/principal.js';

const settings: PolicySettings = { mode: 'full', accessMode: 'admin', allowedClientIds: [] };
const read: ToolPolicyFacts = { name: 'get_invoice', toolset: 'billing', kind: 'read', clientMode: 'owned' };
const write: ToolPolicyFacts = {
  name: 'add_credit',
  toolset: 'billing',
  kind: 'write',
  clientMode: 'admin_only',
};
const approve: ToolPolicyFacts = {
  ...write,
  name: 'approve_write_intent',
  toolset: 'writes',
  requiredRole: 'approver',
};

function principal(roles: Principal['roles'], extra: Partial<Principal> = {}): Principal {
  return { id: `p:${roles.join('+')}`, label: roles.join('+'), roles, transport: 'http', ...extra };
}

describe('decideToolAccess', () => {
  it('needs the reader role for reads, operator for writes, approver for approvals', () => {
    const reader = principal(['reader']);
    expect(decideToolAccess(read, reader, settings).allowed).toBe(true);
    expect(decideToolAccess(write, reader, settings)).toMatchObject({ allowed: false, code: 'forbidden' });
    expect(decideToolAccess(write, principal(['operator']), settings).allowed).toBe(true);
    expect(decideToolAccess(approve, principal(['reader', 'operator']), settings).allowed).toBe(false);
    expect(decideToolAccess(approve, principal(['approver']), settings).allowed).toBe(true);
    expect(decideToolAccess(write, principal(['admin']), settings).allowed).toBe(true);
    expect(decideToolAccess(read, principal([]), settings).allowed).toBe(false);
  });

  it('lets operators and approvers read, and admins do everything', () => {
    expect(hasRole(principal(['approver']), 'reader')).toBe(true);
    expect(hasRole(principal(['operator']), 'reader')).toBe(true);
    expect(hasRole(principal(['approver']), 'operator')).toBe(false);
    expect(hasRole(principal(['admin']), 'approver')).toBe(true);
  });

  it('checks, in order, principal toolsets, server toolsets, mode, client scope, deny and allow lists', () => {
    const operator = principal(['operator']);
    expect(
      decideToolAccess(write, principal(['operator'], { toolsets: ['clients'] }), settings),
    ).toMatchObject({ allowed: false });
    expect(decideToolAccess(write, operator, { ...settings, toolsets: ['support'] })).toMatchObject({
      allowed: false,
    });
    expect(decideToolAccess(write, operator, { ...settings, mode: 'read_only' })).toMatchObject({
      code: 'not_permitted_in_mode',
    });
    expect(
      decideToolAccess(write, operator, { ...settings, accessMode: 'client', allowedClientIds: [1] }),
    ).toMatchObject({
      allowed: false,
      code: 'forbidden',
    });
    expect(
      decideToolAccess(read, operator, { ...settings, accessMode: 'client', allowedClientIds: [1] }).allowed,
    ).toBe(true);
    expect(decideToolAccess(read, operator, { ...settings, toolDenylist: ['get_invoice'] }).allowed).toBe(
      false,
    );
    expect(decideToolAccess(read, operator, { ...settings, toolAllowlist: ['add_credit'] }).allowed).toBe(
      false,
    );
  });

  it('narrows a scoped principal to the intersection with the server scope', () => {
    const decision = decideToolAccess(read, principal(['reader'], { clientScope: [1, 2] }), {
      ...settings,
      accessMode: 'client',
      allowedClientIds: [2, 3],
    });
    expect(decision.allowed && decision.scope.clientIds).toEqual([2]);
  });
});
