import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, paramsDigest, sha256Hex } from '../../src/writes/digest.js';
import { GENESIS_HASH, SqliteIntentStore, auditRowHash } from '../../src/writes/sqlite-store.js';
import type { AuditEvent, Intent } from '../../src/writes/types.js';

const dirs: string[] = [];
const stores: SqliteIntentStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore(): { store: SqliteIntentStore; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-store-'));
  dirs.push(dir);
  const path = join(dir, 'nested', 'state.sqlite');
  const store = new SqliteIntentStore({ path });
  stores.push(store);
  return { store, path };
}

function event(n: number): AuditEvent {
  return {
    principal: `agent-${n}`,
    tool: 'add_credit',
    action: 'AddCredit',
    entity: 'client:1',
    intent_id: null,
    event: 'refuse',
    outcome: 'refused:forbidden',
    params_digest: null,
    detail: { n },
  };
}

function intent(id: string, state: Intent['state'] = 'draft'): Intent {
  const params = { clientid: 1, amount: '10.00', description: 'goodwill' };
  return {
    id,
    action: 'AddCredit',
    params,
    params_digest: paramsDigest('AddCredit', params),
    reason: 'test',
    state,
    risk: 'medium',
    effects: ['money'],
    entity: { kind: 'client', id: 1, client_id: 1 },
    tool: 'add_credit',
    drafted_by: 'stdio',
    drafted_by_label: 'agent',
    idempotency_key: 'key-1',
    created_at: '2026-11-22T00:00:00.000Z',
    updated_at: '2026-11-22T00:00:00.000Z',
    expires_at: '2026-11-23T00:00:00.000Z',
    approvals_required: 1,
    approver_role_required: null,
    validation: null,
    result: null,
    error: null,
    version: 0,
  };
}

/** Opens the file as an attacker with shell access would: no triggers, raw SQL. */
function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  db.exec(sql);
  db.close();
}

