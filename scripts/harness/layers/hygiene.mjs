// Error hygiene: provoke the errors a careless server would leak through, then scan everything
// the run received (results, errors, resources, prompts, instructions) for stack traces, secrets,
// password-like fields, card numbers and raw upstream bodies. Runs last so it sees every layer.
import { defineCheck, fail, pass, skip, verdict } from '../checks.mjs';
import {
  findCardNumber,
  findSecret,
  findSecretFields,
  findStackTrace,
  findUpstreamBody,
  stringValues,
} from '../scan.mjs';
import { MISSING_ID, errorShapeProblems } from './contract.mjs';

const MISSING_PROBES = [
  { tool: 'get_invoice', args: { invoice_id: MISSING_ID } },
  { tool: 'get_service_details', args: { service_id: MISSING_ID } },
  { tool: 'get_domain_details', args: { domain_id: MISSING_ID } },
  { tool: 'get_ticket_thread', args: { ticket_id: MISSING_ID } },
  { tool: 'get_client_details', args: { client_id: MISSING_ID } },
];

function searchableText(output) {
  const structured =
    output.structured === null || output.structured === undefined ? '' : JSON.stringify(output.structured);
  return `${output.text ?? ''}\n${structured}`;
}

/** Runs `find` over every recorded output and lists where it matched. */
function scanOutputs(ctx, find) {
  const findings = [];
  for (const output of ctx.outputs) {
    const found = find(output);
    if (found)
      findings.push({
        source: output.source,
        session: output.session,
        what: found.name,
        excerpt: found.excerpt,
      });
  }
  return findings;
}

function findingsVerdict(ctx, findings, okMessage) {
  const problems = findings.map(
    (finding) => `${finding.source}: ${finding.what}${finding.excerpt ? ` ("${finding.excerpt}")` : ''}`,
  );
  return verdict(problems, `${ctx.outputs.length} outputs scanned: ${okMessage}`, {
    findings: findings.slice(0, 50),
  });
}

export const hygieneChecks = [
  defineCheck({
    id: 'hygiene.provoked-errors',
    layer: 'hygiene',
    kind: 'hygiene',
    expect:
      'provoked failures (unknown tool, missing ids, unknown and failing WHMCS actions, bad resources and prompts) are clean, documented errors',
    async run(ctx) {
      const problems = [];
      let provoked = 0;
      const unknown = await ctx.session.call('harness_no_such_tool', { probe: true });
      problems.push(...errorShapeProblems(unknown));
      provoked += 1;
      for (const probe of MISSING_PROBES) {
        if (!ctx.session.has(probe.tool)) continue;
        const outcome = await ctx.session.call(probe.tool, probe.args);
        problems.push(...errorShapeProblems(outcome));
        provoked += 1;
      }
      if (ctx.session.has('whmcs_call')) {
        for (const args of [
          { action: 'HarnessNoSuchAction', params: {} },
          { action: 'GetInvoice', params: { invoiceid: MISSING_ID } },
        ]) {
          const outcome = await ctx.session.call('whmcs_call', args);
          // WHMCS answers GetInvoice for a missing id with an error; the server must pass it on cleanly.
          if (outcome.isError || outcome.protocolError) problems.push(...errorShapeProblems(outcome));
          provoked += 1;
        }
      }
      const capabilities = ctx.session.client.getServerCapabilities() ?? {};
      if (capabilities.resources) {
        const read = await ctx.session.readResource('whmcs://harness/no-such-resource');
        if (read.ok) problems.push('whmcs://harness/no-such-resource was read');
        provoked += 1;
      }
      if (capabilities.prompts) {
        const { prompts } = await ctx.session.client.listPrompts();
        const withRequired = prompts.find((prompt) =>
          (prompt.arguments ?? []).some((argument) => argument.required),
        );
        if (withRequired) {
          const answer = await ctx.session.getPrompt(withRequired.name, {});
          if (answer.ok) problems.push(`prompt ${withRequired.name} rendered without its required arguments`);
          provoked += 1;
        }
        const unknownPrompt = await ctx.session.getPrompt('harness_no_such_prompt', {});
        if (unknownPrompt.ok) problems.push('an unknown prompt rendered');
        provoked += 1;
      }
      return verdict(problems, `${provoked} provoked failures answered as documented errors`);
    },
  }),
  defineCheck({
    id: 'hygiene.no-stack-traces',
    layer: 'hygiene',
    kind: 'hygiene',
    expect: 'no output carries a stack frame or a source position (customer-written text aside)',
    async run(ctx) {
      const findings = scanOutputs(ctx, (output) =>
        findStackTrace(searchableText(output), output.untrusted ?? []),
      );
      return findingsVerdict(ctx, findings, 'no stack frames or source positions');
    },
  }),
  defineCheck({
    id: 'hygiene.no-secrets',
    layer: 'hygiene',
    kind: 'hygiene',
    expect:
      'no output carries a configured secret, a bearer or consumer token, a password-like field or a card number',
    async run(ctx) {
      const findings = scanOutputs(ctx, (output) => {
        const secret = findSecret(searchableText(output), ctx.secrets);
        if (secret) return secret;
        const fields = findSecretFields(output.structured);
        if (fields.length > 0) return { name: 'password-like field', excerpt: fields.slice(0, 3).join(', ') };
        const strings = [...stringValues(output.structured), ...(output.isError ? [output.text ?? ''] : [])];
        for (const value of strings) {
          const card = findCardNumber(value);
          if (card) return card;
        }
        return null;
      });
      const known = ctx.secrets.map((secret) => secret.name);
      return findingsVerdict(
        ctx,
        findings,
        `no secrets (known: ${known.length > 0 ? known.join(', ') : 'none'}), tokens, password fields or card numbers`,
      );
    },
  }),
  defineCheck({
    id: 'hygiene.no-upstream-bodies',
    layer: 'hygiene',
    kind: 'hygiene',
    expect: 'no output carries an HTML page, a raw WHMCS XML or error reply, or a PHP or SQL error',
    async run(ctx) {
      const findings = scanOutputs(ctx, (output) => {
        const body = findUpstreamBody(searchableText(output), output.untrusted ?? []);
        if (body) return body;
        if (output.isError && /"result"\s*:\s*"error"/.test(output.text ?? '')) {
          return { name: 'raw WHMCS error reply', excerpt: (output.text ?? '').slice(0, 80) };
        }
        return null;
      });
      return findingsVerdict(ctx, findings, 'no raw upstream bodies');
    },
  }),
  defineCheck({
    id: 'hygiene.server-log',
    layer: 'hygiene',
    kind: 'hygiene',
    expect: "the stdio server's own log (stderr) never carries a configured secret or a token",
    async run(ctx) {
      if (ctx.target.transport !== 'stdio') return skip('HTTP: the server log is not visible to the harness');
      if (!ctx.session) return skip('not connected');
      const found = findSecret(ctx.session.stderr, ctx.secrets);
      if (found) return fail(`the server log carries a ${found.name}`);
      return pass(`${ctx.session.stderr.split('\n').length} log lines carry no known secret or token`);
    },
  }),
];
