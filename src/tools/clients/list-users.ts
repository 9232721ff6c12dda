import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { toBool, toInt } from '../../whmcs/normalize.js';
import { defineTool, type ToolContext, type WhmcsReply } from '../define.js';
import { boundedText, entityId, listOutput, pageOf, pagingInput } from '../schemas.js';
import { listPage, pageFromReply } from '../shared/list-scan.js';
import { loadClient } from '../shared/ownership.js';
import { projectUser, userSchema, type UserRecord } from './projections.js';
import { clientRecord, rowsOf } from '../shared/fields.js';

/** A user as GetClientsDetails lists it under a client: enough to find the full GetUsers row. */
interface LinkedUser {
  id: number;
  name: string;
  email: string;
  clients: Array<{ client_id: number; is_owner: boolean | null }>;
}

/** GetUsers, with its failure explained: it is missing before WHMCS 8.1 and unverified on some installations. */
async function getUsers(ctx: ToolContext, params: Record<string, string | number>): Promise<WhmcsReply> {
  try {
    return await ctx.whmcs.call('GetUsers', params);
  } catch (error) {
    if (error instanceof WhmcsMcpError && error.code === 'upstream_error') {
      throw new WhmcsMcpError(
        'upstream_error',
        `This WHMCS could not list users (${error.message}). GetUsers exists from WHMCS 8.1; get_client_details lists the users linked to a client on any version.`,
        { internal: error.internal, details: { action: 'GetUsers' }, cause: error },
      );
    }
    throw error;
  }
}

/** WHMCS's user search: the start of the email, first name, last name or full name, any case. */
function matchesSearch(user: UserRecord, search: string): boolean {
  const term = search.toLowerCase();
  return [user.email, user.firstname ?? '', user.lastname ?? '', user.name].some((field) =>
    field.toLowerCase().startsWith(term),
  );
}

/** Users linked to these clients, from GetClientsDetails; clients that are gone are skipped. */
async function linkedUsers(
  ctx: ToolContext,
  clientIds: readonly number[],
  strict: boolean,
): Promise<LinkedUser[]> {
  const byId = new Map<number, LinkedUser>();
  for (const clientId of clientIds) {
    let reply: WhmcsReply;
    try {
      reply = await loadClient(ctx, clientId);
    } catch (error) {
      // A configured client id that no longer exists hides nothing; an asked-for one is an error.
      if (!strict && error instanceof WhmcsMcpError && error.code === 'not_found') continue;
      throw error;
    }
    const client = clientRecord(reply);
    for (const row of rowsOf(client.users)) {
      const id = toInt(row.id);
      if (id === undefined) continue;
      const user = byId.get(id) ?? {
        id,
        name: typeof row.name === 'string' ? row.name : '',
        email: typeof row.email === 'string' ? row.email : '',
        clients: [],
      };
      user.clients.push({ client_id: clientId, is_owner: toBool(row.is_owner) ?? null });
      byId.set(id, user);
    }
  }
  return [...byId.values()].sort((left, right) => left.id - right.id);
}

/**
 * The full record of a linked user: GetUsers searched by the user's email, matched by id. When
 * GetUsers cannot answer, the record GetClientsDetails gave stands, with the unknown fields null.
 */
async function completeUser(
  ctx: ToolContext,
  user: LinkedUser,
  visibleClient: (clientId: number) => boolean,
): Promise<UserRecord> {
  const fallback: UserRecord = {
    id: user.id,
    name: user.name,
    firstname: null,
    lastname: null,
    email: user.email,
    datecreated: null,
    clients: user.clients,
  };
  if (user.email === '') return fallback;
  let reply: WhmcsReply;
  try {
    reply = await getUsers(ctx, { search: user.email, limitnum: 100 });
  } catch (error) {
    if (error instanceof WhmcsMcpError && error.code === 'upstream_error') {
      ctx.logger.warn(
        { userId: user.id, detail: error.internal },
        'GetUsers failed; using the client record',
      );
      return fallback;
    }
    throw error;
  }
  const row = rowsOf(reply.users).find((candidate) => toInt(candidate.id) === user.id);
  return row ? projectUser(row, visibleClient) : fallback;
}

export const listUsers = defineTool({
  name: 'list_users',
  title: 'List users',
  description:
    'Lists users: the logins that can sign in to the client area, each with the client accounts it may manage (one user can manage several clients; a client can have several users). Filter by client_id for the users of one client, and by search for the start of an email, first name, last name or full name. In client mode only users linked to the allowed clients come back, with only those client links. Needs WHMCS 8.1 or later (GetUsers); firstname, lastname and datecreated are null for a user WHMCS could not return through GetUsers.',
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetUsers', 'GetClientsDetails'],
  input: z.strictObject({
    client_id: entityId('Only users linked to this client.').optional(),
    search: boundedText(
      'Start of the email, first name, last name or full name (e.g. "erik", "erik@").',
      100,
    ).optional(),
    ...pagingInput,
  }),
  output: listOutput(userSchema),
  async handler(input, ctx) {
    const visibleClient = (clientId: number): boolean => ctx.scope.allows(clientId);
    const targetClients = input.client_id !== undefined ? [input.client_id] : ctx.scope.clientIds;

    if (targetClients === undefined) {
      // Admin mode over all users: WHMCS searches and pages.
      const search = input.search;
      const params: Record<string, string> = search === undefined ? {} : { search };
      const page = await listPage({
        read: async (limitstart, limitnum) =>
          pageFromReply(await getUsers(ctx, { ...params, limitstart, limitnum }), 'users'),
        keep: (row) => search === undefined || matchesSearch(projectUser(row), search),
        serverAppliesAllFilters: true,
        offset: input.offset,
        limit: input.limit,
        noun: 'users',
        narrowHint: 'add a search term',
        logger: ctx.logger,
      });
      return { ...page, items: page.items.map((row) => projectUser(row)) };
    }

    // Users of given clients: the clients' own user lists give the exact set (and count).
    const linked = await linkedUsers(ctx, targetClients, input.client_id !== undefined);
    const complete = (user: LinkedUser) => completeUser(ctx, user, visibleClient);
    if (input.search === undefined) {
      const page = pageOf(linked, input.offset, input.limit);
      return { ...page, items: await Promise.all(page.items.map(complete)) };
    }
    const search = input.search;
    const users = await Promise.all(linked.map(complete));
    return pageOf(
      users.filter((user) => matchesSearch(user, search)),
      input.offset,
      input.limit,
    );
  },
  summarize(output) {
    const names = output.items
      .slice(0, 3)
      .map((user) => `${user.id} ${user.name} <${user.email}>`)
      .join(', ');
    const total = `${output.total_is_estimate ? 'at least ' : ''}${output.total}`;
    const more = output.has_more ? `; next page at offset ${String(output.next_offset)}` : '';
    return `${output.count} of ${total} user(s)${names ? `: ${names}` : ''}${more}.`;
  },
});
