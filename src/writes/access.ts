/**
 * The write-flow as a tool handler sees it: bound to the calling principal, its client scope and
 * the call's abort signal. There is no way to pass another principal through it: approvals made
 * here are made by whoever the transport says is calling.
 */
import type { ClientScope } from '../policy/client-scope.js';
import type { Principal } from '../policy/principal.js';
import type { DraftRequest, IntentView, WriteFlow } from './engine.js';
import type { IntentFilter } from './types.js';

export interface IntentAccess {
  readonly killSwitchEngaged: boolean;
  draft(request: DraftRequest): IntentView;
  validate(id: string): Promise<IntentView>;
  approve(id: string, input: { reason: string; acknowledgements?: readonly string[] }): IntentView;
  reject(id: string, reason: string): IntentView;
  cancel(id: string, reason: string): IntentView;
  execute(id: string): Promise<IntentView>;
  reconcile(id: string): Promise<IntentView>;
  get(id: string): IntentView;
  list(filter: IntentFilter): { items: IntentView[]; total: number };
  /**
   * What a write tool does in one call: draft, validate, and execute when policy approved it
   * already (auto-approval); otherwise the pending intent comes back for a person to approve.
   */
  submit(request: DraftRequest): Promise<IntentView>;
}

export function bindIntentAccess(
  flow: WriteFlow,
  principal: Principal,
  scope: ClientScope,
  signal: AbortSignal,
  channel: string,
): IntentAccess {
  return {
    get killSwitchEngaged() {
      return flow.killSwitchEngaged();
    },
    draft: (request) => flow.draft(principal, scope, request),
    validate: (id) => flow.validate(principal, scope, id, signal),
    approve: (id, input) => flow.approve(principal, scope, id, { ...input, channel }),
    reject: (id, reason) => flow.reject(principal, scope, id, { reason, channel }),
    cancel: (id, reason) => flow.cancel(principal, scope, id, reason),
    execute: (id) => flow.execute(principal, scope, id, signal),
    reconcile: (id) => flow.reconcile(principal, scope, id, signal),
    get: (id) => flow.get(principal, scope, id),
    list: (filter) => flow.list(principal, scope, filter),
    async submit(request) {
      const drafted = flow.draft(principal, scope, request);
      // An idempotent replay returns the intent as it stands, wherever it got to.
      if (drafted.state !== 'draft') return drafted;
      const validated = await flow.validate(principal, scope, drafted.id, signal);
      if (validated.state !== 'approved') return validated;
      return flow.execute(principal, scope, validated.id, signal);
    },
  };
}
