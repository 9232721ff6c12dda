// Access control: the configuration's scope is what the server enforces. In client scope another
// client's ids must be answered exactly like ids that do not exist; staff-only tools are neither
// listed nor callable; credential-returning WHMCS actions are refused in every scope.
import { defineCheck, describeOutcome, fail, pass, skip, verdict } from '../checks.mjs';
import { toolClientMode, toolKind } from '../session.mjs';
import { MISSING_ID, templateKind } from './contract.mjs';

/** Entities a client-scoped session must resolve to their owner, and how to read each by id. */
const ENTITY_PROBES = [
  { kind: 'client', tool: 'get_client_details', argument: 'client_id', owner: (result) => result.client?.id },
  {
    kind: 'invoice',
    tool: 'get_invoice',
    argument: 'invoice_id',
    owner: (result) => result.invoices?.[0]?.client_id,
  },
  {
    kind: 'service',
    tool: 'get_service_details',
    argument: 'service_id',
    owner: (result) => result.client_id,
  },
  { kind: 'domain', tool: 'get_domain_details', argument: 'domain_id', owner: (result) => result.client_id },
  { kind: 'ticket', tool: 'get_ticket_thread', argument: 'ticket_id', owner: (result) => result.client_id },
  {
    kind: 'quote',
    tool: 'get_quotes',
    argument: 'quote_id',
    owner: (result) => result.items?.[0]?.client_id,
  },
];

const ENTITY_LISTS = {
  invoice: 'invoices',
  service: 'services',
  domain: 'domains',
  ticket: 'tickets',
  quote: 'quotes',
};

/**
 * Ids that most likely belong to other clients: gaps between the client's own ids first (WHMCS
 * numbers every table in one sequence, so a gap is almost always someone else's), then the ids
 * just past either end.
 */
export function foreignCandidates(ownIds, count = 3) {
  const own = [...new Set(ownIds.filter(Number.isInteger))].sort((a, b) => a - b);
  if (own.length === 0) return [];
  const ownSet = new Set(own);
  const candidates = [];
  for (let index = 1; index < own.length && candidates.length < count; index += 1) {
    for (let id = own[index - 1] + 1; id < own[index] && candidates.length < count; id += 1) {
      candidates.push({ id, where: 'gap' });
    }
  }
  const max = own[own.length - 1];
  const min = own[0];
  for (const id of [max + 1, min - 1, max + 2, min - 2]) {
    if (candidates.length >= count) break;
    if (id > 0 && !ownSet.has(id)) candidates.push({ id, where: 'edge' });
  }
  return candidates;
}

/** What a caller can observe of an answer, with the asked id replaced so two answers compare. */
export function observable(outcome, id) {
  const asked = new RegExp(`\\b${id}\\b`, 'g');
  const blank = (value) =>
    value === null || value === undefined ? null : JSON.stringify(value).replace(asked, '<id>');
  if (outcome.protocolError) {
    return {
      kind: 'protocol',
      code: outcome.protocolError.code,
      message: blank(outcome.protocolError.message),
      data: blank(outcome.protocolError.data),
    };
  }
  if (outcome.isError) {
    return {
      kind: 'error',
      code: outcome.error?.code ?? null,
      message: blank(outcome.error?.message),
      data: blank(outcome.error?.details),
    };
  }
  return { kind: 'result', data: blank(outcome.structured) };
}

