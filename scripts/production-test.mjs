#!/usr/bin/env node
// The production test harness (`npm run harness`): the release engineer's check of a whmcs-mcp
// server before every upgrade of WHMCS or of the server. It connects the way a host does (stdio
// command or Streamable HTTP with a bearer token), discovers real ids, and runs layered checks:
// connectivity, auth, contract, reads, filters, pagination, access, validation, the governed
// write-flow (simulate or sandbox only), optional real writes (--allow-writes, never production)
// and error hygiene. A table goes to stderr, a JSON report to --report; exit 0 only when every
// selected check passes. docs/harness.md says how to run it against staging and production.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCheck } from './harness/checks.mjs';
import { accessChecks } from './harness/layers/access.mjs';
import { authChecks, connectivityChecks } from './harness/layers/connectivity.mjs';
import { contractChecks } from './harness/layers/contract.mjs';
import { discoveryChecks } from './harness/layers/discovery.mjs';
import { filterChecks } from './harness/layers/filters.mjs';
import { hygieneChecks } from './harness/layers/hygiene.mjs';
import { paginationChecks } from './harness/layers/pagination.mjs';
import { readsChecks } from './harness/layers/reads.mjs';
import { validationChecks } from './harness/layers/validation.mjs';
import { liveWriteChecks, writeChecks } from './harness/layers/writes.mjs';
import {
  EXIT_FAIL,
  EXIT_PASS,
  EXIT_USAGE,
  LAYERS,
  USAGE,
  UsageError,
  parseOptions,
} from './harness/options.mjs';
import { createTable, formatCheckList, summarize, writeReport } from './harness/report.mjs';
import { Session, toolKind, toolClientMode } from './harness/session.mjs';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const CLI = join(ROOT, 'dist', 'cli.js');

const ALL_CHECKS = [
  ...connectivityChecks,
  ...authChecks,
  ...discoveryChecks,
  ...contractChecks,
  ...readsChecks,
  ...filterChecks,
  ...paginationChecks,
  ...accessChecks,
  ...validationChecks,
  ...writeChecks,
  ...liveWriteChecks,
  ...hygieneChecks,
].sort((a, b) => LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer));

/** Layers that need nothing discovered. */
const WITHOUT_DISCOVERY = new Set(['connectivity', 'auth']);

/** The selected checks, plus the connection and discovery checks they rely on. */
function selectChecks(only) {
  if (only === null) return ALL_CHECKS;
  const layers = new Set(only);
  if ([...layers].some((layer) => !WITHOUT_DISCOVERY.has(layer))) layers.add('discovery');
  return ALL_CHECKS.filter((check) => check.id === 'connectivity.initialize' || layers.has(check.layer));
}

