/** `whmcs-mcp audit verify|export`: check the hash chain and take the audit log out for review. */
import { createWriteStream } from 'node:fs';
import type { AuditRow } from '../../writes/types.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, defineCommand, defineCommandGroup } from '../command.js';
import { OperatorConfigError, openOperatorContext } from '../operator.js';

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

const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'Verify the audit hash chain; exit 1 and name the first bad row on any tampering',
  options: { json: { type: 'boolean', description: 'Print JSON' } },
  async run({ options, io }) {
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
      const result = context.store.verifyAudit();
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else if (result.ok) {
        io.stdout.write(`Audit chain verified: ${result.rows} row(s), head ${result.head_hash ?? '-'}\n`);
      } else {
        io.stdout.write(
          `AUDIT CHAIN BROKEN at row ${result.first_bad_seq}: ${result.problem}\n(${result.rows} row(s) verified before it)\n`,
        );
      }
      return result.ok ? EXIT_OK : EXIT_FAILURE;
    } finally {
      await context.close();
    }
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
    const out = options.output ? createWriteStream(options.output, { mode: 0o600 }) : io.stdout;
    try {
      if (format === 'csv') out.write(`${AUDIT_CSV_HEADER}\n`);
      const pageSize = 1000;
      for (let offset = 0; ; offset += pageSize) {
        const { items } = context.store.listAudit({ limit: pageSize, offset });
        for (const row of items)
          out.write(`${format === 'csv' ? auditRowToCsv(row) : JSON.stringify(row)}\n`);
        if (items.length < pageSize) break;
      }
      if (out !== io.stdout) await new Promise<void>((resolve) => out.end(resolve));
      return EXIT_OK;
    } finally {
      await context.close();
    }
  },
});

export const auditCommand = defineCommandGroup({
  name: 'audit',
  summary: 'Verify and export the hash-chained audit log',
  subcommands: [verifyCommand, exportCommand],
});
