/**
 * get_capability_matrix: which WHMCS actions this credential may call, as the capability matrix
 * knows it (a read-only probe of the read actions the surface uses, cached with a TTL, plus what
 * live calls showed). It calls no WHMCS action itself beyond the matrix's own probe.
 */
import { z } from 'zod';
import type { CapabilityEntry, CapabilityStatus } from '../../policy/capabilities.js';
import { defineTool } from '../define.js';
import { listOutput, pageOf, pagingInput } from '../schemas.js';

const STATUSES = ['allowed', 'forbidden', 'unknown', 'error'] as const satisfies readonly CapabilityStatus[];

const capability = z.object({
  action: z.string(),
  kind: z.enum(['read', 'write']),
  status: z
    .enum(STATUSES)
    .describe(
      'allowed or forbidden by the API role; unknown if never checked (writes are never called to test them); error if the probe failed for another reason.',
    ),
  source: z
    .enum(['probe', 'live', 'none'])
    .describe('probe: the read-only probe; live: a real call; none: not checked.'),
  checked_at: z.string().nullable(),
  note: z.string().nullable(),
});

const output = listOutput(capability).extend({
  probed_at: z.string().nullable().describe('When the read-only probe last ran (ISO 8601).'),
  ttl_seconds: z.number().int().describe('How long a probe result is reused before the next probe.'),
  counts: z
    .object({
      allowed: z.number().int(),
      forbidden: z.number().int(),
      unknown: z.number().int(),
      error: z.number().int(),
    })
    .describe('Across every action the server uses, before filters.'),
});

function toRow(entry: CapabilityEntry) {
  return {
    action: entry.action,
    kind: entry.kind,
    status: entry.status,
    source: entry.source,
    checked_at: entry.checked_at,
    note: entry.note ?? null,
  };
}

export const getCapabilityMatrix = defineTool({
  name: 'get_capability_matrix',
  title: 'What this WHMCS credential may call',
  description:
    "Returns, for every WHMCS action this server's tools use, whether the API credential's role allows it: status (allowed, forbidden, unknown, error), kind (read or write) and where the answer came from (a read-only probe, a live call, or not checked). Read actions are probed with harmless calls and the result is cached (ttl_seconds); write actions are never called to test them. Use it to explain a 'forbidden' error or to check a new credential. Filter by status or kind. Admin only.",
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: [],
  input: z.strictObject({
    status: z.enum(STATUSES).optional().describe('Only actions with this status.'),
    kind: z.enum(['read', 'write']).optional().describe('Only read or only write actions.'),
    ...pagingInput,
  }),
  output,
  async handler(args, ctx) {
    const snapshot = await ctx.capabilities.snapshot();
    const counts = { allowed: 0, forbidden: 0, unknown: 0, error: 0 };
    for (const entry of snapshot.entries) counts[entry.status] += 1;
    const rows = snapshot.entries
      .filter(
        (entry) =>
          (args.status === undefined || entry.status === args.status) &&
          (args.kind === undefined || entry.kind === args.kind),
      )
      .sort((a, b) => a.action.localeCompare(b.action))
      .map(toRow);
    return {
      ...pageOf(rows, args.offset, args.limit),
      probed_at: snapshot.probed_at,
      ttl_seconds: snapshot.ttl_seconds,
      counts,
    };
  },
  summarize(output) {
    const forbidden = output.items
      .filter((entry) => entry.status === 'forbidden')
      .map((entry) => entry.action);
    const list = forbidden.length > 0 ? `; forbidden on this page: ${forbidden.slice(0, 8).join(', ')}` : '';
    return `${output.counts.allowed} allowed, ${output.counts.forbidden} forbidden, ${output.counts.unknown} unknown, ${output.counts.error} error (probed ${output.probed_at ?? 'never'})${list}.`;
  },
});
