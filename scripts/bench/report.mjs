// Turns the measured sections into bench/report.json (everything) and bench/report.md (the
// summary table, then each section's method, sample size and notes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './util.mjs';

export function verdict(check) {
  if (check.pass === null) return 'not measured';
  return check.pass ? 'pass' : 'MISS';
}

function formatValue(check) {
  if (check.value === null) return 'not measured';
  return `${check.value} ${check.unit}`;
}

export function summaryRows(sections) {
  return sections.flatMap((section) =>
    section.checks.map((check) => ({
      section: section.id,
      figure: check.name,
      measured: formatValue(check),
      target: check.target,
      result: verdict(check),
    })),
  );
}

export function summaryTable(rows) {
  const lines = ['| Figure | Measured | Target | Result |', '| --- | --- | --- | --- |'];
  for (const row of rows) lines.push(`| ${row.figure} | ${row.measured} | ${row.target} | ${row.result} |`);
  return lines.join('\n');
}

/** The figures a reader looks for first, one line per section. */
function keyFigures(section) {
  const figures = section.figures;
  const pick = (label, value) => (value === undefined || value === null ? [] : [`${label}: ${value}`]);
  const ms = (summary) =>
    summary ? `p50 ${summary.p50} ms, p90 ${summary.p90} ms, p99 ${summary.p99} ms` : undefined;
  switch (section.id) {
    case 'cold_start':
      return [
        ...pick('spawn to tools/list', ms(figures.spawn_to_tools_list_ms)),
        ...pick('spawn to initialize answered', ms(figures.spawn_to_initialize_ms)),
        ...pick('spawn to "stdio server ready" on stderr', ms(figures.spawn_to_server_ready_log_ms)),
        ...pick(
          'server CPU time used by the tools/list answer',
          figures.server_cpu_ms_at_tools_list && `p50 ${figures.server_cpu_ms_at_tools_list.p50} ms`,
        ),
        ...pick('idle RSS', figures.idle_rss_mb && `median ${figures.idle_rss_mb.p50} MB`),
        ...pick(
          "SDK client's listTools() on the started server (client-side schema compile)",
          ms(figures.sdk_client_list_tools_after_start_ms),
        ),
        ...pick(
          'tools listed',
          figures.tools_listed && `${figures.tools_listed} (${figures.tools_list_reply_bytes} bytes)`,
        ),
        ...pick('`node -e 0` for scale', ms(figures.bare_node_start_ms)),
      ];
    case 'read_overhead':
      return [
        ...pick('get_invoice via stdio', ms(figures.get_invoice_via_stdio_ms)),
        ...pick('one GetInvoice direct', ms(figures.direct_single_get_invoice_ms)),
        ...pick('same WHMCS calls direct', ms(figures.direct_same_whmcs_calls_ms)),
        ...pick(
          'floor: a tool with no WHMCS call via stdio (whmcs_list_actions)',
          ms(figures.tool_without_whmcs_call_via_stdio_ms),
        ),
        ...pick(
          'context: undici.request straight to the sandbox',
          ms(figures.context_raw_http_round_trip_ms),
        ),
        ...pick('context: empty job through the limiter alone', ms(figures.context_limiter_empty_job_ms)),
        ...pick(
          'context: get_invoice through the dispatcher in process',
          ms(figures.context_in_process_get_invoice_ms),
        ),
        ...pick(
          'context: the same WHMCS calls direct, in process',
          ms(figures.context_in_process_same_whmcs_calls_ms),
        ),
        ...pick(
          "context: the dispatcher's own overhead (no transport)",
          figures.context_in_process_dispatcher_overhead_ms &&
            `p50 ${figures.context_in_process_dispatcher_overhead_ms.p50} ms, p99 ${figures.context_in_process_dispatcher_overhead_ms.p99} ms`,
        ),
        ...pick('WHMCS calls per get_invoice', figures.whmcs_calls_per_get_invoice?.mean),
        ...pick(
          'server CPU per get_invoice',
          figures.server_cpu_ms_per_get_invoice && `${figures.server_cpu_ms_per_get_invoice} ms`,
        ),
        ...pick('spawned server idle RSS', figures.server_idle_rss_mb && `${figures.server_idle_rss_mb} MB`),
        ...pick(
          'spawned server peak RSS after read and fan-out runs',
          figures.server_peak_rss_mb_after_read_and_fan_out &&
            `${figures.server_peak_rss_mb_after_read_and_fan_out} MB`,
        ),
      ];
    case 'fan_out':
      return [
        ...pick('get_account_360', ms(figures.get_account_360_ms)),
        ...pick('one WHMCS call', ms(figures.single_whmcs_call_ms)),
        ...pick('WHMCS calls per get_account_360', figures.whmcs_calls_per_get_account_360?.p50),
        ...Object.entries(figures)
          .filter(([name, value]) => name.startsWith('with_max_concurrency_') && value)
          .flatMap(([name, value]) =>
            pick(
              `for comparison, WHMCS_MAX_CONCURRENCY=${name.slice('with_max_concurrency_'.length)}`,
              `get_account_360 p50 ${value.get_account_360_ms.p50} ms, one call p50 ${value.single_whmcs_call_ms.p50} ms, ratio ${value.ratio_p50}x`,
            ),
          ),
        ...pick('by action', figures.whmcs_calls_by_action && JSON.stringify(figures.whmcs_calls_by_action)),
      ];
    case 'governed_write':
      return [
        ...pick('own time', ms(figures.own_time_ms)),
        ...pick('wall time', ms(figures.wall_time_ms)),
        ...pick('WHMCS calls per run', figures.whmcs_calls_per_run),
        ...pick(
          'durable commits per run x fdatasync p50',
          figures.durable_commits_per_run &&
            `${figures.durable_commits_per_run} x ${figures.fdatasync_ms?.p50} ms = ${figures.sync_floor_ms} ms`,
        ),
        ...pick('fdatasync back to back', ms(figures.fdatasync_ms)),
        ...pick(
          'fdatasync after 5 ms idle (the commits that follow a WHMCS call)',
          ms(figures.fdatasync_after_idle_ms),
        ),
        ...pick(
          'own time p50 by step (ms)',
          figures.own_time_by_step_ms &&
            Object.entries(figures.own_time_by_step_ms)
              .map(([step, summary]) => `${step} ${summary.p50}`)
              .join(', '),
        ),
      ];
    case 'audit_append':
      return [
        ...pick('rows per second', figures.rows_per_second),
        ...pick('per append', ms(figures.per_append_ms)),
        ...pick('fdatasync', ms(figures.fdatasync_ms)),
      ];
    case 'http_load':
      return [
        ...pick('latency', ms(figures.latency_ms)),
        ...pick(
          'throughput',
          figures.throughput_calls_per_s && `${figures.throughput_calls_per_s} tool calls/s`,
        ),
        ...pick('direct limiter reference', ms(figures.direct_reference_latency_ms)),
        ...pick('server peak RSS', figures.server_peak_rss_mb && `${figures.server_peak_rss_mb} MB`),
      ];
    default:
      return [];
  }
}

