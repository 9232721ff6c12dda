// Pagination coherence: every page says count === items.length, the same total, has_more and
// next_offset that follow from offset + count, and walking all pages of a small list yields
// `total` distinct items. Past the end there is nothing and no next page.
import { defineCheck, describeOutcome, pass, skip, verdict } from '../checks.mjs';

const MAX_PAGES = 10;

function itemKey(item) {
  if (item === null || typeof item !== 'object') return JSON.stringify(item);
  for (const field of ['id', 'name', 'action', 'code']) {
    if (item[field] !== undefined && item[field] !== null) return `${field}:${item[field]}`;
  }
  return JSON.stringify(item);
}

/** Problems with one page's paging fields, given what was asked for. */
export function pageProblems(page, { offset, limit }, label) {
  const problems = [];
  const items = page.items;
  if (!Array.isArray(items)) return [`${label}: no items array`];
  if (page.count !== items.length) problems.push(`${label}: count ${page.count} but ${items.length} items`);
  if (items.length > limit) problems.push(`${label}: ${items.length} items for limit ${limit}`);
  if (page.offset !== undefined && page.offset !== offset)
    problems.push(`${label}: offset ${page.offset}, asked ${offset}`);
  if (page.total_is_estimate !== true && typeof page.total === 'number') {
    const more = offset + items.length < page.total;
    if (page.has_more !== more)
      problems.push(`${label}: has_more ${page.has_more} with ${offset}+${items.length} of ${page.total}`);
  }
  const expectedNext = page.has_more ? offset + items.length : null;
  if ((page.next_offset ?? null) !== expectedNext) {
    problems.push(`${label}: next_offset ${page.next_offset}, expected ${expectedNext}`);
  }
  return problems;
}

/** Walks a list with `pageSize` items per page, at most MAX_PAGES pages. */
export async function walk(session, tool, args, pageSize) {
  const problems = [];
  const keys = new Set();
  const duplicates = [];
  let total = null;
  let estimate = false;
  let offset = 0;
  let pages = 0;
  for (;;) {
    const outcome = await session.call(tool, { ...args, limit: pageSize, offset });
    const label = `${tool} offset ${offset}`;
    if (!outcome.ok)
      return { problems: [...problems, `${label}: ${describeOutcome(outcome)}`], pages, complete: false };
    const page = outcome.structured;
    pages += 1;
    problems.push(...pageProblems(page, { offset, limit: pageSize }, label));
    if (total !== null && page.total !== total)
      problems.push(`${label}: total ${page.total}, earlier ${total}`);
    total = page.total;
    estimate ||= page.total_is_estimate === true;
    for (const item of page.items ?? []) {
      const key = itemKey(item);
      if (keys.has(key)) duplicates.push(key);
      keys.add(key);
    }
    if (!page.has_more || typeof page.next_offset !== 'number') break;
    if (page.next_offset <= offset) {
      problems.push(`${label}: next_offset ${page.next_offset} does not move forward`);
      break;
    }
    if (pages >= MAX_PAGES) return { problems, pages, complete: false, total, distinct: keys.size };
    offset = page.next_offset;
  }
  if (duplicates.length > 0)
    problems.push(
      `${tool}: ${duplicates.length} item(s) on more than one page (${duplicates.slice(0, 3).join(', ')})`,
    );
  if (!estimate && keys.size !== total)
    problems.push(`${tool}: ${keys.size} distinct items over all pages, total says ${total}`);
  return { problems, pages, complete: true, total, distinct: keys.size };
}

/** A page size giving about five pages, so a small list is walked in several steps. */
export function pageSizeFor(total) {
  return Math.min(100, Math.max(1, Math.ceil(total / 5)));
}

