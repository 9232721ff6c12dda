/**
 * Activity log entries (GetActivityLog rows), read one way for get_activity_log, the aggregators
 * and the log resources. A description can quote what a customer typed (names, subjects,
 * addresses), so it leaves as untrusted text; IP addresses stay out of client-facing views.
 */
import { z } from 'zod';
import { toDate, toInt } from '../../whmcs/normalize.js';
import { untrustedText, whmcsDate, type UntrustedText } from '../schemas.js';
import { untrusted, type TextSource } from '../untrusted.js';
import { optionalId, text, type Row } from './fields.js';

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

/** Everything a GetActivityLog row says, read once; each view picks its fields. */
export interface ActivityRecord {
  id: number;
  date: string | null;
  actor: (typeof ACTIVITY_ACTORS)[number];
  /** Admin username or client e-mail as logged, trimmed; null when blank. */
  username: string | null;
  client_id: number | null;
  /** The WHMCS user (login) who acted. */
  user_id: number | null;
  admin_id: number | null;
  ip_address: string | null;
  description: UntrustedText;
}

export function readActivityRow(row: Row): ActivityRecord {
  const actor = actorOf(row);
  return {
    id: toInt(row.id) ?? 0,
    date: toDate(row.date),
    actor,
    username: typeof row.username === 'string' ? text(row.username) : null,
    // WHMCS 8 names the client `clientId` and keeps `userid` as the older alias.
    client_id: optionalId(row.clientId ?? row.userid),
    user_id: optionalId(row.userId),
    admin_id: optionalId(row.adminId),
    ip_address: typeof row.ipaddress === 'string' ? text(row.ipaddress) : null,
    description: untrusted(
      typeof row.description === 'string' ? row.description : '',
      SOURCE_OF_ACTOR[actor],
    ),
  };
}

export function projectActivityEntry(row: Row): ActivityEntry {
  const { id, date, actor, username, client_id, description } = readActivityRow(row);
  return { id, date, actor, username, client_id, description };
}

export function projectSystemActivityEntry(row: Row): SystemActivityEntry {
  const { id, date, actor, username, client_id, description, ip_address } = readActivityRow(row);
  return { id, date, actor, username, client_id, description, ip_address };
}

/** Newest first by date, then by id: WHMCS pages its log by id, which is not always date order. */
export function newestFirst<Entry extends { id: number; date: string | null }>(entries: Entry[]): Entry[] {
  return entries.sort(
    (left, right) => (right.date ?? '').localeCompare(left.date ?? '') || right.id - left.id,
  );
}
