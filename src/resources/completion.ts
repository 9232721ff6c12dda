/**
 * Suggestions for `{id}` in resource templates, from one or two cheap WHMCS reads, always within the
 * caller's scope: in client mode only the allowed clients and what they own. Completion is a
 * convenience, so a WHMCS failure yields no suggestions rather than an error.
 */
import type { WhmcsParams } from '../whmcs/encode.js';
import { asList, toInt } from '../whmcs/normalize.js';
import type { ToolContext } from '../tools/define.js';

/** Suggestions returned at most. */
const MAX_SUGGESTIONS = 20;
/** Recent records read per WHMCS call when suggesting ids. */
const RECENT = 100;
/** Allowed clients whose records are read for suggestions in client mode. */
const CLIENTS_READ = 5;

function matching(ids: Iterable<number>, prefix: string): string[] {
  const seen = new Set<string>();
  for (const id of ids) {
    const text = String(id);
    if (text.startsWith(prefix)) seen.add(text);
    if (seen.size === MAX_SUGGESTIONS) break;
  }
  return [...seen];
}

function idsIn(
  reply: Record<string, unknown>,
  listKey: string,
  owner: string,
  scope: ToolContext['scope'],
): number[] {
  return (asList(reply[listKey]) as Record<string, unknown>[])
    .filter((row) => scope.allows(toInt(row[owner])))
    .map((row) => toInt(row.id))
    .filter((id): id is number => id !== undefined && id > 0);
}

async function softly(ctx: ToolContext, prefix: string, suggest: () => Promise<string[]>): Promise<string[]> {
  // Ids are digits: any other prefix cannot match one, so WHMCS is not asked.
  if (!/^\d{0,10}$/.test(prefix)) return [];
  try {
    return await suggest();
  } catch (error) {
    ctx.logger.warn({ err: error }, 'resource completion failed');
    return [];
  }
}

/** Client ids: the allowed ones in client mode; in admin mode the exact id and the most recent clients. */
export function completeClientId(ctx: ToolContext, prefix: string): Promise<string[]> {
  return softly(ctx, prefix, async () => {
    const allowed = ctx.scope.clientIds;
    if (allowed !== undefined) return matching(allowed, prefix);
    // The most recent clients, plus the client whose id is exactly the prefix (often an older one).
    const [recent, exact] = await Promise.all([
      ctx.whmcs.call('GetClients', { orderby: 'id', sorting: 'DESC', limitstart: 0, limitnum: RECENT }),
      prefix === '' || prefix.startsWith('0')
        ? Promise.resolve(undefined)
        : ctx.whmcs.call('GetClientsDetails', { clientid: Number(prefix) }).catch(() => undefined),
    ]);
    const exactId = exact === undefined ? [] : [Number(prefix)];
    return matching([...exactId, ...idsIn(recent, 'clients', 'id', ctx.scope)], prefix);
  });
}

/**
 * Ids of recent records of a list action: per allowed client in client mode (a few clients at
 * most), across the installation in admin mode.
 */
export function completeOwnedId(
  ctx: ToolContext,
  prefix: string,
  list: { action: string; listKey: string; clientParam: string; owner: string; params: WhmcsParams },
): Promise<string[]> {
  return softly(ctx, prefix, async () => {
    const allowed = ctx.scope.clientIds;
    const requests =
      allowed === undefined
        ? [{ ...list.params }]
        : allowed
            .slice(0, CLIENTS_READ)
            .map((clientId) => ({ ...list.params, [list.clientParam]: clientId }));
    const replies = await Promise.all(
      requests.map((params) => ctx.whmcs.call(list.action, { ...params, limitstart: 0, limitnum: RECENT })),
    );
    const ids = replies.flatMap((reply) => idsIn(reply, list.listKey, list.owner, ctx.scope));
    return matching(
      ids.sort((left, right) => right - left),
      prefix,
    );
  });
}
