// Operator reads on the discovered ids: each entity read by id is the one asked for, belongs to
// the discovered client, and agrees with the lists and the account overview.
import { defineCheck, describeOutcome, pass, skip, verdict } from '../checks.mjs';

function sameStatus(problems, label, read, listed) {
  if (listed !== undefined && read !== undefined && read !== listed) {
    problems.push(`${label}: status ${read} when read, ${listed} when listed`);
  }
}

/** Reads each of up to `limit` listed entities by id and compares it with its list item. */
async function readEach(ctx, { kind, tool, argument, limit, compare }) {
  const listed = ctx.entities[kind]?.items ?? [];
  if (!ctx.session.has(tool)) return skip(`${tool} is not listed`);
  if (listed.length === 0) return skip(`no ${kind} discovered for client ${ctx.ids.client ?? '-'}`);
  const problems = [];
  const checked = [];
  for (const item of listed.slice(0, limit)) {
    const outcome = await ctx.session.call(tool, { [argument]: item.id });
    const label = `${tool}(${item.id})`;
    if (!outcome.ok) {
      problems.push(`${label}: ${describeOutcome(outcome)}`);
      continue;
    }
    const entity = outcome.structured;
    if (entity.id !== item.id) problems.push(`${label}: returned id ${entity.id}`);
    if (entity.client_id !== ctx.ids.client)
      problems.push(`${label}: client ${entity.client_id}, not ${ctx.ids.client}`);
    sameStatus(problems, label, entity.status, item.status);
    compare?.(entity, item, label, problems);
    checked.push(item.id);
  }
  return verdict(problems, `${checked.length} ${kind} (${checked.join(', ')}) read back as listed`, {
    checked,
  });
}

