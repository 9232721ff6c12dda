/**
 * The SQLite intent store (better-sqlite3). WAL for concurrent readers, synchronous=FULL so an
 * audit row is on disk before the caller hears success, versioned migrations at open, and the file
 * created with mode 0600 because intents hold the exact parameters WHMCS will receive.
 *
 * The audit table is append-only (triggers refuse UPDATE and DELETE) and hash-chained: each row
 * carries the hash of the one before, and `audit_head` holds the last hash, so an edit, a
 * deletion (tail included) or a reordering is found by verifyAudit(). Someone who can write the
 * file can also rewrite `audit_head`; an anchor kept elsewhere (expectHead) catches that.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { IntentState } from './states.js';
import { canonicalJson, sha256Hex } from './digest.js';
import type { CapSpend, IdempotencyRecord, IntentStore } from './store.js';
import type {
  Approval,
  AuditEvent,
  AuditAnchor,
  AuditFilter,
  AuditRow,
  AuditVerification,
  Intent,
  IntentFilter,
} from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

interface Migration {
  version: number;
  description: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'intents, approvals, audit chain, idempotency keys, daily totals, settings',
    sql: `
      CREATE TABLE intents (
        id TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        drafted_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX intents_state ON intents (state, created_at);
      CREATE INDEX intents_drafted_by ON intents (drafted_by, created_at);

      CREATE TABLE approvals (
        intent_id TEXT NOT NULL REFERENCES intents (id),
        approver TEXT NOT NULL,
        approver_label TEXT NOT NULL,
        channel TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
        reason TEXT NOT NULL,
        params_digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (intent_id, approver)
      );

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        principal TEXT NOT NULL,
        tool TEXT,
        action TEXT,
        entity TEXT,
        intent_id TEXT,
        event TEXT NOT NULL,
        outcome TEXT NOT NULL,
        params_digest TEXT,
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_intent ON audit (intent_id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');

      CREATE TABLE idempotency_keys (
        principal TEXT NOT NULL,
        key TEXT NOT NULL,
        intent_id TEXT NOT NULL REFERENCES intents (id),
        params_digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (principal, key)
      );

      CREATE TABLE daily_totals (
        day TEXT NOT NULL,
        currency TEXT NOT NULL,
        action TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        PRIMARY KEY (day, currency, action)
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
];

/** The fields an audit row's hash covers, in the order canonicalJson sorts keys. */
const HASHED_AUDIT_FIELDS = [
  'action',
  'at',
  'detail',
  'entity',
  'event',
  'intent_id',
  'outcome',
  'params_digest',
  'principal',
  'seq',
  'tool',
] as const;

/**
 * The hash of one audit row: the previous hash and the row's canonical JSON. The JSON is built
 * field by field in sorted order, byte for byte what canonicalJson gives for the same object, so
 * every chain written before stays valid; `detailJson` is the detail's canonical JSON when the
 * caller already has it.
 */
export function auditRowHash(
  prevHash: string,
  row: Omit<AuditRow, 'hash' | 'prev_hash'>,
  detailJson: string = canonicalJson(row.detail),
): string {
  let text = '';
  for (const field of HASHED_AUDIT_FIELDS) {
    const value = row[field];
    if (value === undefined) continue;
    text += `${text === '' ? '{' : ','}"${field}":${field === 'detail' ? detailJson : canonicalJson(value)}`;
  }
  return sha256Hex(`${prevHash}\n${text === '' ? '{' : text}}`);
}

interface AuditDbRow {
  seq: number;
  at: string;
  principal: string;
  tool: string | null;
  action: string | null;
  entity: string | null;
  intent_id: string | null;
  event: string;
  outcome: string;
  params_digest: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function toAuditRow(row: AuditDbRow): AuditRow {
  return { ...row, detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>) };
}

/** Creates the file with owner-only permissions before SQLite opens it. */
function prepareFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for tests (not durable). */
  path: string;
  now?: () => Date;
}

