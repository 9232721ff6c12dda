/** The doctor report as text for a person at a terminal. */
import type { CheckStatus, DoctorReport } from './checks.js';

const MARKS: Readonly<Record<CheckStatus, string>> = {
  pass: '[ok]  ',
  warn: '[warn]',
  fail: '[FAIL]',
  skip: '[skip]',
};

const INDENT = ' '.repeat(MARKS.pass.length + 1);

export function renderDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.status]} ${check.title}: ${check.summary}`);
    for (const detail of check.details) lines.push(`${INDENT}${detail}`);
  }
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  lines.push(
    '',
    report.ok
      ? 'All checks passed.'
      : `${failed} ${failed === 1 ? 'check' : 'checks'} failed. Fix the first one and run whmcs-mcp doctor again.`,
  );
  return `${lines.join('\n')}\n`;
}