export function markdownReport(report) {
  const { machine } = report;
  const lines = [
    '# whmcs-mcp benchmark report',
    '',
    `Generated by \`npm run bench\` on ${machine.date} in ${report.duration_s} s, commit ${report.git.commit ?? 'unknown'}${report.git.working_tree_dirty ? ' (working tree had uncommitted changes)' : ''}. How the figures are taken: docs/benchmarks.md; every figure in full: bench/report.json.`,
    '',
    `Machine: ${machine.cpu_model}, ${machine.cpu_count} CPUs, ${machine.total_memory_mib} MiB RAM, ${machine.platform}, Node ${machine.node}; temp dir on ${machine.temp_filesystem.type}. Load average (1/5/15 min) at start ${machine.load_average_at_start.join(' / ')}, at end ${machine.load_average_at_end.join(' / ')}; nice value of the run ${machine.process_priority}.`,
    '',
    summaryTable(report.summary),
    '',
  ];
  for (const section of report.sections) {
    lines.push(`## ${section.title}`, '');
    for (const figure of keyFigures(section)) lines.push(`- ${figure}`);
    const samples = Object.entries(section.samples ?? {});
    if (samples.length > 0)
      lines.push(`- samples: ${samples.map(([name, value]) => `${name} ${value}`).join(', ')}`);
    lines.push('', ...section.method.map((line) => `Method: ${line}`), '');
    for (const note of section.notes ?? []) lines.push(`Note: ${note}`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export function writeReport(report) {
  const directory = join(ROOT, 'bench');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(directory, 'report.md'), markdownReport(report));
  return { json: join('bench', 'report.json'), markdown: join('bench', 'report.md') };
}
