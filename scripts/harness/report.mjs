// The two outputs of a run: a table a person reads on stderr, and a JSON report a pipeline keeps.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const STATUS_WIDTH = 4;

function clip(text, width) {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/**
 * The table of results, printed row by row as checks finish: id, layer, status, duration and the
 * message clipped to the terminal width. Column widths come from the selected checks up front.
 */
export function createTable(checks, columns = 160) {
  const idWidth = Math.max(2, ...checks.map((check) => check.id.length));
  const layerWidth = Math.max(5, ...checks.map((check) => check.layer.length));
  const messageWidth = Math.max(30, columns - (idWidth + layerWidth + STATUS_WIDTH + 6 + 8));
  const line = (id, layer, status, ms, message) =>
    `${id.padEnd(idWidth)}  ${layer.padEnd(layerWidth)}  ${status.padEnd(STATUS_WIDTH)}  ${ms.padStart(6)}  ${message}`;
  const header = line('id', 'layer', 'stat', 'ms', 'message');
  return {
    header: `${header}\n${'-'.repeat(Math.min(columns, header.length + messageWidth - 7))}`,
    row: (result) =>
      line(
        result.id,
        result.layer,
        result.status,
        String(result.duration_ms),
        clip(result.message, messageWidth),
      ),
  };
}

/** Checks as `--list` prints them: id, layer, failure kind and expectation. */
export function formatCheckList(checks) {
  const idWidth = Math.max(...checks.map((check) => check.id.length));
  const layerWidth = Math.max(...checks.map((check) => check.layer.length));
  const kindWidth = Math.max(...checks.map((check) => check.kind.length));
  return checks
    .map(
      (check) =>
        `${check.id.padEnd(idWidth)}  ${check.layer.padEnd(layerWidth)}  ${check.kind.padEnd(kindWidth)}  ${check.expect}`,
    )
    .join('\n');
}

export function summarize(results, strict) {
  const count = (status) => results.filter((result) => result.status === status).length;
  const summary = {
    total: results.length,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
  };
  return { ...summary, ok: summary.failed === 0 && (!strict || summary.skipped === 0) };
}

export function writeReport(path, report) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