function sameAnswer(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function ownIdsOf(ctx, kind) {
  if (kind === 'client')
    return ctx.facts.scope.clientIds.length > 0 ? ctx.facts.scope.clientIds : [ctx.ids.client];
  return (ctx.entities[ENTITY_LISTS[kind]]?.items ?? []).map((item) => item.id);
}

function boundClients(ctx) {
  return new Set(ctx.facts.scope.clientIds.length > 0 ? ctx.facts.scope.clientIds : [ctx.ids.client]);
}

export const accessChecks = [
  defineCheck({
    id: 'access.scope-listing',
    layer: 'access',
    kind: 'isolation',
    expect:
      'the tool list matches the configuration: no staff-only tool in client scope, no write tool in read_only mode',
    async run(ctx) {
      const problems = [];
      const tools = ctx.session.tools;
      const staffOnly = tools
        .filter((tool) => toolClientMode(tool) === 'admin_only')
        .map((tool) => tool.name);
      if (ctx.facts.scope.kind === 'client' && staffOnly.length > 0) {
        problems.push(`client scope lists staff-only tools: ${staffOnly.join(', ')}`);
      }
      const writes = tools.filter((tool) => toolKind(tool) === 'write').map((tool) => tool.name);
      if (ctx.facts.mode === 'read_only' && writes.length > 0)
        problems.push(`read_only lists write tools: ${writes.join(', ')}`);
      return verdict(
        problems,
        `${ctx.facts.scope.kind} scope, ${ctx.facts.mode ?? 'unknown'} mode: ${staffOnly.length} staff-only and ${writes.length} write tools listed`,
      );
    },
  }),
  defineCheck({
    id: 'access.unlisted-tools-refused',
    layer: 'access',
    kind: 'isolation',
    expect:
      'tools the configuration does not list are refused when called by name (staff-only in client scope, writes in read_only)',
    async run(ctx) {
      const probes = [];
      if (ctx.facts.scope.kind === 'client') {
        for (const name of ['search_clients', 'list_invoices', 'get_accounts_receivable_aging']) {
          if (!ctx.session.has(name))
            probes.push({ name, args: name === 'search_clients' ? { limit: 1 } : {} });
        }
      }
      if (ctx.facts.mode === 'read_only') {
        // Empty arguments: even a server that let the call through would stop at validation.
        for (const name of ['add_credit', 'draft_write_intent'])
          if (!ctx.session.has(name)) probes.push({ name, args: {} });
      }
      if (probes.length === 0) return skip('admin scope with writes enabled: every tool is listed');
      const problems = [];
      const answers = [];
      for (const probe of probes) {
        const outcome = await ctx.session.call(probe.name, probe.args);
        answers.push(
          `${probe.name}: ${outcome.error?.code ?? (outcome.protocolError ? 'protocol error' : 'answered')}`,
        );
        if (!outcome.isError && !outcome.protocolError)
          problems.push(`${probe.name} is not listed but answered`);
        else if (outcome.structured !== null) problems.push(`${probe.name} was refused but returned data`);
      }
      return verdict(problems, answers.join(', '));
    },
  }),
  defineCheck({
    id: 'access.foreign-like-missing',
    layer: 'access',
    kind: 'isolation',
    expect:
      "in client scope, ids just outside the bound client's own (other clients') get exactly the answer a missing id gets",
    async run(ctx) {
      if (ctx.facts.scope.kind !== 'client') return skip('admin scope: every client is visible');
      if (ctx.ids.client === undefined) return skip('no bound client was discovered');
      const bound = boundClients(ctx);
      const problems = [];
      const compared = [];
      ctx.foreign = {};
      for (const probe of ENTITY_PROBES) {
        if (!ctx.session.has(probe.tool)) continue;
        const candidates = foreignCandidates(ownIdsOf(ctx, probe.kind));
        if (candidates.length === 0) continue;
        const missing = await ctx.session.call(probe.tool, { [probe.argument]: MISSING_ID });
        const missingAnswer = observable(missing, MISSING_ID);
        if (missingAnswer.kind === 'result' && probe.owner(missing.structured) !== undefined) {
          problems.push(`${probe.tool}(${MISSING_ID}) answered with data for a missing id`);
          continue;
        }
        for (const candidate of candidates) {
          const outcome = await ctx.session.call(probe.tool, { [probe.argument]: candidate.id });
          if (outcome.ok) {
            const owner = probe.owner(outcome.structured);
            if (owner !== undefined && bound.has(owner)) continue;
            if (owner !== undefined) {
              problems.push(
                `${probe.kind} ${candidate.id} of client ${owner} was returned to a session bound to ${[...bound].join(', ')}`,
              );
              continue;
            }
          }
          const answer = observable(outcome, candidate.id);
          const same = sameAnswer(answer, missingAnswer);
          compared.push({
            kind: probe.kind,
            id: candidate.id,
            where: candidate.where,
            answer: describeOutcome(outcome),
            same_as_missing: same,
          });
          if (!same) {
            problems.push(
              `${probe.kind} ${candidate.id} (${candidate.where}): "${describeOutcome(outcome)}" differs from a missing id's "${describeOutcome(missing)}"`,
            );
          } else {
            ctx.foreign[probe.kind] ??= candidate.id;
          }
        }
      }
      const listProbe = foreignCandidates([...bound])[0];
      if (listProbe && ctx.session.has('list_client_invoices')) {
        const foreignList = await ctx.session.call('list_client_invoices', { client_id: listProbe.id });
        const missingList = await ctx.session.call('list_client_invoices', { client_id: MISSING_ID });
        const same = sameAnswer(observable(foreignList, listProbe.id), observable(missingList, MISSING_ID));
        compared.push({
          kind: 'client list',
          id: listProbe.id,
          where: listProbe.where,
          answer: describeOutcome(foreignList),
          same_as_missing: same,
        });
        if (!same)
          problems.push(`list_client_invoices of client ${listProbe.id} differs from a missing client's`);
      }
      const details = { compared };
      if (compared.length === 0 && problems.length === 0)
        return skip('no id outside the bound client could be derived', details);
      const kinds = [...new Set(compared.map((entry) => entry.kind))];
      return verdict(
        problems,
        `${compared.length} foreign candidates (${kinds.join(', ')}) answered exactly like missing ids`,
        details,
      );
    },
  }),
  defineCheck({
    id: 'access.foreign-resources',
    layer: 'access',
    kind: 'isolation',
    expect:
      "in client scope, resource templates read with another client's id fail exactly like a missing id",
    async run(ctx) {
      if (ctx.facts.scope.kind !== 'client') return skip('admin scope: every client is visible');
      const capabilities = ctx.session.client.getServerCapabilities() ?? {};
      if (!capabilities.resources) return skip('the server offers no resources');
      const foreign = ctx.foreign ?? {};
      if (Object.keys(foreign).length === 0)
        return skip('access.foreign-like-missing found no foreign candidate (run the access layer)');
      const { resourceTemplates } = await ctx.session.client.listResourceTemplates();
      const problems = [];
      const compared = [];
      for (const template of resourceTemplates) {
        const kind = templateKind(template.uriTemplate);
        const id = kind === null ? undefined : foreign[kind];
        if (id === undefined) continue;
        const foreignUri = template.uriTemplate.replace('{id}', String(id));
        const missingUri = template.uriTemplate.replace('{id}', String(MISSING_ID));
        const foreignRead = await ctx.session.readResource(foreignUri);
        const missingRead = await ctx.session.readResource(missingUri);
        if (foreignRead.ok) {
          problems.push(`${foreignUri} was read in a session bound to other clients`);
          continue;
        }
        const normalize = (read, asked) =>
          JSON.stringify(read.error ?? {}).replace(new RegExp(`\\b${asked}\\b`, 'g'), '<id>');
        const same = !missingRead.ok && normalize(foreignRead, id) === normalize(missingRead, MISSING_ID);
        compared.push({ uri: foreignUri, same_as_missing: same });
        if (!same) problems.push(`${foreignUri}: "${foreignRead.error.message}" differs from ${missingUri}`);
      }
      if (compared.length === 0 && problems.length === 0)
        return skip('no resource template takes a foreign id kind');
      return verdict(
        problems,
        `${compared.length} resource reads of foreign ids answered like missing ones`,
        { compared },
      );
    },
  }),
  defineCheck({
    id: 'access.blocked-actions',
    layer: 'access',
    kind: 'isolation',
    expect:
      'credential-returning WHMCS actions (DecryptPassword, GetClientPassword) are refused through whmcs_call',
    async run(ctx) {
      const problems = [];
      const answers = [];
      for (const action of ['DecryptPassword', 'GetClientPassword']) {
        const outcome = await ctx.session.call('whmcs_call', { action, params: {} });
        answers.push(
          `${action}: ${outcome.error?.code ?? (outcome.protocolError ? 'protocol error' : 'answered')}`,
        );
        if (!outcome.isError && !outcome.protocolError) problems.push(`whmcs_call ${action} answered`);
        else if (outcome.structured !== null)
          problems.push(`whmcs_call ${action} was refused but returned data`);
      }
      if (problems.length > 0) return fail(problems.join('; '));
      return pass(answers.join(', '));
    },
  }),
];
