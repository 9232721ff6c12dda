// Validation: arguments outside the published schema are refused with invalid_input as an isError
// result, before anything reaches WHMCS, and the refusal does not echo what it refused. Read tools
// only: a refused write attempt would be audited on the server under test.
import { argumentsFor } from '../arguments.mjs';
import { defineCheck, describeOutcome, skip, verdict } from '../checks.mjs';

const HUGE = 100_000;

/** The first read tool (preferred names first) for which `accepts` holds and arguments can be built. */
function pickTool(ctx, preferred, accepts) {
  const ordered = [
    ...preferred.map((name) => ctx.session.toolByName.get(name)).filter(Boolean),
    ...ctx.readTools,
  ];
  for (const tool of ordered) {
    if (!ctx.readTools.includes(tool) || !accepts(tool)) continue;
    const built = argumentsFor(tool, ctx.ids);
    if (!built.missing) return { tool, args: built.args };
  }
  return null;
}

/** Calls each bad variant and expects invalid_input with a short message that echoes nothing long. */
async function expectRefusals(ctx, tool, variants) {
  const problems = [];
  for (const variant of variants) {
    const outcome = await ctx.session.call(tool.name, variant.args);
    const label = `${tool.name} ${variant.label}`;
    if (outcome.protocolError)
      problems.push(
        `${label}: a JSON-RPC error (${outcome.protocolError.code}) instead of an isError result`,
      );
    else if (!outcome.isError) problems.push(`${label}: accepted`);
    else if (outcome.error?.code !== 'invalid_input')
      problems.push(`${label}: ${describeOutcome(outcome)}, not invalid_input`);
    else if (outcome.text.length > 4000 || outcome.text.includes('x'.repeat(200))) {
      problems.push(`${label}: the refusal echoes the input (${outcome.text.length} characters)`);
    }
  }
  return problems;
}

export const validationChecks = [
  defineCheck({
    id: 'validation.paging',
    layer: 'validation',
    kind: 'validation',
    expect:
      'limit 0, above the maximum, negative, fractional or a string, and a negative offset, give invalid_input',
    async run(ctx) {
      const picked = pickTool(
        ctx,
        ['list_client_invoices', 'get_currencies'],
        (tool) => tool.inputSchema?.properties?.limit,
      );
      if (!picked) return skip('no listed read tool takes limit');
      const maximum = picked.tool.inputSchema.properties.limit.maximum ?? 100;
      const variants = [
        { label: 'limit 0', args: { ...picked.args, limit: 0 } },
        { label: `limit ${maximum + 1}`, args: { ...picked.args, limit: maximum + 1 } },
        { label: 'limit -1', args: { ...picked.args, limit: -1 } },
        { label: 'limit 1.5', args: { ...picked.args, limit: 1.5 } },
        { label: 'limit "10"', args: { ...picked.args, limit: '10' } },
      ];
      if (picked.tool.inputSchema.properties.offset)
        variants.push({ label: 'offset -1', args: { ...picked.args, offset: -1 } });
      const problems = await expectRefusals(ctx, picked.tool, variants);
      return verdict(
        problems,
        `${picked.tool.name}: ${variants.length} bad paging arguments refused with invalid_input`,
      );
    },
  }),
  defineCheck({
    id: 'validation.ids',
    layer: 'validation',
    kind: 'validation',
    expect:
      'ids that are zero, negative, beyond 32 bits, fractional, strings, null or arrays give invalid_input',
    async run(ctx) {
      const picked = pickTool(ctx, ['get_service_details', 'get_ticket_thread', 'get_account_360'], (tool) =>
        (tool.inputSchema?.required ?? []).some(
          (name) => name.endsWith('_id') && tool.inputSchema.properties?.[name]?.type === 'integer',
        ),
      );
      if (!picked) return skip('no listed read tool takes a required id');
      const field = picked.tool.inputSchema.required.find((name) => name.endsWith('_id'));
      const maximum = picked.tool.inputSchema.properties[field].maximum ?? 2_147_483_647;
      const values = [0, -1, maximum + 1, 1.5, '1', null, [1]];
      const variants = values.map((value) => ({
        label: `${field} ${JSON.stringify(value)}`,
        args: { ...picked.args, [field]: value },
      }));
      const problems = await expectRefusals(ctx, picked.tool, variants);
      return verdict(
        problems,
        `${picked.tool.name}: ${variants.length} bad ${field} values refused with invalid_input`,
      );
    },
  }),
  defineCheck({
    id: 'validation.strings',
    layer: 'validation',
    kind: 'validation',
    expect:
      'a string one character over its bound, and one of 100,000 characters, give invalid_input without being echoed',
    async run(ctx) {
      const bounded = (tool) =>
        Object.values(tool.inputSchema?.properties ?? {}).some(
          (property) => property.type === 'string' && typeof property.maxLength === 'number',
        );
      const picked = pickTool(ctx, ['search_clients', 'list_client_tickets', 'whmcs_list_actions'], bounded);
      if (!picked) return skip('no listed read tool takes a bounded string');
      const [field, property] = Object.entries(picked.tool.inputSchema.properties).find(
        ([, candidate]) => candidate.type === 'string' && typeof candidate.maxLength === 'number',
      );
      const variants = [
        {
          label: `${field} of ${property.maxLength + 1} characters`,
          args: { ...picked.args, [field]: 'x'.repeat(property.maxLength + 1) },
        },
        { label: `${field} of ${HUGE} characters`, args: { ...picked.args, [field]: 'x'.repeat(HUGE) } },
      ];
      const problems = await expectRefusals(ctx, picked.tool, variants);
      return verdict(
        problems,
        `${picked.tool.name}: over-long ${field} refused with invalid_input, not echoed`,
      );
    },
  }),
  defineCheck({
    id: 'validation.shape',
    layer: 'validation',
    kind: 'validation',
    expect: 'an unknown argument and a missing required argument give invalid_input',
    async run(ctx) {
      const picked = pickTool(
        ctx,
        ['get_service_details', 'get_ticket_thread', 'get_account_360'],
        (tool) => (tool.inputSchema?.required ?? []).length > 0,
      );
      if (!picked) return skip('no listed read tool has a required argument');
      const required = picked.tool.inputSchema.required[0];
      const { [required]: _dropped, ...withoutRequired } = picked.args;
      const variants = [
        { label: 'with an unknown argument', args: { ...picked.args, harness_unexpected: 1 } },
        { label: `without ${required}`, args: withoutRequired },
      ];
      const problems = await expectRefusals(ctx, picked.tool, variants);
      return verdict(
        problems,
        `${picked.tool.name}: unknown and missing arguments refused with invalid_input`,
      );
    },
  }),
];
