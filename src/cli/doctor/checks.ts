/**
 * The checks behind `whmcs-mcp doctor`: the configuration, one read call to WHMCS (WhmcsDetails)
 * and what the credential's admin may do (GetAdminDetails). Every check runs that still can, so
 * one run shows every problem; each failure says what is wrong and what to check.
 */
import type { Logger } from 'pino';
import { inspectConfig, type LoadConfigOptions } from '../../config/load.js';
import type { ConfigEvaluation, ConfigProblem, WhmcsConfig } from '../../config/schema.js';
import { whmcsClientOptions } from '../../config/whmcs-client-options.js';
import { isWhmcsMcpError, type ErrorCode } from '../../errors.js';
import { TOOLSETS } from '../../policy/principal.js';
import { ALL_TOOLS } from '../../tools/registry.js';
import { closeMatches, getAction, listActions } from '../../whmcs/actions.js';
import { WhmcsClient, resolveEndpoint, type WhmcsReply } from '../../whmcs/client.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** What went wrong, in words a person searches for; stable for `--json` consumers. */
export type ConnectionOutcome =
  | 'connected'
  | 'unreachable'
  | 'timeout'
  | 'wrong_credentials'
  | 'ip_not_allowed'
  | 'html_instead_of_json'
  | 'refused_by_firewall'
  | 'unknown_action'
  | 'action_not_allowed'
  | 'upstream_error';

