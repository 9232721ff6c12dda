/**
 * The WHMCS sandbox's public API: start a stateful WHMCS External API emulator on a local port.
 * Tests, the demo, the benchmarks and `whmcs-mcp sandbox` all start it through startSandbox().
 */
import { randomBytes } from 'node:crypto';
import { getAction } from '../whmcs/actions.js';
import { sandboxHandlers } from './actions/index.js';
import { FaultInjector, type FaultKind, type FaultSettings } from './faults.js';
import { EXAMPLE_REPLIES } from './generated/example-replies.js';
import { PHP_DEFAULT_MAX_INPUT_VARS } from './php-params.js';
import {
  startSandboxServer,
  type SandboxLogger,
  type SandboxResetOptions,
  type SandboxStats,
} from './server.js';
import { createSandboxState, type SandboxState } from './state.js';

export type { FaultKind, FaultSettings } from './faults.js';
export { FAULT_KINDS, FaultSettingsError, faultSettingsFromEnv, parseFaultSettings } from './faults.js';
export type { SandboxLogger, SandboxResetOptions, SandboxStats } from './server.js';
export { ADMIN_TOKEN_HEADER, API_PATH, CLIENT_IP_HEADER } from './server.js';
export type { SandboxState } from './state.js';

export const SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  identifier: 'sandbox',
  secret: 'sandbox-secret',
  adminUsername: 'admin',
  adminPassword: 'sandbox-admin',
  clients: 50,
  seed: 1,
  whmcsVersion: '8.13.1',
  /** PHP's default post_max_size. */
  maxBodyBytes: 8 * 1024 * 1024,
} as const;

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** API credential identifier; default `sandbox`. */
  identifier?: string;
  /** API credential secret; default `sandbox-secret`. */
  secret?: string;
  /** Legacy login: `username` + MD5 of `adminPassword`; defaults `admin` / `sandbox-admin`. */
  adminUsername?: string;
  adminPassword?: string;
  /** Seed of the generated data; the same seed gives the same data. Default 1. */
  seed?: number;
  /** Number of generated clients; default 50. */
  clients?: number;
  /** WHMCS API IP allowlist; empty or absent allows every address. */
  ipAllowlist?: string[];
  /** configuration.php `$api_access_key`: lets a caller past the allowlist, not past auth. */
  accessKey?: string;
  /** Test-only: honour X-Sandbox-Client-IP as the caller's address. Default false. */
  trustClientIpHeader?: boolean;
  /** Faults from the start; off when absent. */
  faults?: FaultSettings;
  /** Token for /__sandbox/*; a random one when absent. */
  adminToken?: string;
  /** Request body cap in bytes; default 8 MiB (PHP's post_max_size). */
  maxBodyBytes?: number;
  /** PHP max_input_vars; default 1000. */
  maxInputVars?: number;
  /** The sandbox clock; default the system clock. The seed data is dated relative to its first reading. */
  now?: () => Date;
  /** The version WHMCS reports (XML replies, WhmcsDetails); default 8.13.1. */
  whmcsVersion?: string;
  logger?: SandboxLogger;
}

/** Runtime control of faults (the same settings POST /__sandbox/faults takes). */
export interface SandboxFaults {
  set(settings: FaultSettings): void;
  clear(): void;
  readonly settings: FaultSettings;
  readonly active: boolean;
  pending(): { fault: FaultKind; remaining: number; action?: string }[];
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:8088. */
  readonly url: string;
  /** The WHMCS API endpoint (WHMCS_API_URL): url + /includes/api.php. */
  readonly apiUrl: string;
  readonly port: number;
  readonly identifier: string;
  readonly secret: string;
  readonly adminUsername: string;
  readonly adminPassword: string;
  readonly accessKey: string | undefined;
  /** Bearer token (or X-Sandbox-Admin-Token) for /__sandbox/faults, /__sandbox/reset, /__sandbox/stats. */
  readonly adminToken: string;
  /** The live state; reset() replaces it. */
  readonly state: SandboxState;
  readonly faults: SandboxFaults;
  /** Regenerates the data (optionally with another seed or size) and clears the call counts. */
  reset(options?: SandboxResetOptions): void;
  stats(): SandboxStats;
  close(): Promise<void>;
}

/** Starts the sandbox and resolves once it accepts connections. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const identifier = options.identifier ?? SANDBOX_DEFAULTS.identifier;
  const secret = options.secret ?? SANDBOX_DEFAULTS.secret;
  const adminUsername = options.adminUsername ?? SANDBOX_DEFAULTS.adminUsername;
  const adminPassword = options.adminPassword ?? SANDBOX_DEFAULTS.adminPassword;
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const whmcsVersion = options.whmcsVersion ?? SANDBOX_DEFAULTS.whmcsVersion;
  const now = options.now ?? (() => new Date());
  const faults = new FaultInjector(options.faults ?? {});
  const startSeed = options.seed ?? SANDBOX_DEFAULTS.seed;
  const startClients = options.clients ?? SANDBOX_DEFAULTS.clients;
  const baseDate = now();

  const createState = (reset: SandboxResetOptions): SandboxState => {
    const state = createSandboxState({
      seed: reset.seed ?? startSeed,
      clients: reset.clients ?? startClients,
      baseDate,
    });
    state.whmcsVersion = whmcsVersion;
    return state;
  };

  const server = await startSandboxServer<SandboxState>({
    host: options.host ?? SANDBOX_DEFAULTS.host,
    port: options.port ?? 0,
    identifier,
    secret,
    adminUsername,
    adminPassword,
    ipAllowlist: options.ipAllowlist ?? [],
    accessKey: options.accessKey,
    trustClientIpHeader: options.trustClientIpHeader ?? false,
    adminToken,
    maxBodyBytes: options.maxBodyBytes ?? SANDBOX_DEFAULTS.maxBodyBytes,
    inputLimits: { maxInputVars: options.maxInputVars ?? PHP_DEFAULT_MAX_INPUT_VARS },
    whmcsVersion,
    faults,
    handlers: sandboxHandlers,
    lookupAction: getAction,
    exampleReplies: EXAMPLE_REPLIES,
    createState,
    now,
    logger: options.logger,
  });
  options.logger?.info({ url: server.url, identifier }, 'WHMCS sandbox listening');

  return {
    url: server.url,
    apiUrl: server.apiUrl,
    port: server.port,
    identifier,
    secret,
    adminUsername,
    adminPassword,
    accessKey: options.accessKey,
    adminToken,
    get state() {
      return server.state;
    },
    faults,
    reset: (reset) => server.reset(reset),
    stats: () => server.stats(),
    close: () => server.close(),
  };
}
