/**
 * What the operator commands (`intents`, `audit`) work on: the same state store the server uses
 * (MCP_STATE_DB) and the same write-flow rules. These commands are the out-of-band human channel:
 * whoever can run them on the server's host acts with the approver role under the name given.
 */
import pino from 'pino';
import { inspectConfig, resolveStatePath, whmcsClientOptions } from '../config/index.js';
import { createLogger } from '../logging/logger.js';
import { ClientScope } from '../policy/client-scope.js';
import type { Principal } from '../policy/principal.js';
import { writeSettings } from '../server/runtime.js';
import { WhmcsClient } from '../whmcs/client.js';
import type { WhmcsParams } from '../whmcs/encode.js';
import { WriteFlow } from '../writes/engine.js';
import { WRITE_RULES } from '../writes/rules/index.js';
import { SqliteIntentStore } from '../writes/sqlite-store.js';
import { UsageError, type CliIo } from './command.js';

export interface OperatorContext {
  store: SqliteIntentStore;
  flow: WriteFlow;
  scope: ClientScope;
  statePath: string;
  close(): Promise<void>;
}

/** The principal of an operator at the server's console; `--as` names the person. */
export function operatorPrincipal(name: string | undefined): Principal {
  const label = (name ?? '').trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u.test(label)) {
    throw new UsageError(
      '--as <name> is required: the name of the person acting (letters, digits, space, . _ @ -)',
    );
  }
  return { id: `operator:${label.toLowerCase()}`, label, roles: ['approver'], transport: 'cli' };
}

export class OperatorConfigError extends Error {}

/**
 * Opens the state store with the server's write settings. WHMCS settings are only needed (and only
 * checked) when `needsWhmcs` is set, for reconciliation, which reads WHMCS.
 */
export function openOperatorContext(io: CliIo, needsWhmcs: boolean): OperatorContext {
  const inspection = inspectConfig({ env: io.env, cwd: io.cwd });
  const relevant = inspection.problems.filter(
    (problem) =>
      needsWhmcs || (!problem.variable.startsWith('WHMCS_') && problem.variable !== 'MCP_ACCESS_MODE'),
  );
  if (relevant.length > 0) {
    throw new OperatorConfigError(
      `The configuration has problems:\n${relevant.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`,
    );
  }
  const values = inspection.values;
  const settings = writeSettings({
    mode: values.MCP_MODE ?? 'read_only',
    env: values.MCP_ENV ?? 'development',
    writesDisabled: values.MCP_WRITES_DISABLED ?? false,
    writeAllowlist: values.MCP_WRITE_ALLOWLIST ?? [],
    capPerAction: values.MCP_CAP_PER_ACTION,
    capDaily: values.MCP_CAP_DAILY,
    approvalTtlMs: values.MCP_APPROVAL_TTL ?? 900_000,
    intentTtlMs: values.MCP_INTENT_TTL ?? 86_400_000,
    autoApprove: values.MCP_AUTO_APPROVE ?? false,
    dualApprovalThreshold: values.MCP_DUAL_APPROVAL_THRESHOLD,
    largeRefundThreshold: values.MCP_LARGE_REFUND_THRESHOLD ?? '1000.00',
  });
  const statePath = resolveStatePath(io.cwd, values.MCP_STATE_DB ?? './data/whmcs-mcp.sqlite');
  if (statePath === ':memory:') {
    throw new OperatorConfigError(
      'MCP_STATE_DB is :memory:; the operator commands need the file the server uses.',
    );
  }
  const store = new SqliteIntentStore({ path: statePath });
  let whmcs: WhmcsClient | undefined;
  const lazyWhmcs = {
    call(action: string, params?: WhmcsParams, options?: { signal?: AbortSignal }) {
      if (!inspection.config) {
        return Promise.reject(
          new OperatorConfigError(
            'Reconciling reads WHMCS, so WHMCS_API_URL and its credentials must be configured.',
          ),
        );
      }
      whmcs ??= new WhmcsClient(
        whmcsClientOptions(inspection.config, createLogger({ level: 'warn', destination: io.stderr })),
      );
      return whmcs.call(action, params, options);
    },
  };
  const flow = new WriteFlow({
    store,
    whmcs: lazyWhmcs,
    settings,
    rules: WRITE_RULES,
    logger: pino({ level: 'silent' }),
  });
  const allowed = values.MCP_ACCESS_MODE === 'client' ? values.MCP_ALLOWED_CLIENT_IDS : undefined;
  return {
    store,
    flow,
    scope: allowed && allowed.length > 0 ? ClientScope.clients(allowed) : ClientScope.admin(),
    statePath,
    async close() {
      await whmcs?.close();
      store.close();
    },
  };
}
