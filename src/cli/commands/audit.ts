/**
 * `whmcs-mcp audit head|verify|export`: anchor the newest row, check the hash chain (against an
 * anchor kept elsewhere), and take the audit log out for review.
 */
import { createWriteStream } from 'node:fs';
import type { AuditAnchor, AuditRow, AuditVerification } from '../../writes/types.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  defineCommand,
  defineCommandGroup,
  type CliIo,
} from '../command.js';
import { OperatorConfigError, openOperatorContext, type OperatorContext } from '../operator.js';

const CSV_COLUMNS = [
  'seq',
  'at',
  'principal',
  'tool',
  'action',
  'entity',
  'intent_id',
  'event',
  'outcome',
  'params_digest',
  'detail',
  'prev_hash',
  'hash',
] as const;

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  // Quote always; double inner quotes. A leading = + - @ is neutralised so a spreadsheet never runs it.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function auditRowToCsv(row: AuditRow): string {
  return CSV_COLUMNS.map((column) => csvCell(row[column])).join(',');
}

export const AUDIT_CSV_HEADER = CSV_COLUMNS.join(',');

/** Runs `work` on the server's state store; a configuration problem is printed and exits 1. */
async function withStore(io: CliIo, work: (context: OperatorContext) => Promise<number> | number) {
  let context;
  try {
    context = openOperatorContext(io, false);
  } catch (error) {
    if (error instanceof OperatorConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

/** `SEQ:HASH` as `audit head` prints it. */
export function parseAuditAnchor(text: string): AuditAnchor {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/i.exec(text.trim());
  const seq = match ? Number(match[1]) : 0;
  if (!match || seq < 1) {
    throw new UsageError(
      '--expect-head must be SEQ:HASH as `whmcs-mcp audit head` prints it (a row number, a colon, 64 hex digits)',
    );
  }
  return { seq, hash: match[2]!.toLowerCase() };
}

function printBroken(io: CliIo, result: AuditVerification): void {
  io.stdout.write(
    `AUDIT CHAIN BROKEN at row ${result.first_bad_seq}: ${result.problem}\n(${result.rows} row(s) verified before it)\n`,
  );
}

const headCommand = defineCommand({
  name: 'head',
  summary: 'Print the newest audit row as SEQ:HASH, an anchor to keep outside the state file',
  description:
    'Verifies the chain first (an anchor of a broken chain would vouch for it), then prints the newest row. Keep the anchor where whoever can write the state file cannot (a ticket, another host); `audit verify --expect-head SEQ:HASH` later fails if that row was removed or the chain rewritten.',
  options: { json: { type: 'boolean', description: 'Print JSON' } },
  examples: ['whmcs-mcp audit head --json'],
  async run({ options, io }) {
    return withStore(io, ({ store }) => {
      const result = store.verifyAudit();
      if (!result.ok) {
        if (options.json === true) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else printBroken(io, result);
        return EXIT_FAILURE;
      }
      const head = result.rows > 0 ? { seq: result.rows, hash: result.head_hash! } : null;
      if (options.json === true) {
        io.stdout.write(
          `${JSON.stringify({ seq: head?.seq ?? null, hash: head?.hash ?? null, anchor: head ? `${head.seq}:${head.hash}` : null }, null, 2)}\n`,
        );
      } else if (head) {
        io.stdout.write(
          `Audit head: row ${head.seq}, hash ${head.hash}\nAnchor: ${head.seq}:${head.hash}\nKeep it outside the state file; check it later with: whmcs-mcp audit verify --expect-head ${head.seq}:${head.hash}\n`,
        );
      } else {
        io.stdout.write('The audit log is empty: there is no row to anchor yet.\n');
      }
      return EXIT_OK;
    });
  },
});

const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'Verify the audit hash chain; exit 1 and name the first bad row on any tampering',
  description:
    'With --expect-head SEQ:HASH (from `audit head`), also fails when that row is missing (rows were removed from the end) or has another hash (the chain was rewritten), which the chain alone cannot show.',
  options: {
    json: { type: 'boolean', description: 'Print JSON' },
    'expect-head': {
      type: 'string',
      valueName: 'SEQ:HASH',
      description: 'An anchor from `audit head` that must still be in the chain',
    },
  },
  examples: ['whmcs-mcp audit verify --expect-head 42:<hash printed by audit head>'],
  async run({ options, io }) {
    const expected = options['expect-head'];
    const expectHead = expected === undefined ? undefined : parseAuditAnchor(expected);
    return withStore(io, ({ store }) => {
      const result = store.verifyAudit({ expectHead });
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else if (result.ok) {
        io.stdout.write(
          `Audit chain verified: ${result.rows} row(s), head ${result.head_hash ?? '-'}${expectHead ? `; row ${expectHead.seq} still has the expected hash` : ''}\n`,
        );
      } else {
        printBroken(io, result);
      }
      return result.ok ? EXIT_OK : EXIT_FAILURE;
    });
  },
});

const exportCommand = defineCommand({
  name: 'export',
  summary: 'Export the audit log as JSON lines or CSV',
  options: {
    format: { type: 'string', valueName: 'jsonl|csv', description: 'Output format (default jsonl)' },
    output: { type: 'string', valueName: 'file', description: 'Write to a file instead of stdout' },
  },
  examples: ['whmcs-mcp audit export --format csv --output audit.csv'],
  async run({ options, io }) {
    const format = options.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
    return withStore(io, async ({ store }) => {
      const out = options.output ? createWriteStream(options.output, { mode: 0o600 }) : io.stdout;
      if (format === 'csv') out.write(`${AUDIT_CSV_HEADER}\n`);
      const pageSize = 1000;
      for (let offset = 0; ; offset += pageSize) {
        const { items } = store.listAudit({ limit: pageSize, offset });
        for (const row of items)
          out.write(`${format === 'csv' ? auditRowToCsv(row) : JSON.stringify(row)}\n`);
        if (items.length < pageSize) break;
      }
      if (out !== io.stdout) await new Promise<void>((resolve) => out.end(resolve));
      return EXIT_OK;
    });
  },
});

export const auditCommand = defineCommandGroup({
  name: 'audit',
  summary: 'Verify and export the hash-chained audit log',
  subcommands: [headCommand, verifyCommand, exportCommand],
});
