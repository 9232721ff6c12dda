/**
 * whmcs://system/activity: the latest entries of the whole WHMCS activity log. It spans every
 * client, so client-scoped sessions neither see nor read it.
 */
import { z } from 'zod';
import { asList, toInt } from '../whmcs/normalize.js';
import {
  newestFirst,
  projectSystemActivityEntry,
  systemActivityEntrySchema,
} from '../tools/shared/activity.js';
import { defineResource } from './define.js';
import { renderJson } from './render.js';

const ENTRIES = 50;

const systemActivitySchema = z.object({
  total: z.number().int().describe('Entries in the activity log.'),
  entries: z.array(systemActivityEntrySchema).describe(`The latest ${ENTRIES} entries, newest first.`),
});

export const systemActivityResource = defineResource({
  name: 'system-activity',
  title: 'System activity log',
  description: `The latest ${ENTRIES} entries of the WHMCS activity log across all clients (admin actions, client-area actions, cron and API), newest first, as JSON. Descriptions can quote customer-written text and are marked untrusted. Admin only.`,
  uriTemplate: 'whmcs://system/activity',
  mimeType: 'application/json',
  toolset: 'system',
  clientMode: 'admin_only',
  whmcsActions: ['GetActivityLog'],
  async read(_variables, ctx) {
    const reply = await ctx.whmcs.call('GetActivityLog', { limitstart: 0, limitnum: ENTRIES });
    const rows = asList(reply.activity) as Record<string, unknown>[];
    return renderJson(ctx, 'whmcs://system/activity', systemActivitySchema, {
      total: Math.max(toInt(reply.totalresults) ?? 0, rows.length),
      entries: newestFirst(rows.slice(0, ENTRIES).map(projectSystemActivityEntry)),
    });
  },
});
