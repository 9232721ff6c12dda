// Contract: what the server publishes is what it does. Every tool is declared completely, every
// listed read tool answers once with structuredContent valid against its outputSchema (ajv),
// errors have the documented shape, and resources and prompts answer.
import { argumentsFor, promptArgumentsFor } from '../arguments.mjs';
import { defineCheck, describeOutcome, skip, verdict } from '../checks.mjs';
import { toolKind } from '../session.mjs';

/** The stable error codes the server documents. */
export const ERROR_CODES = [
  'auth_failed',
  'ip_not_allowed',
  'not_found',
  'invalid_input',
  'forbidden',
  'upstream_error',
  'upstream_unavailable',
  'timeout',
  'rate_limited',
  'not_permitted_in_mode',
  'approval_required',
  'conflict',
];

/** An id no WHMCS installation reaches, yet inside the 32-bit range every id argument accepts. */
export const MISSING_ID = 2_147_483_000;

/** Resource template path segments and the discovered id that fills them. */
const TEMPLATE_IDS = {
  clients: 'client',
  invoices: 'invoice',
  tickets: 'ticket',
  services: 'service',
  domains: 'domain',
};

export function templateKind(uriTemplate) {
  const match = /\/([a-z_]+)\/\{id\}/.exec(uriTemplate);
  return match ? (TEMPLATE_IDS[match[1]] ?? null) : null;
}

/** Problems with an isError result's body: shape, documented code, a message a person can read. */
export function errorShapeProblems(outcome) {
  if (outcome.protocolError) return [`${outcome.name}: a JSON-RPC error instead of an isError result`];
  if (!outcome.isError) return [`${outcome.name}: answered instead of failing`];
  const problems = [];
  if (!outcome.error || outcome.error.code === null)
    problems.push(`${outcome.name}: the error has no {"error":{"code"}} body`);
  else if (!ERROR_CODES.includes(outcome.error.code))
    problems.push(`${outcome.name}: undocumented code ${outcome.error.code}`);
  if (!outcome.error?.message || outcome.error.message.trim().length < 5)
    problems.push(`${outcome.name}: no readable message`);
  return problems;
}

