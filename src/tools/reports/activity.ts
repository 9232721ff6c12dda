/**
 * Activity log entries (GetActivityLog rows) as the aggregators and the log resources show them.
 * A description can quote what a customer typed (names, subjects, addresses), so it leaves as
 * untrusted text; IP addresses stay out of client-facing views.
 */
import { z } from 'zod';
import { toDate, toInt } from '../../whmcs/normalize.js';
import { untrustedText, whmcsDate } from '../schemas.js';
import { untrusted, type TextSource } from '../untrusted.js';
import { optionalId } from '../shared/fields.js';

type Row = Record<string, unknown>;

export const ACTIVITY_ACTORS = ['staff', 'client', 'system'] as const;

export const activityEntrySchema = z.object({
  id: z.number().int(),
  date: whmcsDate.describe('When it happened (WHMCS server time).'),
  actor: z
    .enum(ACTIVITY_ACTORS)
    .describe(
      'Who acted: staff (an admin or the API), client (the client or one of its users), system (cron, automation).',
    ),
  username: z
    .string()
    .nullable()
    .describe('Admin username or client e-mail as WHMCS logged it; null when none.'),
  client_id: z.number().int().nullable(),
  description: untrustedText.describe('What happened, as WHMCS logged it; may quote customer text.'),
});
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

export const systemActivityEntrySchema = activityEntrySchema.extend({
  ip_address: z.string().nullable(),
});
export type SystemActivityEntry = z.infer<typeof systemActivityEntrySchema>;

function actorOf(row: Row): (typeof ACTIVITY_ACTORS)[number] {
  if (optionalId(row.adminId) !== null) return 'staff';
  if (optionalId(row.userId) !== null) return 'client';
  const username = typeof row.username === 'string' ? row.username.trim() : '';
  if (username === '' || username.toLowerCase() === 'system') return 'system';
  // Client-area actions log the client's e-mail as the username.
  return username.includes('@') ? 'client' : 'staff';
}

const SOURCE_OF_ACTOR: Record<(typeof ACTIVITY_ACTORS)[number], TextSource> = {
  staff: 'staff',
  client: 'customer',
  system: 'system',
};

export function projectActivityEntry(row: Row): ActivityEntry {
  const actor = actorOf(row);
  const username =
    typeof row.username === 'string' && row.username.trim() !== '' ? row.username.trim() : null;
  return {
    id: toInt(row.id) ?? 0,
    date: toDate(row.date),
    actor,
    username,
    // WHMCS 8 names the client `clientId` and keeps `userid` as the older alias.
    client_id: optionalId(row.clientId ?? row.userid),
    description: untrusted(
      typeof row.description === 'string' ? row.description : '',
      SOURCE_OF_ACTOR[actor],
    ),
  };
}

export function projectSystemActivityEntry(row: Row): SystemActivityEntry {
  const ip = typeof row.ipaddress === 'string' && row.ipaddress.trim() !== '' ? row.ipaddress.trim() : null;
  return { ...projectActivityEntry(row), ip_address: ip };
}

/** Newest first by date, then by id: WHMCS pages its log by id, which is not always date order. */
export function newestFirst<Entry extends { id: number; date: string | null }>(entries: Entry[]): Entry[] {
  return entries.sort(
    (left, right) => (right.date ?? '').localeCompare(left.date ?? '') || right.id - left.id,
  );
}