export interface DoctorCheck {
  id: 'configuration' | 'server_settings' | 'whmcs_connection' | 'api_permissions';
  title: string;
  status: CheckStatus;
  /** One line: the answer. */
  summary: string;
  /** Further lines: each problem, or what to check. */
  details: string[];
  data: Record<string, unknown>;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions extends LoadConfigOptions {
  logger: Logger;
}

/** Turns a refused probe into a distinct answer and the advice that goes with it. */
function explainFailure(
  error: unknown,
  action: string,
  endpoint: URL,
): {
  outcome: ConnectionOutcome;
  summary: string;
  details: string[];
  code: ErrorCode | undefined;
  ip?: string;
} {
  const host = endpoint.host;
  if (!isWhmcsMcpError(error)) {
    return {
      outcome: 'upstream_error',
      summary: `${action} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      details: [],
      code: undefined,
    };
  }
  const code = error.code;
  switch (code) {
    case 'upstream_unavailable':
      return {
        outcome: 'unreachable',
        summary: `WHMCS at ${host} is unreachable.`,
        details: [
          error.message,
          `Check WHMCS_API_URL (host and port), that ${endpoint.hostname} resolves from this machine, that WHMCS is up, and that no firewall or proxy blocks the way.`,
        ],
        code,
      };
    case 'timeout':
      return {
        outcome: 'timeout',
        summary: `WHMCS at ${host} did not answer in time.`,
        details: [
          error.message,
          `Check that this machine can reach ${host} (a firewall that drops packets looks like this), or raise WHMCS_TIMEOUT_MS and WHMCS_CONNECT_TIMEOUT_MS if WHMCS is only slow.`,
        ],
        code,
      };
    case 'auth_failed':
      return {
        outcome: 'wrong_credentials',
        summary: `WHMCS at ${host} rejected the API credentials (Authentication Failed).`,
        details: [
          'Check WHMCS_IDENTIFIER and WHMCS_SECRET: they must be an API credential pair (not an admin login) from Configuration > System Settings > Manage API Credentials, copied without spaces. The secret is shown only once; regenerate it if unsure.',
        ],
        code,
      };
    case 'ip_not_allowed': {
      const ip = typeof error.details?.ip === 'string' ? error.details.ip : undefined;
      const who = ip === undefined ? "this machine's IP address" : `this machine's IP address ${ip}`;
      return {
        outcome: 'ip_not_allowed',
        summary: `WHMCS at ${host} does not accept API calls from ${who}.`,
        details: [
          `Add ${ip ?? 'the address'} to the API IP allowlist (Configuration > System Settings > General Settings > Security > API IP Access Restriction), or set WHMCS_ACCESS_KEY to the $api_access_key value in WHMCS's configuration.php.`,
        ],
        code,
        ...(ip === undefined ? {} : { ip }),
      };
    }
    case 'forbidden':
      if (/HTTP 403/.test(error.message)) {
        return { outcome: 'refused_by_firewall', summary: error.message, details: [], code };
      }
      return {
        outcome: 'action_not_allowed',
        summary: `WHMCS accepted the credentials, but their API role does not allow ${action}.`,
        details: [
          `Grant ${action} to the credential's API role in WHMCS (Manage API Credentials > API Roles).`,
        ],
        code,
      };
    default:
      break;
  }
  const redirected = /redirected/i.test(error.message);
  if (redirected || /HTML/.test(error.message)) {
    return {
      outcome: 'html_instead_of_json',
      summary: `WHMCS at ${host} answered with a web page instead of a JSON API reply.`,
      details: [
        ...(redirected ? [error.message] : []),
        `Usually a maintenance page, a login or firewall page, a PHP error, or WHMCS_API_URL not pointing at the WHMCS installation. Open ${endpoint.origin}${endpoint.pathname} in a browser to see the page, and check the WHMCS error log.`,
      ],
      code,
    };
  }
  if (/does not know the action|command not found/i.test(error.message)) {
    return { outcome: 'unknown_action', summary: error.message, details: [], code };
  }
  return { outcome: 'upstream_error', summary: error.message, details: [], code };
}

function configurationCheck(inspection: ReturnType<typeof inspectConfig>): DoctorCheck {
  const source = `MCP_ENV=${inspection.profile ?? '(invalid)'}; read ${[...inspection.files, 'the process environment'].join(', ')}`;
  const data = {
    profile: inspection.profile,
    files: inspection.files,
    problems: inspection.problems,
    warnings: inspection.warnings,
  };
  const warnings = inspection.warnings.map((warning) => `warning: ${warning}`);
  const config = inspection.config;
  if (config === undefined) {
    const count = inspection.problems.length;
    return {
      id: 'configuration',
      title: 'Configuration',
      status: 'fail',
      summary: `${count} ${count === 1 ? 'problem' : 'problems'} (${source})`,
      details: [...inspection.problems.map(formatProblem), ...warnings],
      data,
    };
  }
  const access =
    config.accessMode === 'client'
      ? `client mode for clients ${config.allowedClientIds.join(', ')}`
      : 'admin mode';
  return {
    id: 'configuration',
    title: 'Configuration',
    status: inspection.warnings.length > 0 ? 'warn' : 'pass',
    summary: `valid: ${config.env}, ${config.mode}, ${access}${config.writesDisabled ? ', writes disabled' : ''} (${source})`,
    details: warnings,
    data: {
      ...data,
      env: config.env,
      mode: config.mode,
      accessMode: config.accessMode,
      writesDisabled: config.writesDisabled,
    },
  };
}

function withSuggestion(name: string, candidates: Iterable<string>): string {
  const [match] = closeMatches(name, candidates, 1);
  return match === undefined ? `'${name}'` : `'${name}' (did you mean ${match}?)`;
}

/**
 * Names in the lists that the server knows only once its tools, toolsets and action table are
 * loaded. An unknown toolset stops the server; the other slips only narrow it, so they warn.
 */
function settingsCheck(values: ConfigEvaluation['values']): DoctorCheck {
  const failures: string[] = [];
  const warnings: string[] = [];
  const toolsets: readonly string[] = TOOLSETS;
  const unknownToolsets = (values.MCP_TOOLSETS ?? []).filter((name) => !toolsets.includes(name));
  if (unknownToolsets.length > 0) {
    failures.push(
      `MCP_TOOLSETS: unknown ${unknownToolsets.map((name) => withSuggestion(name, toolsets)).join(', ')}; the server refuses to start. Known: ${toolsets.join(', ')}`,
    );
  }
  const toolNames = ALL_TOOLS.map((tool) => tool.name);
  for (const variable of ['MCP_TOOL_ALLOWLIST', 'MCP_TOOL_DENYLIST'] as const) {
    const unknown = (values[variable] ?? []).filter((name) => !toolNames.includes(name));
    if (unknown.length > 0) {
      warnings.push(
        `${variable}: no tool is named ${unknown.map((name) => withSuggestion(name, toolNames)).join(', ')}`,
      );
    }
  }
  const actionNames = listActions().map((action) => action.name);
  for (const name of values.MCP_WRITE_ALLOWLIST ?? []) {
    const action = getAction(name);
    if (action === undefined)
      warnings.push(`MCP_WRITE_ALLOWLIST: WHMCS has no action ${withSuggestion(name, actionNames)}`);
    else if (action.kind === 'read')
      warnings.push(`MCP_WRITE_ALLOWLIST: ${action.name} is a read action; the list governs writes only`);
    else if (action.blocked)
      warnings.push(`MCP_WRITE_ALLOWLIST: ${action.name} is blocked by this server and never runs`);
  }
  const status: CheckStatus = failures.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass';
  const summary =
    status === 'pass'
      ? `toolsets, tool lists and write allowlist name known things (${ALL_TOOLS.length} tools available)`
      : `${failures.length + warnings.length} ${failures.length + warnings.length === 1 ? 'entry needs' : 'entries need'} a look`;
  return {
    id: 'server_settings',
    title: 'Server settings',
    status,
    summary,
    details: [...failures, ...warnings.map((warning) => `warning: ${warning}`)],
    data: { failures, warnings },
  };
}

function formatProblem(problem: ConfigProblem): string {
  return `${problem.variable}: ${problem.message}`;
}

function versionOf(reply: WhmcsReply): { version?: string; canonicalVersion?: string } {
  const whmcs = reply.whmcs;
  if (whmcs === null || typeof whmcs !== 'object') return {};
  const { version, canonicalversion } = whmcs as Record<string, unknown>;
  return {
    ...(typeof version === 'string' ? { version } : {}),
    ...(typeof canonicalversion === 'string' ? { canonicalVersion: canonicalversion } : {}),
  };
}

/** Permissions that show which areas the tools can read, and which grants are broader than needed. */
const READ_AREAS: readonly (readonly [string, string])[] = [
  ['clients', 'List Clients'],
  ['services', 'List Services'],
  ['domains', 'List Domains'],
  ['invoices', 'List Invoices'],
  ['transactions', 'List Transactions'],
  ['orders', 'View Orders'],
  ['support', 'List Support Tickets'],
  ['reports', 'View Reports'],
];
const MONEY_PERMISSIONS = [
  'Manage Credits',
  'Refund Invoice Payments',
  'Add Transaction',
  'Manage Invoice',
  'Attempts CC Captures',
];
const BROAD_PERMISSIONS = [
  'Decrypt Full Credit Card Number',
  'Allow Login as Owner',
  'Configure Administrators',
  'Delete Client',
  'Mass Mail',
];

function permissionsCheckFrom(reply: WhmcsReply): DoctorCheck {
  const raw = typeof reply.allowedpermissions === 'string' ? reply.allowedpermissions : '';
  const permissions = [
    ...new Set(
      raw
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
  const granted = new Set(permissions);
  const readable = READ_AREAS.filter(([, permission]) => granted.has(permission)).map(([area]) => area);
  const unreadable = READ_AREAS.filter(([, permission]) => !granted.has(permission)).map(([area]) => area);
  const money = MONEY_PERMISSIONS.filter((permission) => granted.has(permission));
  const broad = BROAD_PERMISSIONS.filter((permission) => granted.has(permission));
  const admin = typeof reply.name === 'string' && reply.name !== '' ? `admin "${reply.name}"` : 'the admin';
  const details = [
    `can read: ${readable.length > 0 ? readable.join(', ') : 'none of the areas the tools use'}`,
    ...(unreadable.length > 0 ? [`cannot read: ${unreadable.join(', ')} (tools there will be refused)`] : []),
    `can move money: ${money.length > 0 ? money.join(', ') : 'no'}`,
    ...(broad.length > 0
      ? [
          `broader than this server needs: ${broad.join(', ')}; a narrower admin role limits what a leaked credential can do`,
        ]
      : []),
  ];
  return {
    id: 'api_permissions',
    title: 'API permissions',
    status: 'pass',
    summary: `${admin} behind this credential has ${permissions.length} permissions`,
    details,
    data: {
      adminId: reply.adminid,
      adminName: reply.name,
      permissions,
      readableAreas: readable,
      unreadableAreas: unreadable,
      moneyPermissions: money,
      broadPermissions: broad,
    },
  };
}

function skipped(id: DoctorCheck['id'], title: string, reason: string): DoctorCheck {
  return { id, title, status: 'skip', summary: `not checked: ${reason}`, details: [], data: {} };
}

async function probeWhmcs(whmcs: WhmcsConfig, logger: Logger): Promise<DoctorCheck[]> {
  const endpoint = resolveEndpoint(whmcs.apiUrl, whmcs.allowHttp);
  // A diagnosis reports what it sees at once: no retries, which would only delay the answer.
  const client = new WhmcsClient({
    ...whmcsClientOptions({ whmcs }, logger),
    retry: { attempts: 1, maxTotalMs: 0 },
  });
  const endpointText = `${endpoint.origin}${endpoint.pathname}`;
  try {
    let connection: DoctorCheck;
    let version: { version?: string; canonicalVersion?: string } = {};
    let reachedWhmcs: boolean;
    try {
      version = versionOf(await client.call('WhmcsDetails', {}));
      reachedWhmcs = true;
      connection = {
        id: 'whmcs_connection',
        title: 'WHMCS connection',
        status: 'pass',
        summary: `connected to WHMCS ${version.version ?? '(version not reported)'} at ${endpoint.host}`,
        details: [
          `API endpoint ${endpointText}`,
          ...(version.canonicalVersion === undefined
            ? []
            : [`canonical version ${version.canonicalVersion}`]),
        ],
        data: { outcome: 'connected' satisfies ConnectionOutcome, endpoint: endpointText, ...version },
      };
    } catch (error) {
      const failure = explainFailure(error, 'WhmcsDetails', endpoint);
      // The credentials worked if WHMCS only refused this one action, or did not know it (before 8.0).
      reachedWhmcs = failure.outcome === 'action_not_allowed' || failure.outcome === 'unknown_action';
      connection = {
        id: 'whmcs_connection',
        title: 'WHMCS connection',
        status: reachedWhmcs ? 'warn' : 'fail',
        summary: reachedWhmcs
          ? `connected to ${endpoint.host} and the credentials work, but the version is unknown: ${failure.summary}`
          : failure.summary,
        details: failure.details,
        data: {
          outcome: reachedWhmcs ? 'connected' : failure.outcome,
          endpoint: endpointText,
          code: failure.code,
          ...(failure.ip === undefined ? {} : { ip: failure.ip }),
        },
      };
    }
    if (!reachedWhmcs) {
      return [connection, skipped('api_permissions', 'API permissions', 'the connection check failed')];
    }

    let permissions: DoctorCheck;
    try {
      const reply = await client.call('GetAdminDetails', {});
      permissions = permissionsCheckFrom(reply);
      const reported = versionOf(reply);
      if (version.version === undefined && reported.version !== undefined) {
        connection.summary = `connected to WHMCS ${reported.version} at ${endpoint.host} (from GetAdminDetails)`;
        connection.data = { ...connection.data, ...reported };
      }
    } catch (error) {
      const failure = explainFailure(error, 'GetAdminDetails', endpoint);
      const refused = failure.outcome === 'action_not_allowed';
      permissions = {
        id: 'api_permissions',
        title: 'API permissions',
        status: refused ? 'warn' : 'fail',
        summary: refused
          ? "the credential's API role lacks GetAdminDetails, so its permissions cannot be listed"
          : failure.summary,
        details: refused
          ? ['Grant GetAdminDetails to the API role to see the summary here; the server works without it.']
          : failure.details,
        data: { code: failure.code, outcome: failure.outcome },
      };
    }
    return [connection, permissions];
  } finally {
    await client.close();
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const inspection = inspectConfig(options);
  const checks: DoctorCheck[] = [configurationCheck(inspection), settingsCheck(inspection.values)];
  if (inspection.whmcs === undefined) {
    checks.push(
      skipped('whmcs_connection', 'WHMCS connection', 'the WHMCS settings above must be fixed first'),
      skipped('api_permissions', 'API permissions', 'the WHMCS settings above must be fixed first'),
    );
  } else {
    checks.push(...(await probeWhmcs(inspection.whmcs, options.logger)));
  }
  // A skipped check always follows a failed one, so failures alone decide.
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}
