// Discovery: real ids to test with, found the way an operator would find them. In admin scope a
// client with services, invoices, tickets and domains is looked for; in client scope the bound
// client is used. Everything later layers need (ids, the client's own entities) is kept on ctx.
import { defineCheck, describeOutcome, fail, pass, skip } from '../checks.mjs';

/** The client's lists, by the tool that lists them and the discovered id each one provides. */
const CLIENT_LISTS = [
  { kind: 'invoices', tool: 'list_client_invoices', id: 'invoice' },
  { kind: 'services', tool: 'list_client_services', id: 'service' },
  { kind: 'domains', tool: 'list_client_domains', id: 'domain' },
  { kind: 'tickets', tool: 'list_client_tickets', id: 'ticket' },
  { kind: 'orders', tool: 'list_client_orders', id: 'order' },
  { kind: 'quotes', tool: 'get_quotes', id: 'quote' },
];

/** At most this many items of one kind are read, 100 per page. */
const MAX_ITEMS = 500;

/** Every item of a paged list up to MAX_ITEMS: `{ items, total, complete }` or `{ failure }`. */
export async function listAll(session, tool, args) {
  const items = [];
  let offset = 0;
  let total = null;
  for (;;) {
    const outcome = await session.call(tool, { ...args, limit: 100, offset });
    if (!outcome.ok) return { failure: `${tool}: ${describeOutcome(outcome)}` };
    const page = outcome.structured;
    items.push(...(page.items ?? []));
    total = page.total ?? total;
    if (
      !page.has_more ||
      page.next_offset === null ||
      page.next_offset === undefined ||
      items.length >= MAX_ITEMS
    ) {
      return { items, total, complete: !page.has_more };
    }
    offset = page.next_offset;
  }
}

/** How much of what the later layers need an account overview shows a client to have. */
function richness(overview) {
  const has = {
    services: (overview.services?.total ?? overview.services?.items?.length ?? 0) > 0,
    domains: (overview.domains?.total ?? overview.domains?.items?.length ?? 0) > 0,
    invoices: (overview.invoices?.items?.length ?? 0) > 0,
    tickets: (overview.tickets?.items?.length ?? 0) > 0,
  };
  return { score: Object.values(has).filter(Boolean).length, has };
}

async function chooseAdminClient(ctx) {
  const session = ctx.session;
  if (ctx.options.clientId !== undefined) {
    const outcome = await session.call('get_client_details', { client_id: ctx.options.clientId });
    if (!outcome.ok) return { failure: `--client-id ${ctx.options.clientId}: ${describeOutcome(outcome)}` };
    return { clientId: ctx.options.clientId, how: 'given with --client-id' };
  }
  if (!session.has('search_clients')) {
    return { failure: 'search_clients is not listed, so no client can be found: pass --client-id' };
  }
  const search = await session.call('search_clients', { status: 'Active', limit: 25 });
  if (!search.ok) return { failure: `search_clients: ${describeOutcome(search)}` };
  const candidates = (search.structured.items ?? []).map((client) => client.id).filter(Number.isInteger);
  if (candidates.length === 0) return { failure: 'search_clients found no active client' };
  if (!session.has('get_account_360')) return { clientId: candidates[0], how: 'the first active client' };
  let best = null;
  for (const clientId of candidates.slice(0, 10)) {
    const overview = await session.call('get_account_360', { client_id: clientId });
    if (!overview.ok) continue;
    const rated = richness(overview.structured);
    if (best === null || rated.score > best.score) best = { clientId, ...rated };
    if (rated.score === 4) break;
  }
  if (best === null)
    return { clientId: candidates[0], how: 'the first active client (no overview answered)' };
  const has = Object.entries(best.has)
    .filter(([, present]) => present)
    .map(([kind]) => kind);
  return {
    clientId: best.clientId,
    how: `active client with ${has.length > 0 ? has.join(', ') : 'no services, domains, invoices or tickets'}`,
  };
}

function chooseBoundClient(ctx) {
  const bound = ctx.facts.scope.clientIds;
  const given = ctx.options.clientId;
  if (given !== undefined) {
    if (bound.length > 0 && !bound.includes(given)) {
      return { failure: `--client-id ${given} is not one of the bound clients (${bound.join(', ')})` };
    }
    return { clientId: given, how: 'the bound client given with --client-id' };
  }
  if (bound.length === 0) {
    return {
      failure:
        'the session is client-scoped but the server does not say which client it is bound to: pass --client-id',
    };
  }
  return { clientId: bound[0], how: `the bound client (of ${bound.join(', ')})` };
}

/** Picks an entity that suits the write-flow: an open ticket over a closed one. */
function preferred(kind, items) {
  if (kind === 'tickets') return items.find((ticket) => ticket.status !== 'Closed') ?? items[0];
  return items[0];
}

export const discoveryChecks = [
  defineCheck({
    id: 'discovery.client',
    layer: 'discovery',
    kind: 'data',
    expect:
      'a client to test with is found: admin scope looks for one with services, invoices, tickets and domains',
    async run(ctx) {
      const choice =
        ctx.facts.scope.kind === 'client' ? chooseBoundClient(ctx) : await chooseAdminClient(ctx);
      if (choice.failure) return fail(choice.failure);
      ctx.ids.client = choice.clientId;
      return pass(`client ${choice.clientId}: ${choice.how}`, { client_id: choice.clientId });
    },
  }),
  defineCheck({
    id: 'discovery.entities',
    layer: 'discovery',
    kind: 'data',
    expect: "the client's invoices, services, domains, tickets, orders and quotes list without error",
    async run(ctx) {
      if (ctx.ids.client === undefined) return skip('no client was discovered');
      const counts = {};
      const problems = [];
      for (const list of CLIENT_LISTS) {
        if (!ctx.session.has(list.tool)) continue;
        const listed = await listAll(ctx.session, list.tool, { client_id: ctx.ids.client });
        if (listed.failure) {
          problems.push(listed.failure);
          continue;
        }
        ctx.entities[list.kind] = listed;
        counts[list.kind] = listed.items.length;
        const chosen = preferred(list.kind, listed.items);
        if (chosen && Number.isInteger(chosen.id)) ctx.ids[list.id] = chosen.id;
        if (list.kind === 'domains' && typeof chosen?.domain === 'string') ctx.ids.domainName = chosen.domain;
        if (list.kind === 'tickets' && Number.isInteger(chosen?.department_id))
          ctx.ids.department = chosen.department_id;
      }
      const summary = Object.entries(counts)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ');
      const details = { counts, ids: ctx.ids };
      if (problems.length > 0) return fail(problems.join('; '), details);
      return pass(`client ${ctx.ids.client}: ${summary || 'no client lists are listed'}`, details);
    },
  }),
];
