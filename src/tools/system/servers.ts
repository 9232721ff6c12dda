/**
 * list_servers: the provisioning servers WHMCS knows (GetServers). Only names, addresses, module
 * and load leave the server: the output schema has no field for a server's password, access hash
 * or API token, whatever a WHMCS version or module adds to the reply.
 */
import { z } from 'zod';
import { toBool, toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { boundedText, listOutput, pageOf, pagingInput } from '../schemas.js';
import { cleanText } from '../untrusted.js';
import { countOf, rowsOf } from '../shared/fields.js';

const server = z.object({
  id: z.number().int(),
  name: z.string(),
  hostname: z.string(),
  ip_address: z.string(),
  module: z.string().describe('The server module, e.g. cpanel, plesk, directadmin.'),
  default_for_module: z
    .boolean()
    .describe('WHMCS calls this "active": the server new accounts of this module are placed on.'),
  active_services: z.number().int().nullable().describe('Active and suspended services and addons on it.'),
  max_services: z.number().int().nullable(),
  percent_used: z.number().nullable(),
  status: z
    .object({
      http: z.boolean().nullable().describe('Whether port 80 answered; null when not fetched.'),
      load: z.string().nullable(),
      uptime: z.string().nullable(),
    })
    .describe('Live status, only when fetch_status was true.'),
});

function text(value: unknown): string {
  return typeof value === 'string' ? cleanText(value) : typeof value === 'number' ? String(value) : '';
}

function optionalText(value: unknown): string | null {
  const result = text(value);
  return result === '' ? null : result;
}

export const listServers = defineTool({
  name: 'list_servers',
  title: 'Provisioning servers',
  description:
    'Lists the enabled provisioning servers configured in WHMCS (disabled servers are not listed by WHMCS): name, hostname, IP, module, whether it is the default for its module, and how full it is (active services against the maximum). Set fetch_status to have WHMCS probe each server for HTTP, load and uptime (slower). Filter by module. Never returns server passwords, access hashes or API tokens. Admin only.',
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetServers'],
  input: z.strictObject({
    module: boundedText('Only servers of this module, e.g. cpanel.', 50).optional(),
    fetch_status: z
      .boolean()
      .default(false)
      .describe('Ask WHMCS to probe each server live (HTTP, load, uptime); slower.'),
    ...pagingInput,
  }),
  output: listOutput(server),
  async handler(args, ctx) {
    const reply = await ctx.whmcs.call('GetServers', args.fetch_status ? { fetchStatus: true } : {});
    const rows = rowsOf(reply.servers);
    const servers = rows
      .map((row) => {
        const status =
          typeof row.status === 'object' && row.status !== null
            ? (row.status as Record<string, unknown>)
            : {};
        const percent = typeof row.percentUsed === 'number' ? row.percentUsed : Number(row.percentUsed);
        return {
          id: toInt(row.id) ?? 0,
          name: text(row.name),
          hostname: text(row.hostname),
          ip_address: text(row.ipaddress),
          module: text(row.module),
          default_for_module: toBool(row.active) ?? false,
          active_services: countOf(row.activeServices),
          max_services: countOf(row.maxAllowedServices),
          percent_used: Number.isFinite(percent) ? percent : null,
          status: args.fetch_status
            ? {
                http: toBool(status.http) ?? null,
                load: optionalText(status.load),
                uptime: optionalText(status.uptime),
              }
            : { http: null, load: null, uptime: null },
        };
      })
      .filter(
        (entry) => args.module === undefined || entry.module.toLowerCase() === args.module.toLowerCase(),
      );
    return pageOf(servers, args.offset, args.limit);
  },
  summarize(output) {
    const names = output.items
      .slice(0, 5)
      .map((entry) => `${entry.name} (${entry.module}, ${entry.percent_used ?? '?'}% used)`);
    return `${output.total} server(s)${names.length > 0 ? `: ${names.join('; ')}` : ''}.`;
  },
});
