/**
 * Which WHMCS actions this installation and credential can serve. WHMCS does not expose a
 * credential's API role, so we learn it by calling each read action the tools use with harmless
 * parameters: WHMCS checks the role before it looks at parameters, so "not found" or "required"
 * still proves the action is allowed. Writes are never called to test them; what the live calls
 * reveal (a write refused by the role) is recorded too. The probe is lazy and cached with a TTL.
 */
import { WhmcsMcpError } from '../errors.js';
import type { ActionDefinition } from '../whmcs/action-types.js';

export type CapabilityStatus = 'allowed' | 'forbidden' | 'unknown' | 'error';

export interface CapabilityEntry {
  action: string;
  kind: 'read' | 'write';
  status: CapabilityStatus;
  /** Where the status came from: the probe, a live call, or nothing yet. */
  source: 'probe' | 'live' | 'none';
  checked_at: string | null;
  note?: string;
}

export interface CapabilitySnapshot {
  probed_at: string | null;
  ttl_seconds: number;
  entries: CapabilityEntry[];
}

export type ProbeCall = (action: string, params: Record<string, string | number>) => Promise<unknown>;

/** Minimal parameters that let WHMCS reach its role check without touching real data. */
export function probeParams(action: ActionDefinition): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const param of action.params) {
    if (!param.required) continue;
    params[param.name] = param.type === 'int' || param.type === 'float' ? 0 : '';
  }
  if (action.paged) params.limitnum = 1;
  return params;
}

export class CapabilityMatrix {
  private readonly entries = new Map<string, CapabilityEntry>();
  private probedAt: number | null = null;
  private probing: Promise<void> | null = null;

  constructor(
    private readonly actions: readonly ActionDefinition[],
    private readonly probeCall: ProbeCall,
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    for (const action of actions) {
      this.entries.set(action.name, {
        action: action.name,
        kind: action.kind,
        status: 'unknown',
        source: 'none',
        checked_at: null,
        ...(action.kind === 'write' ? { note: 'writes are never called to test them' } : {}),
      });
    }
  }

  /** What a live call showed; a role refusal is remembered so later calls fail fast. */
  record(action: string, outcome: 'allowed' | 'forbidden'): void {
    const entry = this.entries.get(action);
    if (!entry) return;
    entry.status = outcome;
    entry.source = 'live';
    entry.checked_at = new Date(this.now()).toISOString();
  }

  isKnownForbidden(action: string): boolean {
    return this.entries.get(action)?.status === 'forbidden';
  }

  /** Probes when never probed or older than the TTL; concurrent callers share one probe. */
  async snapshot(): Promise<CapabilitySnapshot> {
    const stale = this.probedAt === null || this.now() - this.probedAt > this.ttlMs;
    if (stale) {
      this.probing ??= this.probe().finally(() => {
        this.probing = null;
      });
      await this.probing;
    }
    return {
      probed_at: this.probedAt === null ? null : new Date(this.probedAt).toISOString(),
      ttl_seconds: Math.round(this.ttlMs / 1000),
      entries: [...this.entries.values()].map((entry) => ({ ...entry })),
    };
  }

  private async probe(): Promise<void> {
    const reads = this.actions.filter((action) => action.kind === 'read' && !action.blocked);
    await Promise.all(
      reads.map(async (action) => {
        const entry = this.entries.get(action.name)!;
        let status: CapabilityStatus = 'allowed';
        let note: string | undefined;
        try {
          await this.probeCall(action.name, probeParams(action));
        } catch (error) {
          if (error instanceof WhmcsMcpError && error.code === 'forbidden') {
            status = 'forbidden';
          } else if (
            error instanceof WhmcsMcpError &&
            (error.code === 'not_found' || error.code === 'invalid_input')
          ) {
            status = 'allowed';
          } else {
            status = 'error';
            note = error instanceof WhmcsMcpError ? error.code : 'probe failed';
          }
        }
        entry.status = status;
        entry.source = 'probe';
        entry.checked_at = new Date(this.now()).toISOString();
        if (note === undefined) delete entry.note;
        else entry.note = note;
      }),
    );
    this.probedAt = this.now();
  }
}