export const contractChecks = [
  defineCheck({
    id: 'contract.tool-declarations',
    layer: 'contract',
    kind: 'contract',
    expect:
      'every tool has a title, a description, object input and output schemas, and annotations that match its kind',
    async run(ctx) {
      const problems = [];
      for (const tool of ctx.session.tools) {
        const title = tool.title ?? tool.annotations?.title;
        if (!title) problems.push(`${tool.name}: no title`);
        if (!tool.description || tool.description.length < 10) problems.push(`${tool.name}: no description`);
        if (tool.inputSchema?.type !== 'object')
          problems.push(`${tool.name}: inputSchema is not an object schema`);
        if (tool.outputSchema?.type !== 'object') problems.push(`${tool.name}: no object outputSchema`);
        else {
          try {
            ctx.session.validator.getValidator(tool.outputSchema);
          } catch (error) {
            problems.push(`${tool.name}: ajv cannot compile the outputSchema (${error.message})`);
          }
        }
        const readOnly = tool.annotations?.readOnlyHint;
        if (toolKind(tool) === 'read' && (readOnly !== true || tool.annotations?.destructiveHint === true)) {
          problems.push(`${tool.name}: a read tool not annotated readOnlyHint true, destructiveHint false`);
        }
        if (toolKind(tool) === 'write' && tool._meta?.['whmcs-mcp/kind'] === 'write' && readOnly === true) {
          problems.push(`${tool.name}: a write tool annotated readOnlyHint true`);
        }
      }
      return verdict(problems, `${ctx.session.tools.length} tools fully declared`);
    },
  }),
  defineCheck({
    id: 'contract.read-tools',
    layer: 'contract',
    kind: 'contract',
    expect:
      'every listed read tool answers once, with discovered or minimal valid arguments, and its structuredContent validates against its outputSchema',
    async run(ctx) {
      const results = [];
      const problems = [];
      const skipped = [];
      for (const tool of ctx.readTools) {
        const built = argumentsFor(tool, ctx.ids);
        if (built.missing) {
          skipped.push(`${tool.name} (no ${built.missing} discovered)`);
          results.push({ tool: tool.name, status: 'skip', reason: `no ${built.missing} discovered` });
          continue;
        }
        const outcome = await ctx.session.call(tool.name, built.args);
        results.push({
          tool: tool.name,
          args: built.args,
          status: outcome.ok ? 'pass' : 'fail',
          ms: outcome.ms,
          outcome: describeOutcome(outcome),
        });
        if (!outcome.ok)
          problems.push(`${tool.name}(${JSON.stringify(built.args)}): ${describeOutcome(outcome)}`);
      }
      const called = results.filter((entry) => entry.status !== 'skip').length;
      const details = { tools: results };
      if (called === 0) return skip('no read tool could be called', details);
      const note = skipped.length > 0 ? `; not called: ${skipped.join(', ')}` : '';
      return verdict(problems, `${called} read tools answered with valid structuredContent${note}`, details);
    },
  }),
  defineCheck({
    id: 'contract.error-shape',
    layer: 'contract',
    kind: 'contract',
    expect:
      'an unknown tool and a missing entity give isError results with {"error":{"code","message"}} and the documented codes',
    async run(ctx) {
      const problems = [];
      const unknown = await ctx.session.call('harness_no_such_tool', {});
      problems.push(...errorShapeProblems(unknown));
      const missingProbe = ctx.session.has('get_invoice')
        ? { name: 'get_invoice', args: { invoice_id: MISSING_ID } }
        : ctx.session.has('get_ticket_thread')
          ? { name: 'get_ticket_thread', args: { ticket_id: MISSING_ID } }
          : null;
      if (missingProbe) {
        const missing = await ctx.session.call(missingProbe.name, missingProbe.args);
        problems.push(...errorShapeProblems(missing));
        if (missing.isError && missing.error?.code !== 'not_found') {
          problems.push(`${missingProbe.name} of a missing id: ${missing.error?.code}, not not_found`);
        }
      }
      return verdict(problems, `unknown tool: ${unknown.error?.code}; missing entity: not_found`);
    },
  }),
  defineCheck({
    id: 'contract.resources',
    layer: 'contract',
    kind: 'contract',
    expect:
      'every listed resource reads, and every resource template reads for a discovered id; JSON resources parse',
    async run(ctx) {
      const capabilities = ctx.session.client.getServerCapabilities() ?? {};
      if (!capabilities.resources) return skip('the server offers no resources');
      const problems = [];
      const read = [];
      const { resources } = await ctx.session.client.listResources();
      const { resourceTemplates } = await ctx.session.client.listResourceTemplates();
      const targets = resources.map((resource) => ({ uri: resource.uri, mimeType: resource.mimeType }));
      for (const template of resourceTemplates) {
        const kind = templateKind(template.uriTemplate);
        const id = kind === null ? undefined : ctx.ids[kind];
        if (id === undefined) continue;
        targets.push({ uri: template.uriTemplate.replace('{id}', String(id)), mimeType: template.mimeType });
      }
      for (const target of targets) {
        const answer = await ctx.session.readResource(target.uri);
        if (!answer.ok) {
          problems.push(`${target.uri}: ${answer.error.message}`);
          continue;
        }
        if (answer.text.trim() === '') problems.push(`${target.uri}: empty`);
        if (target.mimeType === 'application/json' && answer.parsed === null)
          problems.push(`${target.uri}: not JSON`);
        read.push(target.uri);
      }
      return verdict(problems, `${read.length} resources read`, { read });
    },
  }),
  defineCheck({
    id: 'contract.prompts',
    layer: 'contract',
    kind: 'contract',
    expect: 'every listed prompt renders with discovered arguments',
    async run(ctx) {
      const capabilities = ctx.session.client.getServerCapabilities() ?? {};
      if (!capabilities.prompts) return skip('the server offers no prompts');
      const { prompts } = await ctx.session.client.listPrompts();
      const problems = [];
      const rendered = [];
      for (const prompt of prompts) {
        const built = promptArgumentsFor(prompt, ctx.ids);
        if (built.missing) continue;
        const answer = await ctx.session.getPrompt(prompt.name, built.args);
        if (!answer.ok) problems.push(`${prompt.name}: ${answer.error.message}`);
        else if (answer.messages.length === 0) problems.push(`${prompt.name}: no messages`);
        else rendered.push(prompt.name);
      }
      if (rendered.length === 0 && problems.length === 0)
        return skip('no prompt could be rendered with the discovered ids');
      return verdict(problems, `${rendered.length} prompts rendered`, { rendered });
    },
  }),
];