describe('SqliteIntentStore', () => {
  it('creates the state file with owner-only permissions', () => {
    const { path } = openStore();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps the audit log append-only and verifiable', () => {
    const { store } = openStore();
    for (let n = 1; n <= 5; n += 1) store.appendAudit(event(n));
    expect(store.verifyAudit()).toMatchObject({ ok: true, rows: 5 });
    expect(() =>
      (store as unknown as { db: Database.Database }).db.exec("UPDATE audit SET outcome = 'success'"),
    ).toThrow(/append-only/);
    expect(() => (store as unknown as { db: Database.Database }).db.exec('DELETE FROM audit')).toThrow(
      /append-only/,
    );
  });

  it.each([
    ['an edited row', "UPDATE audit SET outcome = 'success' WHERE seq = 3", 3, /edited/],
    ['a deleted row', 'DELETE FROM audit WHERE seq = 2', 2, /missing/],
    [
      'two rows swapped',
      'UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1;',
      2,
      /does not follow/,
    ],
    ['the last row removed', 'DELETE FROM audit WHERE seq = 5', 5, /removed from the end/],
  ])('detects %s and names the first bad row', (_name, sql, badSeq, problem) => {
    const { store, path } = openStore();
    for (let n = 1; n <= 5; n += 1) store.appendAudit(event(n));
    store.close();
    tamper(path, sql);
    const reopened = new SqliteIntentStore({ path });
    stores.push(reopened);
    const verification = reopened.verifyAudit();
    expect(verification.ok).toBe(false);
    expect(verification.first_bad_seq).toBe(badSeq);
    expect(verification.problem).toMatch(problem);
  });

  describe('against an anchor kept elsewhere', () => {
    /** Five rows, and the anchor an operator would have taken of the newest. */
    function anchoredStore() {
      const { store, path } = openStore();
      let newest = store.appendAudit(event(1));
      for (let n = 2; n <= 5; n += 1) newest = store.appendAudit(event(n));
      store.close();
      return { path, anchor: { seq: newest.seq, hash: newest.hash } };
    }

    function reopen(path: string): SqliteIntentStore {
      const reopened = new SqliteIntentStore({ path });
      stores.push(reopened);
      return reopened;
    }

    it('finds the newest rows removed with the head moved back, which the chain alone cannot', () => {
      const { path, anchor } = anchoredStore();
      tamper(
        path,
        'DELETE FROM audit WHERE seq > 3; UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit WHERE seq = 3)',
      );
      const store = reopen(path);
      expect(store.verifyAudit()).toMatchObject({ ok: true, rows: 3 });
      expect(store.verifyAudit({ expectHead: anchor })).toEqual({
        ok: false,
        rows: 3,
        first_bad_seq: 5,
        problem:
          'row 5, the expected head, is missing: the log ends at row 3, so rows were removed from the end',
        head_hash: store.listAudit({ limit: 10, offset: 0 }).items[2]!.hash,
      });
    });

    it('finds a chain rewritten from an edited row on, hashes and head recomputed', () => {
      const { path, anchor } = anchoredStore();
      const reader = new SqliteIntentStore({ path });
      const rows = reader.listAudit({ limit: 10, offset: 0 }).items;
      reader.close();
      const db = new Database(path);
      db.exec('DROP TRIGGER audit_no_update');
      let prev = rows[0]!.hash;
      for (const row of rows.slice(1)) {
        const forged = { ...row, outcome: row.seq === 2 ? 'success' : row.outcome };
        const hash = auditRowHash(prev, forged);
        db.prepare('UPDATE audit SET outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(
          forged.outcome,
          prev,
          hash,
          row.seq,
        );
        prev = hash;
      }
      db.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(prev);
      db.close();
      const store = reopen(path);
      expect(store.verifyAudit()).toMatchObject({ ok: true, rows: 5 });
      const verification = store.verifyAudit({ expectHead: anchor });
      expect(verification).toMatchObject({ ok: false, first_bad_seq: 5, head_hash: prev });
      expect(verification.problem).toBe(
        `row 5 does not have the expected head's hash (${prev} instead of ${anchor.hash}): the chain was rewritten`,
      );
    });

    it('passes when the anchored row is intact, whatever was appended after it', () => {
      const { path, anchor } = anchoredStore();
      const store = reopen(path);
      store.appendAudit(event(6));
      expect(store.verifyAudit({ expectHead: anchor })).toMatchObject({ ok: true, rows: 6 });
      expect(store.verifyAudit({ expectHead: { ...anchor, hash: anchor.hash.toUpperCase() } }).ok).toBe(true);
    });
  });

  it('hashes each row as the previous hash and the canonical JSON of its fields', () => {
    const { store } = openStore();
    const first = store.appendAudit({ ...event(1), detail: { z: [1, { b: 2, a: 'x' }], a: null } });
    const second = store.appendAudit({ ...event(2), detail: null, tool: null });
    // The format every stored chain was written with: a faster builder must give the same bytes.
    const expected = (prev: string, row: typeof first) => {
      const { hash: _hash, prev_hash: _prev, ...fields } = row;
      return sha256Hex(`${prev}\n${canonicalJson(fields)}`);
    };
    expect(first.prev_hash).toBe(GENESIS_HASH);
    expect(first.hash).toBe(expected(GENESIS_HASH, first));
    expect(second.prev_hash).toBe(first.hash);
    expect(second.hash).toBe(expected(first.hash, second));
    expect(store.listAudit({ limit: 10, offset: 0 }).items).toEqual([first, second]);
    expect(store.verifyAudit()).toMatchObject({ ok: true, rows: 2, head_hash: second.hash });
  });

  it('moves an intent only from the state and version it expects', () => {
    const { store } = openStore();
    store.createIntent(intent('i1'), event(1));
    const current = store.getIntent('i1')!;
    const next = { ...current, state: 'validated' as const, version: current.version + 1 };
    expect(store.updateIntent(next, { state: 'draft', version: 0 }, event(2))).toBe(true);
    // A second writer holding the old version loses, and its audit row is not written.
    expect(
      store.updateIntent({ ...next, state: 'cancelled' }, { state: 'draft', version: 0 }, event(3)),
    ).toBe(false);
    expect(store.getIntent('i1')!.state).toBe('validated');
    expect(store.verifyAudit().rows).toBe(2);
  });

  it('finds idempotency keys per principal and lists intents by filter', () => {
    const { store } = openStore();
    store.createIntent(intent('i1'), event(1));
    store.createIntent({ ...intent('i2'), idempotency_key: null, state: 'validated' }, event(2));
    expect(store.findIdempotencyKey('stdio', 'key-1')?.intent_id).toBe('i1');
    expect(store.findIdempotencyKey('someone-else', 'key-1')).toBeUndefined();
    expect(
      store.listIntents({ states: ['validated'], limit: 10, offset: 0 }).items.map((row) => row.id),
    ).toEqual(['i2']);
    expect(store.listIntents({ limit: 1, offset: 0 }).total).toBe(2);
  });

  it('turns interrupted executions into unknown, never into a second attempt', () => {
    const { store, path } = openStore();
    store.createIntent({ ...intent('i1'), state: 'executing' }, event(1));
    store.close();
    const reopened = new SqliteIntentStore({ path });
    stores.push(reopened);
    const ids = reopened.markInterruptedExecutions((row) => ({
      ...event(9),
      intent_id: row.id,
      event: 'recover',
      outcome: 'unknown',
    }));
    expect(ids).toEqual(['i1']);
    expect(reopened.getIntent('i1')!.state).toBe('unknown');
    expect(reopened.verifyAudit()).toMatchObject({ ok: true, rows: 2 });
  });

  it('adds a cap spend in the same transaction as the transition, and not when the transition loses', () => {
    const { store } = openStore();
    store.createIntent({ ...intent('i1'), state: 'executing' }, event(1));
    const spend = { day: '2026-11-22', currency: 'USD', action: 'AddCredit', cents: 1000n };
    const executed = { ...store.getIntent('i1')!, state: 'executed' as const, version: 1 };
    expect(store.updateIntent(executed, { state: 'executing', version: 0 }, event(2), spend)).toBe(true);
    expect(store.dailyTotal('2026-11-22', 'USD')).toBe(1000n);
    expect(
      store.updateIntent({ ...executed, version: 2 }, { state: 'executing', version: 0 }, event(3), spend),
    ).toBe(false);
    expect(store.dailyTotal('2026-11-22', 'USD')).toBe(1000n);
    expect(store.verifyAudit().rows).toBe(2);
  });

  it('answers list queries of every filter shape from statements it keeps', () => {
    const { store } = openStore();
    for (let n = 1; n <= 3; n += 1)
      store.createIntent({ ...intent(`i${n}`), idempotency_key: null }, event(n));
    for (let round = 0; round < 2; round += 1) {
      expect(store.listIntents({ limit: 10, offset: 0 }).total).toBe(3);
      expect(
        store.listIntents({ states: ['draft'], drafted_by: 'stdio', limit: 1, offset: 1 }).items,
      ).toHaveLength(1);
      expect(store.listIntents({ states: ['draft', 'validated'], limit: 10, offset: 0 }).total).toBe(3);
      expect(
        store.listAudit({ principal: 'agent-2', limit: 10, offset: 0 }).items.map((row) => row.seq),
      ).toEqual([2]);
      expect(store.listAudit({ since_seq: 1, event: 'refuse', limit: 10, offset: 0 }).total).toBe(2);
    }
  });

  it('sums daily totals exactly per currency and day, counted only with the transition that ends an execution', () => {
    const { store } = openStore();
    const spends = [
      { id: 'i1', day: '2026-11-22', currency: 'USD', action: 'AddCredit', cents: 10n },
      { id: 'i2', day: '2026-11-22', currency: 'USD', action: 'AddInvoicePayment', cents: 20n },
      { id: 'i3', day: '2026-11-22', currency: 'EUR', action: 'AddCredit', cents: 5n },
    ];
    for (const [n, { id, ...spend }] of spends.entries()) {
      store.createIntent({ ...intent(id), idempotency_key: null, state: 'executing' }, event(n));
      const executed = { ...store.getIntent(id)!, state: 'executed' as const, version: 1 };
      expect(store.updateIntent(executed, { state: 'executing', version: 0 }, event(n), spend)).toBe(true);
    }
    expect(store.dailyTotal('2026-11-22', 'USD')).toBe(30n);
    expect(store.dailyTotal('2026-11-22', 'EUR')).toBe(5n);
    expect(store.dailyTotal('2026-11-23', 'USD')).toBe(0n);
    // No second way in: a total added apart from a transition could count a write the store never held.
    expect('addToDailyTotal' in store).toBe(false);
  });
});
