/**
 * get_server_health: the checks on WHMCS's System Health page (GetHealthStatus), grouped by WHMCS
 * as success, warning and danger. Check bodies are HTML written by WHMCS; they become plain text.
 */
import { z } from 'zod';
import { defineTool } from '../define.js';
import { cleanText } from '../untrusted.js';

const MAX_MESSAGE = 1000;
const SEVERITIES = ['danger', 'warning', 'success'] as const;
type Severity = (typeof SEVERITIES)[number];

const healthCheck = z.object({
  name: z.string().describe('The check, e.g. PhpVersion, CronStatus.'),
  type: z.string(),
  severity: z
    .enum(SEVERITIES)
    .describe('danger: needs action; warning: should be looked at; success: passed.'),
  level: z.string().describe('The PSR-3 level WHMCS gave (error, warning, notice, info, ...).'),
  message: z.string().describe('What WHMCS says about it, as plain text.'),
});

const output = z.object({
  status: z
    .enum(['healthy', 'warnings', 'failing', 'unknown'])
    .describe(
      'failing when any check is danger, warnings when any is warning, unknown when WHMCS sent no checks.',
    ),
  counts: z.object({ danger: z.number().int(), warning: z.number().int(), success: z.number().int() }),
  checks: z
    .array(healthCheck)
    .describe('Danger first, then warnings; passed checks only with include_passed.'),
});

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  apos: "'",
  nbsp: ' ',
};

/** WHMCS writes check bodies as HTML; an agent needs the words. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(br|\/p|\/li|\/div)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_match, name: string) => ENTITIES[name] ?? '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
  return cleanText(text).slice(0, MAX_MESSAGE);
}

function rowsOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null);
  }
  if (typeof value === 'object' && value !== null) return rowsOf(Object.values(value));
  return [];
}

export const getServerHealth = defineTool({
  name: 'get_server_health',
  title: 'WHMCS system health',
  description:
    "Returns the results of WHMCS's System Health checks (PHP version, cron, updates, permissions, SSL, ...): an overall status, counts per severity, and each failing or warning check with WHMCS's explanation as plain text. Set include_passed to also list the checks that passed. Use it when something in WHMCS misbehaves or before an upgrade. Admin only.",
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetHealthStatus'],
  input: z.strictObject({
    include_passed: z.boolean().default(false).describe('Also list the checks that passed.'),
  }),
  output,
  async handler(args, ctx) {
    const reply = await ctx.whmcs.call('GetHealthStatus', {});
    const groups =
      typeof reply.checks === 'object' && reply.checks !== null
        ? (reply.checks as Record<string, unknown>)
        : undefined;
    const checks: z.input<typeof healthCheck>[] = [];
    const counts: Record<Severity, number> = { danger: 0, warning: 0, success: 0 };
    for (const severity of SEVERITIES) {
      const rows = rowsOf(groups?.[severity]);
      counts[severity] = rows.length;
      if (severity === 'success' && !args.include_passed) continue;
      for (const row of rows) {
        checks.push({
          name: cleanText(typeof row.name === 'string' ? row.name : ''),
          type: cleanText(typeof row.type === 'string' ? row.type : ''),
          severity,
          level: typeof row.severityLevel === 'string' ? row.severityLevel : '',
          message: htmlToText(typeof row.body === 'string' ? row.body : ''),
        });
      }
    }
    const status =
      groups === undefined
        ? ('unknown' as const)
        : counts.danger > 0
          ? ('failing' as const)
          : counts.warning > 0
            ? ('warnings' as const)
            : ('healthy' as const);
    return { status, counts, checks };
  },
  summarize(output) {
    const failing = output.checks.filter((check) => check.severity === 'danger').map((check) => check.name);
    const names = failing.length > 0 ? `; failing: ${failing.slice(0, 5).join(', ')}` : '';
    return `WHMCS health ${output.status}: ${output.counts.danger} danger, ${output.counts.warning} warning, ${output.counts.success} passed${names}.`;
  },
});
