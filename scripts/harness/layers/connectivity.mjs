// Connectivity and authentication: the server starts or answers, says who it is and how it is
// configured, and refuses callers without the right credential.
import { defineCheck, fail, pass, skip } from '../checks.mjs';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'whmcs-mcp-harness-auth-probe', version: '1.0.0' },
  },
};

/** A cheap read tool that needs no WHMCS data: used where only the refusal matters. */
export function probeTool(session) {
  if (session.has('whmcs_list_actions')) return { name: 'whmcs_list_actions', args: { limit: 1 } };
  if (session.has('get_currencies')) return { name: 'get_currencies', args: { limit: 1 } };
  return null;
}

async function postInitialize(url, authorization, timeoutMs) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(INITIALIZE),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body };
}

export const connectivityChecks = [
  defineCheck({
    id: 'connectivity.initialize',
    layer: 'connectivity',
    kind: 'unavailable',
    expect: 'the server starts (stdio) or answers (HTTP) and completes the MCP initialize handshake',
    async run(ctx) {
      if (!ctx.session)
        return fail(`could not connect: ${ctx.connectError}`, { server_log_tail: ctx.connectLogTail });
      const server = ctx.session.serverVersion();
      return pass(
        `${server?.name ?? 'unnamed server'} ${server?.version ?? ''} over ${ctx.target.transport}${ctx.sandbox ? ' (sandbox)' : ''}, connected in ${ctx.connectMs} ms`,
        { server },
      );
    },
  }),
  defineCheck({
    id: 'connectivity.instructions',
    layer: 'connectivity',
    kind: 'contract',
    expect: 'the server instructions state the environment, the mode and the client scope',
    async run(ctx) {
      const { environment, mode, scope } = ctx.facts;
      const problems = [];
      if (environment === null) problems.push('no "(environment: ...)" in the instructions');
      if (mode === null) problems.push('no mode in the instructions');
      if (scope.source === 'inferred') problems.push('no scope line in the instructions');
      const details = { environment, mode, scope: scope.kind, client_ids: scope.clientIds };
      if (problems.length > 0) {
        return fail(
          `${problems.join('; ')}: without them the harness treats the server as production`,
          details,
        );
      }
      const bound =
        scope.kind === 'client' ? ` bound to client(s) ${scope.clientIds.join(', ') || '(not said)'}` : '';
      // A client-bound HTTP consumer reads the server-wide instructions; its tool list tells the truth.
      const narrowed =
        scope.source === 'tools' ? ' (the instructions say staff scope; the tool list is client-scoped)' : '';
      return pass(
        `environment ${environment}, mode ${mode}, ${scope.kind} scope${bound}${narrowed}`,
        details,
      );
    },
  }),
  defineCheck({
    id: 'connectivity.listing',
    layer: 'connectivity',
    kind: 'contract',
    expect: 'tools/list (and resources/list, prompts/list when offered) answer; at least one tool is listed',
    async run(ctx) {
      const tools = ctx.session.tools;
      if (tools.length === 0) return fail('tools/list returned no tools');
      const capabilities = ctx.session.client.getServerCapabilities() ?? {};
      const counts = { tools: tools.length };
      const problems = [];
      if (capabilities.resources) {
        try {
          counts.resources = (await ctx.session.client.listResources()).resources.length;
          counts.resource_templates = (
            await ctx.session.client.listResourceTemplates()
          ).resourceTemplates.length;
        } catch (error) {
          problems.push(`resources/list failed: ${error.message}`);
        }
      }
      if (capabilities.prompts) {
        try {
          counts.prompts = (await ctx.session.client.listPrompts()).prompts.length;
        } catch (error) {
          problems.push(`prompts/list failed: ${error.message}`);
        }
      }
      const kinds = ctx.readTools.length;
      if (problems.length > 0) return fail(problems.join('; '), counts);
      return pass(
        `${tools.length} tools (${kinds} read, ${tools.length - kinds} write), ${counts.resources ?? 0} resources, ${counts.resource_templates ?? 0} templates, ${counts.prompts ?? 0} prompts`,
        counts,
      );
    },
  }),
  defineCheck({
    id: 'connectivity.health',
    layer: 'connectivity',
    kind: 'unavailable',
    expect: 'over HTTP, /healthz and /readyz answer 200 (the state store and WHMCS are reachable)',
    async run(ctx) {
      if (ctx.target.transport !== 'http') return skip('stdio: no health endpoints');
      const base = new URL(ctx.options.url);
      const statuses = {};
      for (const path of ['/healthz', '/readyz']) {
        try {
          const response = await fetch(new URL(path, base), {
            signal: AbortSignal.timeout(ctx.options.timeoutMs),
          });
          statuses[path] = { status: response.status, body: (await response.text()).slice(0, 300) };
        } catch (error) {
          statuses[path] = { status: null, body: error.message };
        }
      }
      const bad = Object.entries(statuses).filter(([, answer]) => answer.status !== 200);
      if (bad.length > 0) {
        return fail(
          bad
            .map(([path, answer]) => `${path} answered ${answer.status ?? 'nothing'}: ${answer.body}`)
            .join('; '),
          statuses,
        );
      }
      return pass('/healthz and /readyz answer 200', statuses);
    },
  }),
];