async function walkCheck(ctx, tool, args, knownTotal) {
  if (!ctx.session.has(tool)) return skip(`${tool} is not listed`);
  let total = knownTotal;
  if (total === undefined) {
    const first = await ctx.session.call(tool, { ...args, limit: 1 });
    if (!first.ok) return verdict([`${tool}: ${describeOutcome(first)}`], '');
    total = first.structured.total;
  }
  if (typeof total !== 'number' || total === 0) return skip(`${tool} lists nothing to page through`);
  const pageSize = pageSizeFor(total);
  const walked = await walk(ctx.session, tool, args, pageSize);
  const how = walked.complete
    ? `${walked.pages} pages of ${pageSize}: ${walked.distinct} distinct of total ${walked.total}`
    : `first ${walked.pages} pages of ${pageSize} coherent (total ${total}; not walked to the end)`;
  return verdict(walked.problems, `${tool}: ${how}`, { page_size: pageSize, pages: walked.pages });
}

export const paginationChecks = [
  defineCheck({
    id: 'pagination.client-list',
    layer: 'pagination',
    kind: 'pagination',
    expect:
      "walking the discovered client's invoices (or services) page by page gives total distinct items and coherent paging fields",
    async run(ctx) {
      if (ctx.ids.client === undefined) return skip('no client was discovered');
      const kind = (ctx.entities.invoices?.items.length ?? 0) > 1 ? 'invoices' : 'services';
      const tool = kind === 'invoices' ? 'list_client_invoices' : 'list_client_services';
      return walkCheck(ctx, tool, { client_id: ctx.ids.client }, ctx.entities[kind]?.total);
    },
  }),
  defineCheck({
    id: 'pagination.catalog',
    layer: 'pagination',
    kind: 'pagination',
    expect: 'walking the WHMCS action catalog (whmcs_list_actions) gives total distinct actions',
    run: (ctx) => walkCheck(ctx, 'whmcs_list_actions', {}),
  }),
  defineCheck({
    id: 'pagination.clients',
    layer: 'pagination',
    kind: 'pagination',
    expect:
      'in admin scope, search_clients pages coherently (walked to the end when it has at most 1,000 clients)',
    async run(ctx) {
      if (ctx.facts.scope.kind === 'client') return skip('client scope: search_clients spans clients');
      return walkCheck(ctx, 'search_clients', {});
    },
  }),
  defineCheck({
    id: 'pagination.past-end',
    layer: 'pagination',
    kind: 'pagination',
    expect:
      'an offset at the total returns no items, has_more false and next_offset null; the last item is alone on its page',
    async run(ctx) {
      const listed = ctx.entities.invoices ?? ctx.entities.services;
      const tool = ctx.entities.invoices ? 'list_client_invoices' : 'list_client_services';
      if (!listed || typeof listed.total !== 'number' || listed.total === 0)
        return skip('no discovered list to page past');
      const args = { client_id: ctx.ids.client };
      const problems = [];
      const past = await ctx.session.call(tool, { ...args, limit: 10, offset: listed.total });
      if (!past.ok) problems.push(`offset ${listed.total}: ${describeOutcome(past)}`);
      else {
        problems.push(
          ...pageProblems(
            past.structured,
            { offset: listed.total, limit: 10 },
            `${tool} offset ${listed.total}`,
          ),
        );
        if ((past.structured.items ?? []).length > 0) problems.push(`offset ${listed.total} returned items`);
      }
      const last = await ctx.session.call(tool, { ...args, limit: 10, offset: listed.total - 1 });
      if (!last.ok) problems.push(`offset ${listed.total - 1}: ${describeOutcome(last)}`);
      else {
        problems.push(
          ...pageProblems(
            last.structured,
            { offset: listed.total - 1, limit: 10 },
            `${tool} offset ${listed.total - 1}`,
          ),
        );
        if ((last.structured.items ?? []).length !== 1)
          problems.push(`offset ${listed.total - 1} returned ${last.structured.items?.length} items, not 1`);
      }
      return problems.length === 0
        ? pass(`${tool}: nothing past ${listed.total}, one item at ${listed.total - 1}`)
        : verdict(problems, '');
    },
  }),
];