/** The statements every call uses, prepared once per connection: preparing took longer than running. */
function prepareStatements(db: Database.Database) {
  return {
    auditHead: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1'),
    insertAudit: db.prepare(
      `INSERT INTO audit (seq, at, principal, tool, action, entity, intent_id, event, outcome, params_digest, detail, prev_hash, hash)
       VALUES (@seq, @at, @principal, @tool, @action, @entity, @intent_id, @event, @outcome, @params_digest, @detail, @prev_hash, @hash)`,
    ),
    moveAuditHead: db.prepare<[number, string]>('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1'),
    insertIntent: db.prepare(
      'INSERT INTO intents (id, action, state, drafted_by, created_at, updated_at, version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertIdempotencyKey: db.prepare(
      'INSERT INTO idempotency_keys (principal, key, intent_id, params_digest, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    intentBody: db.prepare<[string], { body: string }>('SELECT body FROM intents WHERE id = ?'),
    idempotencyKey: db.prepare<[string, string], IdempotencyRecord>(
      'SELECT intent_id, params_digest FROM idempotency_keys WHERE principal = ? AND key = ?',
    ),
    updateIntent: db.prepare(
      'UPDATE intents SET state = ?, updated_at = ?, version = ?, body = ? WHERE id = ? AND state = ? AND version = ?',
    ),
    intentExists: db.prepare<[string], { found: number }>('SELECT 1 AS found FROM intents WHERE id = ?'),
    upsertApproval: db.prepare(
      `INSERT INTO approvals (intent_id, approver, approver_label, channel, decision, reason, params_digest, created_at, expires_at)
       VALUES (@intent_id, @approver, @approver_label, @channel, @decision, @reason, @params_digest, @created_at, @expires_at)
       ON CONFLICT (intent_id, approver) DO UPDATE SET
         decision = excluded.decision, reason = excluded.reason, channel = excluded.channel,
         params_digest = excluded.params_digest, created_at = excluded.created_at, expires_at = excluded.expires_at`,
    ),
    approvals: db.prepare<[string], Approval>(
      'SELECT * FROM approvals WHERE intent_id = ? ORDER BY created_at, approver',
    ),
    allAudit: db.prepare<[], AuditDbRow>('SELECT * FROM audit ORDER BY seq'),
    dailyTotal: db
      .prepare<[string, string], { total: bigint }>(
        'SELECT COALESCE(SUM(amount_cents), 0) AS total FROM daily_totals WHERE day = ? AND currency = ?',
      )
      .safeIntegers(true),
    addToDailyTotal: db.prepare<[string, string, string, bigint]>(
      `INSERT INTO daily_totals (day, currency, action, amount_cents) VALUES (?, ?, ?, ?)
       ON CONFLICT (day, currency, action) DO UPDATE SET amount_cents = amount_cents + excluded.amount_cents`,
    ),
    executingBodies: db.prepare<[], { body: string }>("SELECT body FROM intents WHERE state = 'executing'"),
    setting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    upsertSetting: db.prepare<[string, string, string]>(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ),
  };
}

/** The list queries' WHERE clauses vary with the filter; each shape is prepared once and kept. */
const LIST_STATEMENTS_KEPT = 256;

export class SqliteIntentStore implements IntentStore {
  readonly durable: boolean;
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly transactions: ReturnType<SqliteIntentStore['prepareTransactions']>;
  private readonly listStatements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    this.durable = options.path !== ':memory:';
    this.now = options.now ?? (() => new Date());
    if (this.durable) prepareFile(options.path);
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.sql = prepareStatements(this.db);
    this.transactions = this.prepareTransactions();
    if (this.durable) {
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(options.path + suffix)) chmodSync(options.path + suffix, 0o600);
      }
    }
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (row) => row.version,
      ),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(migration.version, this.now().toISOString());
      })();
    }
  }

  /** Appends inside the caller's transaction. */
  private appendInTransaction(event: AuditEvent): AuditRow {
    const head = this.sql.auditHead.get()!;
    const row: Omit<AuditRow, 'hash' | 'prev_hash'> = {
      seq: head.seq + 1,
      at: this.now().toISOString(),
      principal: event.principal,
      tool: event.tool,
      action: event.action,
      entity: event.entity,
      intent_id: event.intent_id,
      event: event.event,
      outcome: event.outcome,
      params_digest: event.params_digest,
      detail: event.detail,
    };
    const detailJson = canonicalJson(row.detail);
    const hash = auditRowHash(head.hash, row, detailJson);
    this.sql.insertAudit.run({
      ...row,
      detail: row.detail === null ? null : detailJson,
      prev_hash: head.hash,
      hash,
    });
    this.sql.moveAuditHead.run(row.seq, hash);
    return { ...row, prev_hash: head.hash, hash };
  }

  /**
   * Every write is one IMMEDIATE transaction (the write lock taken at the start, so a second process
   * waits instead of failing midway), wrapped once per connection rather than on every call.
   */
  private prepareTransactions() {
    return {
      create: this.writeTransaction((intent: Intent, audit: AuditEvent) => {
        this.sql.insertIntent.run(
          intent.id,
          intent.action,
          intent.state,
          intent.drafted_by,
          intent.created_at,
          intent.updated_at,
          intent.version,
          JSON.stringify(intent),
        );
        if (intent.idempotency_key !== null) {
          this.sql.insertIdempotencyKey.run(
            intent.drafted_by,
            intent.idempotency_key,
            intent.id,
            intent.params_digest,
            intent.created_at,
          );
        }
        this.appendInTransaction(audit);
      }),

      update: this.writeTransaction(
        (
          next: Intent,
          expected: { state: IntentState; version: number },
          audit: AuditEvent,
          spend: CapSpend | null,
        ): boolean => {
          if (!this.updateInTransaction(next, expected)) return false;
          if (spend) this.sql.addToDailyTotal.run(spend.day, spend.currency, spend.action, spend.cents);
          this.appendInTransaction(audit);
          return true;
        },
      ),

      approval: this.writeTransaction(
        (
          approval: Approval,
          intentUpdate: { next: Intent; expected: { state: IntentState; version: number } } | null,
          audit: AuditEvent,
        ): boolean => {
          if (intentUpdate) {
            // The guarded update also proves the intent exists.
            if (!this.updateInTransaction(intentUpdate.next, intentUpdate.expected)) return false;
          } else if (this.sql.intentExists.get(approval.intent_id) === undefined) {
            return false;
          }
          this.sql.upsertApproval.run(approval);
          this.appendInTransaction(audit);
          return true;
        },
      ),

      append: this.writeTransaction((event: AuditEvent) => this.appendInTransaction(event)),

      recovery: this.writeTransaction((audit: (intent: Intent) => AuditEvent) => {
        const ids: string[] = [];
        for (const { body } of this.sql.executingBodies.all()) {
          const intent = JSON.parse(body) as Intent;
          const next: Intent = {
            ...intent,
            state: 'unknown',
            updated_at: this.now().toISOString(),
            version: intent.version + 1,
            error: {
              code: 'unknown',
              message:
                'The server stopped while this write was being sent to WHMCS; reconcile it before anything else.',
            },
          };
          if (this.updateInTransaction(next, { state: 'executing', version: intent.version })) {
            this.appendInTransaction(audit(next));
            ids.push(intent.id);
          }
        }
        return ids;
      }),

      setting: this.writeTransaction((key: string, value: string, audit: AuditEvent) => {
        this.sql.upsertSetting.run(key, value, this.now().toISOString());
        this.appendInTransaction(audit);
      }),
    };
  }

  /** Wraps work as an IMMEDIATE transaction, keeping the work's own parameters. */
  private writeTransaction<A extends unknown[], T>(work: (...args: A) => T): (...args: A) => T {
    const transaction = this.db.transaction(work);
    return (...args: A) => transaction.immediate(...args);
  }

  createIntent(intent: Intent, audit: AuditEvent): void {
    this.transactions.create(intent, audit);
  }

  getIntent(id: string): Intent | undefined {
    const row = this.sql.intentBody.get(id);
    return row ? (JSON.parse(row.body) as Intent) : undefined;
  }

  findIdempotencyKey(principal: string, key: string): IdempotencyRecord | undefined {
    return this.sql.idempotencyKey.get(principal, key);
  }

  listIntents(filter: IntentFilter): { items: Intent[]; total: number } {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      values.push(...filter.states);
    }
    if (filter.action) {
      where.push('action = ?');
      values.push(filter.action);
    }
    if (filter.drafted_by) {
      where.push('drafted_by = ?');
      values.push(filter.drafted_by);
    }
    if (filter.since) {
      where.push('created_at >= ?');
      values.push(filter.since);
    }
    if (filter.until) {
      where.push('created_at < ?');
      values.push(filter.until);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.listStatement(`SELECT COUNT(*) AS n FROM intents ${clause}`).get(...values) as { n: number }
    ).n;
    const rows = this.listStatement(
      `SELECT body FROM intents ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
    ).all(...values, filter.limit, filter.offset) as Array<{ body: string }>;
    return { items: rows.map((row) => JSON.parse(row.body) as Intent), total };
  }

  private updateInTransaction(next: Intent, expected: { state: IntentState; version: number }): boolean {
    const result = this.sql.updateIntent.run(
      next.state,
      next.updated_at,
      next.version,
      JSON.stringify(next),
      next.id,
      expected.state,
      expected.version,
    );
    return result.changes === 1;
  }

  updateIntent(
    next: Intent,
    expected: { state: IntentState; version: number },
    audit: AuditEvent,
    spend: CapSpend | null = null,
  ): boolean {
    return this.transactions.update(next, expected, audit, spend);
  }

  addApproval(
    approval: Approval,
    intentUpdate: { next: Intent; expected: { state: IntentState; version: number } } | null,
    audit: AuditEvent,
  ): boolean {
    return this.transactions.approval(approval, intentUpdate, audit);
  }

  listApprovals(intentId: string): Approval[] {
    return this.sql.approvals.all(intentId);
  }

  appendAudit(event: AuditEvent): AuditRow {
    return this.transactions.append(event);
  }

  listAudit(filter: AuditFilter): { items: AuditRow[]; total: number } {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.since_seq !== undefined) {
      where.push('seq > ?');
      values.push(filter.since_seq);
    }
    if (filter.intent_id) {
      where.push('intent_id = ?');
      values.push(filter.intent_id);
    }
    if (filter.principal) {
      where.push('principal = ?');
      values.push(filter.principal);
    }
    if (filter.event) {
      where.push('event = ?');
      values.push(filter.event);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.listStatement(`SELECT COUNT(*) AS n FROM audit ${clause}`).get(...values) as { n: number }
    ).n;
    const rows = this.listStatement(`SELECT * FROM audit ${clause} ORDER BY seq LIMIT ? OFFSET ?`).all(
      ...values,
      filter.limit,
      filter.offset,
    ) as AuditDbRow[];
    return { items: rows.map(toAuditRow), total };
  }

  /** A list query's statement, prepared on its first use; the filters give a few dozen shapes at most. */
  private listStatement(text: string): Database.Statement {
    let statement = this.listStatements.get(text);
    if (!statement) {
      if (this.listStatements.size >= LIST_STATEMENTS_KEPT) this.listStatements.clear();
      statement = this.db.prepare(text);
      this.listStatements.set(text, statement);
    }
    return statement;
  }

  verifyAudit(options: { expectHead?: AuditAnchor } = {}): AuditVerification {
    const anchor = options.expectHead;
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    let rows = 0;
    let anchoredHash: string | null = null;
    const fail = (seq: number, problem: string): AuditVerification => ({
      ok: false,
      rows,
      first_bad_seq: seq,
      problem,
      head_hash: prev,
    });
    for (const raw of this.sql.allAudit.iterate()) {
      const row = toAuditRow(raw);
      if (row.seq !== expectedSeq)
        return fail(expectedSeq, `row ${expectedSeq} is missing (next row is ${row.seq})`);
      if (row.prev_hash !== prev)
        return fail(row.seq, `row ${row.seq} does not follow row ${row.seq - 1} (moved or altered)`);
      if (auditRowHash(prev, row) !== row.hash)
        return fail(row.seq, `row ${row.seq} was edited (its hash does not match its content)`);
      if (row.seq === anchor?.seq) anchoredHash = row.hash;
      prev = row.hash;
      expectedSeq += 1;
      rows += 1;
    }
    const head = this.sql.auditHead.get()!;
    if (head.seq !== rows || head.hash !== prev) {
      return fail(
        rows + 1,
        `the log ends at row ${rows} but its head records row ${head.seq}: rows were removed from the end`,
      );
    }
    if (anchor && anchoredHash === null) {
      return fail(
        anchor.seq,
        `row ${anchor.seq}, the expected head, is missing: the log ends at row ${rows}, so rows were removed from the end`,
      );
    }
    if (anchor && anchoredHash !== anchor.hash.toLowerCase()) {
      return fail(
        anchor.seq,
        `row ${anchor.seq} does not have the expected head's hash (${anchoredHash} instead of ${anchor.hash}): the chain was rewritten`,
      );
    }
    return { ok: true, rows, first_bad_seq: null, problem: null, head_hash: prev };
  }

  dailyTotal(day: string, currency: string): bigint {
    return BigInt(this.sql.dailyTotal.get(day, currency)!.total);
  }

  markInterruptedExecutions(audit: (intent: Intent) => AuditEvent): string[] {
    return this.transactions.recovery(audit);
  }

  /** Reads a setting (the console's kill switch). */
  getSetting(key: string): string | undefined {
    return this.sql.setting.get(key)?.value;
  }

  setSetting(key: string, value: string, audit: AuditEvent): void {
    this.transactions.setting(key, value, audit);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
