/**
 * What the write-flow needs from storage. SQLite implements it today (sqlite-store.ts); a
 * PostgreSQL store for several replicas implements the same interface. Every method is atomic.
 */
import type {
  Approval,
  AuditEvent,
  AuditFilter,
  AuditAnchor,
  AuditRow,
  AuditVerification,
  Intent,
  IntentFilter,
} from './types.js';
import type { IntentState } from './states.js';

export interface IdempotencyRecord {
  intent_id: string;
  params_digest: string;
}

/** What an execution counts against today's cap, stored with the transition that ends it. */
export interface CapSpend {
  day: string;
  currency: string;
  action: string;
  cents: bigint;
}

export interface IntentStore {
  /** Inserts a new intent (and its idempotency key) and appends the audit row, in one transaction. */
  createIntent(intent: Intent, audit: AuditEvent): void;
  getIntent(id: string): Intent | undefined;
  findIdempotencyKey(principal: string, key: string): IdempotencyRecord | undefined;
  listIntents(filter: IntentFilter): { items: Intent[]; total: number };
  /**
   * Moves an intent from `expected` state and version to its new content, appending the audit row
   * (and adding `spend` to the daily totals, when given) in the same transaction. Returns false when
   * another caller moved it first (state or version changed): the caller re-reads and decides. This
   * is what makes two concurrent executes produce exactly one `approved -> executing`.
   */
  updateIntent(
    next: Intent,
    expected: { state: IntentState; version: number },
    audit: AuditEvent,
    spend?: CapSpend | null,
  ): boolean;
  addApproval(
    approval: Approval,
    intentUpdate: { next: Intent; expected: { state: IntentState; version: number } } | null,
    audit: AuditEvent,
  ): boolean;
  listApprovals(intentId: string): Approval[];
  /** Appends one audit row (for refusals and events that change no intent). */
  appendAudit(event: AuditEvent): AuditRow;
  listAudit(filter: AuditFilter): { items: AuditRow[]; total: number };
  /**
   * Checks the hash chain from the first row; with `expectHead`, also that the anchored row is
   * still there with the same hash (rows removed from the end, or a chain rewritten, fail).
   */
  verifyAudit(options?: { expectHead?: AuditAnchor }): AuditVerification;
  /**
   * Today's total for a currency in cents. Spends are added only by updateIntent, with the
   * transition that ends an execution, so the total never counts a write the store does not hold.
   */
  dailyTotal(day: string, currency: string): bigint;
  /** Turns every `executing` intent into `unknown` (after a crash); returns their ids. */
  markInterruptedExecutions(audit: (intent: Intent) => AuditEvent): string[];
  /** Whether the store survives a restart; an in-memory store does not. */
  readonly durable: boolean;
  close(): void;
}