export const readsChecks = [
  defineCheck({
    id: 'reads.client',
    layer: 'reads',
    kind: 'data',
    expect:
      "the client's details, account overview and credit log agree on its id, counts and credit balance",
    async run(ctx) {
      const clientId = ctx.ids.client;
      if (clientId === undefined) return skip('no client was discovered');
      const problems = [];
      let details = null;
      if (ctx.session.has('get_client_details')) {
        const outcome = await ctx.session.call('get_client_details', { client_id: clientId });
        if (!outcome.ok) problems.push(`get_client_details: ${describeOutcome(outcome)}`);
        else {
          details = outcome.structured.client;
          if (details?.id !== clientId) problems.push(`get_client_details returned client ${details?.id}`);
        }
      }
      let overview = null;
      if (ctx.session.has('get_account_360')) {
        const outcome = await ctx.session.call('get_account_360', { client_id: clientId });
        if (!outcome.ok) problems.push(`get_account_360: ${describeOutcome(outcome)}`);
        else {
          overview = outcome.structured;
          if (overview.client?.id !== clientId)
            problems.push(`get_account_360 describes client ${overview.client?.id}`);
          for (const kind of ['services', 'domains']) {
            const section = overview[kind];
            const listed = ctx.entities[kind];
            if (
              section &&
              listed?.complete &&
              section.total_is_estimate !== true &&
              section.total !== listed.total
            ) {
              problems.push(`get_account_360 counts ${section.total} ${kind}, the list has ${listed.total}`);
            }
          }
          if ((overview.partial_errors ?? []).length > 0) {
            problems.push(
              `get_account_360 partial errors: ${JSON.stringify(overview.partial_errors).slice(0, 200)}`,
            );
          }
        }
      }
      if (ctx.session.has('get_credits')) {
        const outcome = await ctx.session.call('get_credits', { client_id: clientId, limit: 1 });
        if (!outcome.ok) problems.push(`get_credits: ${describeOutcome(outcome)}`);
        else {
          const balance = outcome.structured.credit_balance;
          const seen = overview?.credit_balance?.amount ?? details?.credit_balance;
          if (balance !== undefined && seen !== undefined && balance !== seen) {
            problems.push(`credit balance ${balance} in get_credits, ${seen} in the overview`);
          }
        }
      }
      if (details === null && overview === null)
        return skip('neither get_client_details nor get_account_360 is listed');
      return verdict(problems, `client ${clientId}: details, overview and credit log agree`);
    },
  }),
  defineCheck({
    id: 'reads.invoices',
    layer: 'reads',
    kind: 'data',
    expect: 'invoices read by id (one batch call) are the listed ones, of the client, with the listed status',
    async run(ctx) {
      const listed = ctx.entities.invoices?.items ?? [];
      if (!ctx.session.has('get_invoice')) return skip('get_invoice is not listed');
      if (listed.length === 0) return skip(`no invoices discovered for client ${ctx.ids.client ?? '-'}`);
      const wanted = listed.slice(0, 5);
      const outcome = await ctx.session.call('get_invoice', {
        invoice_ids: wanted.map((invoice) => invoice.id),
      });
      if (!outcome.ok) return verdict([`get_invoice: ${describeOutcome(outcome)}`], '');
      const problems = [];
      const byId = new Map((outcome.structured.invoices ?? []).map((invoice) => [invoice.id, invoice]));
      for (const item of wanted) {
        const invoice = byId.get(item.id);
        if (!invoice) {
          problems.push(`invoice ${item.id} missing from the batch read`);
          continue;
        }
        if (invoice.client_id !== ctx.ids.client)
          problems.push(`invoice ${item.id}: client ${invoice.client_id}`);
        sameStatus(problems, `invoice ${item.id}`, invoice.status, item.status);
        if (item.total !== undefined && invoice.total !== undefined && item.total !== invoice.total) {
          problems.push(`invoice ${item.id}: total ${invoice.total} when read, ${item.total} when listed`);
        }
      }
      return verdict(
        problems,
        `${wanted.length} invoices (${wanted.map((invoice) => invoice.id).join(', ')}) read back as listed`,
      );
    },
  }),
  defineCheck({
    id: 'reads.services',
    layer: 'reads',
    kind: 'data',
    expect: 'services read by id are the listed ones, of the client, with the listed status and product',
    run: (ctx) =>
      readEach(ctx, {
        kind: 'services',
        tool: 'get_service_details',
        argument: 'service_id',
        limit: 3,
        compare(entity, item, label, problems) {
          if (item.product_id !== undefined && entity.product_id !== item.product_id) {
            problems.push(`${label}: product ${entity.product_id}, listed ${item.product_id}`);
          }
        },
      }),
  }),
  defineCheck({
    id: 'reads.domains',
    layer: 'reads',
    kind: 'data',
    expect: 'domains read by id are the listed ones, of the client, with the listed status and name',
    run: (ctx) =>
      readEach(ctx, {
        kind: 'domains',
        tool: 'get_domain_details',
        argument: 'domain_id',
        limit: 3,
        compare(entity, item, label, problems) {
          if (item.domain !== undefined && entity.domain !== item.domain) {
            problems.push(`${label}: name ${entity.domain}, listed ${item.domain}`);
          }
        },
      }),
  }),
  defineCheck({
    id: 'reads.tickets',
    layer: 'reads',
    kind: 'data',
    expect:
      'ticket threads read by id are the listed ones, of the client, with messages, and customer text marked untrusted',
    run: (ctx) =>
      readEach(ctx, {
        kind: 'tickets',
        tool: 'get_ticket_thread',
        argument: 'ticket_id',
        limit: 2,
        compare(entity, _item, label, problems) {
          if (!Array.isArray(entity.messages) || entity.messages.length === 0)
            problems.push(`${label}: no messages`);
          if (entity.subject !== undefined && entity.subject?.untrusted !== true) {
            problems.push(`${label}: the subject is not marked untrusted`);
          }
          const unmarked = (entity.messages ?? []).filter(
            (message) => message.message !== undefined && message.message?.untrusted !== true,
          );
          if (unmarked.length > 0)
            problems.push(`${label}: ${unmarked.length} message bodies not marked untrusted`);
        },
      }),
  }),
  defineCheck({
    id: 'reads.snapshots',
    layer: 'reads',
    kind: 'data',
    expect: "the client's billing, support and renewal snapshots describe that client without partial errors",
    async run(ctx) {
      const clientId = ctx.ids.client;
      if (clientId === undefined) return skip('no client was discovered');
      const tools = ['get_billing_snapshot', 'get_support_snapshot', 'get_renewal_snapshot'].filter((name) =>
        ctx.session.has(name),
      );
      if (tools.length === 0) return skip('no snapshot tool is listed');
      const problems = [];
      for (const name of tools) {
        const outcome = await ctx.session.call(name, { client_id: clientId });
        if (!outcome.ok) {
          problems.push(`${name}: ${describeOutcome(outcome)}`);
          continue;
        }
        const snapshot = outcome.structured;
        if (snapshot.client_id !== undefined && snapshot.client_id !== clientId) {
          problems.push(`${name} describes client ${snapshot.client_id}`);
        }
        if ((snapshot.partial_errors ?? []).length > 0) {
          problems.push(`${name} partial errors: ${JSON.stringify(snapshot.partial_errors).slice(0, 200)}`);
        }
      }
      return problems.length === 0
        ? pass(`${tools.join(', ')} for client ${clientId}`)
        : verdict(problems, '');
    },
  }),
];
