// Filter correctness: a status filter returns only that status, exactly as many items as the
// unfiltered list holds with it, and nothing for a status the client has none of.
import { defineCheck, describeOutcome, skip, verdict } from '../checks.mjs';

function statusCounts(items) {
  const counts = new Map();
  for (const item of items) {
    if (typeof item.status === 'string') counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  }
  return counts;
}

function statusEnum(tool) {
  const property = tool?.inputSchema?.properties?.status;
  return Array.isArray(property?.enum) ? property.enum : null;
}

function clientFilterCheck({ kind, tool }) {
  return defineCheck({
    id: `filters.client-${kind}`,
    layer: 'filters',
    kind: 'filter',
    expect: `${tool} with a status returns only that status, as many as the full list has, and none for an absent status`,
    async run(ctx) {
      const declared = ctx.session.toolByName.get(tool);
      if (!declared) return skip(`${tool} is not listed`);
      if (!declared.inputSchema?.properties?.status) return skip(`${tool} has no status filter`);
      const listed = ctx.entities[kind];
      if (!listed || listed.items.length === 0)
        return skip(`no ${kind} discovered for client ${ctx.ids.client ?? '-'}`);
      const counts = statusCounts(listed.items);
      const allowed = statusEnum(declared);
      const present = [...counts.entries()]
        .filter(([status]) => allowed === null || allowed.includes(status))
        .sort((a, b) => b[1] - a[1]);
      if (present.length === 0) return skip(`the ${kind} have no status the filter accepts`);
      const problems = [];
      const [status, expected] = present[0];
      const outcome = await ctx.session.call(tool, { client_id: ctx.ids.client, status, limit: 100 });
      if (!outcome.ok) return verdict([`${tool} status ${status}: ${describeOutcome(outcome)}`], '');
      const page = outcome.structured;
      const others = (page.items ?? []).filter((item) => item.status !== status);
      if (others.length > 0) {
        problems.push(
          `status ${status} returned ${others.length} item(s) in ${[...new Set(others.map((item) => item.status))].join(', ')}`,
        );
      }
      if (listed.complete && page.total_is_estimate !== true && page.total !== expected) {
        problems.push(`status ${status}: total ${page.total}, the full list has ${expected}`);
      }
      let absentNote = '';
      // Overdue is a view of Unpaid, not a status an item carries, so it is never "absent".
      const absent = allowed?.find((candidate) => !counts.has(candidate) && candidate !== 'Overdue');
      if (absent !== undefined && listed.complete) {
        const none = await ctx.session.call(tool, { client_id: ctx.ids.client, status: absent, limit: 100 });
        if (!none.ok) problems.push(`status ${absent}: ${describeOutcome(none)}`);
        else if ((none.structured.items ?? []).length > 0 || none.structured.total > 0) {
          problems.push(
            `status ${absent}, which no listed item has, returned ${none.structured.total} item(s)`,
          );
        }
        absentNote = `, none for ${absent}`;
      }
      return verdict(
        problems,
        `${tool} status ${status}: ${page.total} of ${listed.items.length}, all ${status}${absentNote}`,
      );
    },
  });
}

export const filterChecks = [
  clientFilterCheck({ kind: 'invoices', tool: 'list_client_invoices' }),
  clientFilterCheck({ kind: 'services', tool: 'list_client_services' }),
  clientFilterCheck({ kind: 'domains', tool: 'list_client_domains' }),
  clientFilterCheck({ kind: 'tickets', tool: 'list_client_tickets' }),
  clientFilterCheck({ kind: 'orders', tool: 'list_client_orders' }),
  defineCheck({
    id: 'filters.admin-lists',
    layer: 'filters',
    kind: 'filter',
    expect:
      'in admin scope, the cross-client lists (invoices, services, orders, clients) return only the status asked for',
    async run(ctx) {
      if (ctx.facts.scope.kind === 'client')
        return skip('client scope: cross-client lists are not available');
      const pick = (kind, fallback) => {
        const counts = statusCounts(ctx.entities[kind]?.items ?? []);
        return [...counts.keys()][0] ?? fallback;
      };
      const probes = [
        { tool: 'list_invoices', status: pick('invoices', 'Unpaid') },
        { tool: 'list_services', status: pick('services', 'Active') },
        { tool: 'list_orders', status: pick('orders', 'Active') },
        { tool: 'search_clients', status: 'Active' },
      ].filter((probe) => ctx.session.has(probe.tool));
      if (probes.length === 0) return skip('no cross-client list is listed');
      const problems = [];
      const seen = [];
      for (const probe of probes) {
        const outcome = await ctx.session.call(probe.tool, { status: probe.status, limit: 100 });
        if (!outcome.ok) {
          problems.push(`${probe.tool} status ${probe.status}: ${describeOutcome(outcome)}`);
          continue;
        }
        const items = outcome.structured.items ?? [];
        const others = items.filter((item) => item.status !== probe.status);
        if (others.length > 0) {
          problems.push(
            `${probe.tool} status ${probe.status} returned ${others.length} item(s) in ${[...new Set(others.map((item) => item.status))].join(', ')}`,
          );
        }
        seen.push(`${probe.tool} ${probe.status} (${items.length})`);
      }
      return verdict(problems, seen.join(', '));
    },
  }),
];
