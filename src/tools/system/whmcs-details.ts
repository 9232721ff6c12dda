/**
 * get_whmcs_details: which WHMCS this server talks to (WhmcsDetails) and which version-specific
 * rules follow from it, taken from whmcsRules() so every part of the server agrees.
 */
import { z } from 'zod';
import { defineTool } from '../define.js';
import { text } from '../shared/fields.js';
import { parseWhmcsVersion, whmcsRules } from './whmcs-version.js';

const output = z.object({
  version: z.string().nullable().describe('The WHMCS version, e.g. 8.13.1; null if WHMCS did not say.'),
  canonical_version: z.string().nullable().describe('The full build name, e.g. 8.13.1-release.1.'),
  major: z.number().int().nullable(),
  minor: z.number().int().nullable(),
  rules: z
    .object({
      line: z.enum(['8.x', '9.x', 'older', 'newer', 'unknown']),
      supported: z.boolean().describe('Whether this server supports this WHMCS line (8.x and 9.x).'),
      finalized_invoices_immutable: z
        .boolean()
        .describe(
          'True from WHMCS 9: an issued invoice cannot be edited, only corrected with a credit note.',
        ),
      invoice_corrections: z.enum(['edit_invoice', 'credit_note']),
      notes: z.array(z.string()),
    })
    .describe('The version-specific rules the server applies to this installation.'),
});

export const getWhmcsDetails = defineTool({
  name: 'get_whmcs_details',
  title: 'WHMCS version and rules',
  description:
    'Returns the version of the WHMCS installation this server talks to and the version-specific rules that follow from it, for example whether finalized invoices are immutable (WHMCS 9) so corrections need credit notes. Call it before planning invoice corrections or when checking compatibility after an upgrade. Admin only.',
  toolset: 'system',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['WhmcsDetails'],
  input: z.strictObject({}),
  output,
  async handler(_args, ctx) {
    const reply = await ctx.whmcs.call('WhmcsDetails', {});
    const details =
      typeof reply.whmcs === 'object' && reply.whmcs !== null ? (reply.whmcs as Record<string, unknown>) : {};
    const version = text(details.version);
    const canonical = text(details.canonicalversion);
    const parsed = parseWhmcsVersion(version ?? canonical);
    return {
      version,
      canonical_version: canonical,
      major: parsed?.major ?? null,
      minor: parsed?.minor ?? null,
      rules: whmcsRules(parsed),
    };
  },
  summarize(output) {
    const immutability = output.rules.finalized_invoices_immutable
      ? 'finalized invoices are immutable'
      : 'invoices stay editable';
    return `WHMCS ${output.version ?? 'version unknown'} (${output.rules.line} rules: ${immutability}).`;
  },
});