/** KEY=VALUE lines of the .env files the server itself reads (.env, then .env.<MCP_ENV>). */
function envFileValues(cwd, profile) {
  const values = {};
  for (const name of ['.env', profile ? `.env.${profile}` : null]) {
    if (name === null) continue;
    const path = join(cwd, name);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const match = /^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (!match) continue;
      values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return values;
}

/** Values that must never appear in an output: by name, so a finding never echoes the value. */
function knownSecrets(env, fileValues, options, sandbox) {
  const secrets = [];
  const add = (name, value) => {
    if (typeof value === 'string' && value.length >= 8 && !secrets.some((secret) => secret.value === value)) {
      secrets.push({ name, value });
    }
  };
  for (const name of [
    'WHMCS_SECRET',
    'WHMCS_IDENTIFIER',
    'WHMCS_ACCESS_KEY',
    'MCP_AUTH_TOKEN',
    'MCP_METRICS_TOKEN',
    'MCP_OAUTH_CLIENT_SECRET',
  ]) {
    add(name, env[name] || fileValues[name]);
  }
  add('the bearer token (--token)', options.token);
  add('the approver token (--approver-token)', options.approverToken);
  if (sandbox) {
    add('the sandbox API secret', 'sandbox-secret');
    add('the sandbox admin password', 'sandbox-admin');
  }
  return secrets;
}

function redactSecrets(text, secrets) {
  let result = text;
  for (const secret of secrets) result = result.split(secret.value).join(`[${secret.name}]`);
  return result;
}

/**
 * What the server says about itself. The instructions name the environment, the mode and the
 * scope; the tool list wins for scope, because an HTTP consumer bound to clients gets the
 * server-wide instructions but only the client-scoped tools.
 */
function readFacts(instructions, tools, clientIdOption) {
  const environment = /\(environment: ([a-z_-]+)\)/i.exec(instructions)?.[1]?.toLowerCase() ?? null;
  const mode = /\bruns in read_only mode\b/.test(instructions)
    ? 'read_only'
    : (/\bMode is (read_only|simulate|full)\b/.exec(instructions)?.[1] ?? null);
  const bound = /bound to client\(s\) ([\d,\s]+)/.exec(instructions);
  const declaredAdmin = /Scope: staff \(admin\)/.test(instructions);
  const modes = tools.map(toolClientMode).filter((value) => value !== null);
  const staffOnlyListed = modes.includes('admin_only');
  let scope;
  if (bound) {
    const clientIds = bound[1]
      .split(',')
      .map((id) => Number(id.trim()))
      .filter(Number.isInteger);
    scope = { kind: 'client', clientIds, source: 'instructions' };
  } else if (modes.length > 0 && !staffOnlyListed) {
    scope = {
      kind: 'client',
      clientIds: clientIdOption === undefined ? [] : [clientIdOption],
      source: declaredAdmin ? 'tools' : 'inferred',
    };
  } else {
    scope = { kind: 'admin', clientIds: [], source: declaredAdmin ? 'instructions' : 'inferred' };
  }
  return { environment, mode, scope };
}

function stdioTarget(options, workdir) {
  const env = { ...process.env };
  if (options.sandbox && !env.MCP_STATE_DB) {
    // Sandbox intents stay out of the operator's own state file.
    env.MCP_STATE_DB = join(workdir(), 'state.sqlite');
  }
  const [command, ...args] = options.command ?? [
    process.execPath,
    CLI,
    'serve',
    ...(options.sandbox ? ['--sandbox'] : []),
  ];
  return { kind: 'stdio', command, args, env, cwd: process.cwd() };
}

/** The operator CLI of this project, run against the server's state store: the stdio approval channel. */
function operatorChannel(env, cwd, timeoutMs) {
  return {
    run(args) {
      const run = spawnSync(process.execPath, [CLI, ...args], {
        env,
        cwd,
        encoding: 'utf8',
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      });
      return {
        code: run.status ?? 1,
        stdout: run.stdout ?? '',
        stderr: run.stderr ?? run.error?.message ?? '',
      };
    },
  };
}

function packageVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`production-test: ${error.message}\n(--help lists the options)\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_PASS;
  }
  const checks = selectChecks(options.only);
  if (options.list) {
    process.stdout.write(`${formatCheckList(checks)}\n`);
    return EXIT_PASS;
  }
  if (options.url === undefined && options.command === undefined && !existsSync(CLI)) {
    process.stderr.write(
      'production-test: dist/cli.js is missing; build first (npm run build) or use npm run harness\n',
    );
    return EXIT_USAGE;
  }

  let tempDir = null;
  const workdir = () => (tempDir ??= mkdtempSync(join(tmpdir(), 'whmcs-mcp-harness-')));
  const startedAt = new Date();
  const target =
    options.url === undefined
      ? stdioTarget(options, workdir)
      : { kind: 'http', url: options.url, token: options.token };
  const serverEnv = target.kind === 'stdio' ? target.env : process.env;
  const fileValues = envFileValues(process.cwd(), serverEnv.MCP_ENV);
  const secrets = knownSecrets(serverEnv, fileValues, options, options.sandbox);
  const outputs = [];
  const authToken =
    target.kind === 'stdio' ? serverEnv.MCP_AUTH_TOKEN || fileValues.MCP_AUTH_TOKEN || undefined : undefined;
  const session = new Session(target, { timeoutMs: options.timeoutMs, label: 'agent', authToken, outputs });

  const ctx = {
    options,
    runId: randomBytes(4).toString('hex'),
    target: { transport: target.kind },
    sandbox: options.sandbox,
    secrets,
    outputs,
    ids: {},
    entities: {},
    facts: { environment: null, mode: null, scope: { kind: 'admin', clientIds: [], source: 'inferred' } },
    readTools: [],
    session: null,
    approver: null,
    operator: null,
    connectMs: 0,
  };

  const connectStarted = performance.now();
  try {
    await session.connect();
    await session.listTools();
    ctx.session = session;
  } catch (error) {
    ctx.connectError = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
    ctx.connectLogTail = redactSecrets(session.stderr, secrets).trim().split('\n').slice(-5);
  }
  ctx.connectMs = Math.round(performance.now() - connectStarted);

  const cleanups = [() => session.close()];
  try {
    if (ctx.session) {
      ctx.facts = readFacts(session.instructions(), session.tools, options.clientId);
      ctx.readTools = session.tools.filter((tool) => toolKind(tool) === 'read');
      ctx.sandbox = options.sandbox || /SANDBOX MODE/.test(session.stderr);
      if (options.allowWrites && (ctx.facts.environment === null || ctx.facts.environment === 'production')) {
        const why =
          ctx.facts.environment === null
            ? 'the server does not state its environment, so it is treated as production'
            : 'the server says MCP_ENV=production';
        process.stderr.write(`production-test: --allow-writes refused: ${why}. Nothing was run.\n`);
        writeReport(resolve(options.report), {
          harness: 'whmcs-mcp production test harness',
          harness_version: packageVersion(),
          started_at: startedAt.toISOString(),
          refused: `--allow-writes refused: ${why}`,
          ok: false,
          checks: [],
        });
        return EXIT_USAGE;
      }
      if (target.kind === 'stdio') ctx.operator = operatorChannel(target.env, target.cwd, options.timeoutMs);
      else if (process.env.MCP_STATE_DB)
        ctx.operator = operatorChannel(process.env, process.cwd(), options.timeoutMs);
      if (target.kind === 'http' && options.approverToken) {
        const approver = new Session(
          { kind: 'http', url: options.url, token: options.approverToken },
          { timeoutMs: options.timeoutMs, label: 'approver', outputs },
        );
        cleanups.push(() => approver.close());
        try {
          await approver.connect();
          await approver.listTools();
          ctx.approver = approver;
        } catch (error) {
          ctx.approverError = error instanceof Error ? error.message : String(error);
        }
      }
    }

    const table = createTable(checks, Math.max(100, process.stderr.columns ?? 160));
    process.stderr.write(`${table.header}\n`);
    const results = [];
    for (const check of checks) {
      const result =
        ctx.session || check.id === 'connectivity.initialize'
          ? await runCheck(check, ctx)
          : {
              id: check.id,
              layer: check.layer,
              kind: check.kind,
              expect: check.expect,
              status: 'skip',
              duration_ms: 0,
              message: 'not connected',
            };
      result.message = redactSecrets(result.message, secrets);
      results.push(result);
      process.stderr.write(`${table.row(result)}\n`);
    }

    const summary = summarize(results, options.strict);
    const finishedAt = new Date();
    const server = ctx.session?.serverVersion() ?? null;
    const report = {
      harness: 'whmcs-mcp production test harness',
      harness_version: packageVersion(),
      run_id: ctx.runId,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
      target: {
        transport: target.kind,
        ...(target.kind === 'stdio' ? { command: [target.command, ...target.args] } : { url: target.url }),
        sandbox: ctx.sandbox,
      },
      server: {
        name: server?.name ?? null,
        version: server?.version ?? null,
        environment: ctx.facts.environment,
        mode: ctx.facts.mode,
        scope: ctx.facts.scope.kind,
        client_ids: ctx.facts.scope.clientIds,
      },
      options: {
        only: options.only,
        allow_writes: options.allowWrites,
        strict: options.strict,
        timeout_ms: options.timeoutMs,
      },
      discovered: ctx.ids,
      summary: {
        total: summary.total,
        passed: summary.passed,
        failed: summary.failed,
        skipped: summary.skipped,
      },
      ok: summary.ok,
      checks: results,
    };
    const reportPath = resolve(options.report);
    writeReport(reportPath, JSON.parse(redactSecrets(JSON.stringify(report), secrets)));
    process.stderr.write(
      `\n${summary.ok ? 'PASS' : 'FAIL'}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${options.strict && summary.skipped > 0 ? ' (--strict: skips fail)' : ''} in ${report.duration_ms} ms; report ${reportPath}\n`,
    );
    return summary.ok ? EXIT_PASS : EXIT_FAIL;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(
    `production-test: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = EXIT_FAIL;
}