export const authChecks = [
  defineCheck({
    id: 'auth.missing-credential',
    layer: 'auth',
    kind: 'auth',
    expect: 'a caller without a credential is refused (HTTP 401; stdio with MCP_AUTH_TOKEN: auth_failed)',
    async run(ctx) {
      if (ctx.target.transport === 'http') {
        if (!ctx.options.token)
          return skip('no --token: the server was reached without one, so there is nothing to refuse');
        const answer = await postInitialize(ctx.options.url, undefined, ctx.options.timeoutMs);
        if (answer.status !== 401)
          return fail(`an initialize without Authorization got HTTP ${answer.status}, not 401`);
        if (!answer.challenge?.startsWith('Bearer'))
          return fail('HTTP 401 without a Bearer WWW-Authenticate challenge');
        return pass('HTTP 401 with a Bearer challenge');
      }
      if (!ctx.session.authToken)
        return skip('stdio server without MCP_AUTH_TOKEN: the host process is the boundary');
      const probe = probeTool(ctx.session);
      if (!probe) return skip('no tool to probe with');
      const outcome = await ctx.session.call(probe.name, probe.args, { meta: null });
      if (outcome.error?.code === 'auth_failed') return pass(`${probe.name} without auth_token: auth_failed`);
      return fail(
        `${probe.name} without auth_token was not refused with auth_failed (${outcome.error?.code ?? 'answered'})`,
      );
    },
  }),
  defineCheck({
    id: 'auth.wrong-credential',
    layer: 'auth',
    kind: 'auth',
    expect: 'a caller with a wrong credential is refused the same way',
    async run(ctx) {
      if (ctx.target.transport === 'http') {
        if (!ctx.options.token) return skip('no --token: nothing to compare');
        const answer = await postInitialize(
          ctx.options.url,
          'Bearer wmcp_harness-wrong-token-0000000000000000000000',
          ctx.options.timeoutMs,
        );
        if (answer.status !== 401)
          return fail(`an initialize with a wrong token got HTTP ${answer.status}, not 401`);
        return pass('HTTP 401 for a wrong bearer token');
      }
      if (!ctx.session.authToken) return skip('stdio server without MCP_AUTH_TOKEN');
      const probe = probeTool(ctx.session);
      if (!probe) return skip('no tool to probe with');
      const outcome = await ctx.session.call(probe.name, probe.args, {
        meta: { auth_token: 'harness-wrong-token' },
      });
      if (outcome.error?.code === 'auth_failed')
        return pass(`${probe.name} with a wrong auth_token: auth_failed`);
      return fail(
        `${probe.name} with a wrong auth_token was not refused with auth_failed (${outcome.error?.code ?? 'answered'})`,
      );
    },
  }),
];
