/**
 * `whmcs-mcp audit head` and `audit verify --expect-head`, through the real CLI frame on a state
 * file: an anchor kept outside the file finds rows removed from the end of the audit log even when
 * the head inside the file was moved back with them, which the chain alone cannot show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SqliteIntentStore } from '../../src/writes/sqlite-store.js';
import type { AuditRow } from '../../src/writes/types.js';
import { captureIo, removeCapturedDirectories } from '../cli/io.js';

let dir: string;
let statePath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-anchor-'));
  statePath = join(dir, 'state.sqlite');
});
afterEach(() => {
  removeCapturedDirectories();
  rmSync(dir, { recursive: true, force: true });
});

/** A state file holding `count` audit rows; returns them. */
function stateWithRows(count: number): AuditRow[] {
  const store = new SqliteIntentStore({ path: statePath });
  const rows: AuditRow[] = [];
  for (let n = 1; n <= count; n += 1) {
    rows.push(
      store.appendAudit({
        principal: 'operator:ada',
        tool: null,
        action: null,
        entity: null,
        intent_id: null,
        event: 'kill_switch',
        outcome: n % 2 === 1 ? 'on' : 'off',
        params_digest: null,
        detail: { n },
      }),
    );
  }
  store.close();
  return rows;
}

/** What someone who can write the state file does to hide the newest rows: the head moves back too. */
function removeNewestRows(keep: number): void {
  const db = new Database(statePath);
  db.exec('DROP TRIGGER audit_no_delete');
  db.prepare('DELETE FROM audit WHERE seq > ?').run(keep);
  db.prepare('UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit WHERE seq = ?) WHERE id = 1').run(
    keep,
    keep,
  );
  db.close();
}

async function cli(args: string[]) {
  const io = captureIo({ MCP_STATE_DB: statePath });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

describe('whmcs-mcp audit head', () => {
  it('prints the newest row as an anchor, in text and JSON', async () => {
    const rows = stateWithRows(3);
    const newest = rows[2]!;
    const text = await cli(['audit', 'head']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Audit head: row 3, hash ${newest.hash}\nAnchor: 3:${newest.hash}\n`);
    const json = await cli(['audit', 'head', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ seq: 3, hash: newest.hash, anchor: `3:${newest.hash}` });
  });

  it('says so for an empty log, and refuses to anchor a broken chain', async () => {
    stateWithRows(0);
    const empty = await cli(['audit', 'head', '--json']);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({ seq: null, hash: null, anchor: null });

    stateWithRows(3);
    const db = new Database(statePath);
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET outcome = 'forged' WHERE seq = 2");
    db.close();
    const broken = await cli(['audit', 'head']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^AUDIT CHAIN BROKEN at row 2: row 2 was edited/);
    expect(broken.stdout).not.toContain('Anchor:');
  });
});

describe('whmcs-mcp audit verify --expect-head', () => {
  it('passes while the anchored row is intact, rows appended after it included', async () => {
    const anchor = stateWithRows(3)[2]!;
    stateWithRows(2);
    const verified = await cli(['audit', 'verify', '--expect-head', `3:${anchor.hash}`]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /^Audit chain verified: 5 row\(s\), head [0-9a-f]{64}; row 3 still has the expected hash\n$/,
    );
  });

  it('fails, naming the problem, when the newest rows were removed with the head moved back', async () => {
    const anchor = stateWithRows(5)[4]!;
    removeNewestRows(3);
    // The chain alone still verifies: this is what the anchor is for.
    expect((await cli(['audit', 'verify'])).code).toBe(0);
    const truncated = await cli(['audit', 'verify', '--expect-head', `5:${anchor.hash}`]);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toBe(
      'AUDIT CHAIN BROKEN at row 5: row 5, the expected head, is missing: the log ends at row 3, so rows were removed from the end\n(3 row(s) verified before it)\n',
    );
    const json = await cli(['audit', 'verify', '--json', '--expect-head', `5:${anchor.hash}`]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, rows: 3, first_bad_seq: 5 });
  });

  it('fails when the anchored row has another hash: the chain was rewritten', async () => {
    const rows = stateWithRows(2);
    const other = rows[0]!.hash;
    const rewritten = await cli(['audit', 'verify', '--expect-head', `2:${other.toUpperCase()}`]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain(
      `AUDIT CHAIN BROKEN at row 2: row 2 does not have the expected head's hash (${rows[1]!.hash} instead of ${other}): the chain was rewritten`,
    );
  });

  it('refuses an anchor that is not SEQ:HASH as a usage error', async () => {
    stateWithRows(1);
    for (const anchor of ['3', '0:' + 'a'.repeat(64), '3:abc', `x:${'a'.repeat(64)}`]) {
      const refused = await cli(['audit', 'verify', '--expect-head', anchor]);
      expect(refused.code, anchor).toBe(2);
      expect(refused.stderr).toContain('--expect-head must be SEQ:HASH');
    }
  });
});
