/**
 * MCP over Streamable HTTP on node:http. Every request to /mcp passes, in order: Host and Origin
 * (DNS rebinding), the failed-authentication lockout of its source address, bearer authentication,
 * the principal's rate limit, the body cap, and the session owner check; only then does the SDK
 * transport see it. /healthz, /readyz, the protected-resource metadata and /metrics sit beside it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/index.js';
import type { ConsumerRegistry } from '../../consumers/registry.js';
import type { Principal } from '../../policy/principal.js';
import { SERVER_NAME, type Runtime } from '../runtime.js';
import { OperatorConsole, isConsolePath } from '../console/index.js';
import { logRequest, summarizeMcpBody, type HttpRequestEvent } from './access-log.js';
import { HttpAuthenticator, type OAuthVerifier } from './auth.js';
import { readBody } from './body.js';
import { OriginPolicy, isLoopbackAddress } from './origin.js';
import { AuthFailureLimiter, PrincipalRateLimiter, type AuthFailureLimiterOptions } from './rate-limit.js';
import { Readiness } from './readiness.js';
import {
  RPC_INVALID_REQUEST,
  RPC_PARSE_ERROR,
  RPC_SERVER_ERROR,
  RPC_SESSION_NOT_FOUND,
  sendJson,
  sendRpcError,
} from './respond.js';
import { SessionStore, type McpSession } from './sessions.js';

export const MCP_PATH = '/mcp';
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** What src/server/metrics.ts provides: the /metrics handler and an observer of every request. */
export interface HttpMetrics {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  observeHttp(event: { route: string; status: number; durationMs: number }): void;
}

export interface HttpTimeouts {
  /** Longest wait for a request's headers (slow-loris protection). */
  headersMs: number;
  /** Longest wait for a whole request to arrive; responses (SSE streams included) are not bound by it. */
  requestMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 15_000,
  requestMs: 60_000,
  keepAliveMs: 10_000,
};

export const DEFAULT_AUTH_FAILURE_LIMIT = {
  maxFailures: 20,
  windowMs: 60_000,
  lockoutMs: 5 * 60_000,
} as const;

export interface HttpServerOptions {
  host: string;
  port: number;
  /** The URL clients use; otherwise http://<Host header>. */
  publicUrl?: string | undefined;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  maxBodyBytes: number;
  sessionIdleMs: number;
  maxSessionsPerPrincipal: number;
  rateLimitPerMinute: number;
  shutdownGraceMs: number;
  consumers?: ConsumerRegistry | undefined;
  oauth?: OAuthVerifier | undefined;
  /** MCP_AUTH_TOKEN, checked as a bearer token when neither consumers nor OAuth are configured. */
  localToken?: string | undefined;
  metrics?: HttpMetrics | undefined;
  logger: Logger;
  authFailureLimit?: Partial<Omit<AuthFailureLimiterOptions, 'now'>>;
  timeouts?: Partial<HttpTimeouts>;
  readinessCacheMs?: number;
  /** How often idle sessions and stale limiter entries are swept; derived from the idle limit by default. */
  sweepIntervalMs?: number;
}

/** The HTTP options a configuration asks for; the caller adds what it built (registry, OAuth, metrics). */
export function httpServerOptions(
  config: AppConfig,
  logger: Logger,
  built: Pick<HttpServerOptions, 'consumers' | 'oauth' | 'metrics'> = {},
): HttpServerOptions {
  return {
    host: config.http.host,
    port: config.http.port,
    publicUrl: config.http.publicUrl,
    allowedHosts: config.http.allowedHosts,
    allowedOrigins: config.http.allowedOrigins,
    maxBodyBytes: config.http.maxBodyBytes,
    sessionIdleMs: config.http.sessionIdleMs,
    maxSessionsPerPrincipal: config.http.maxSessionsPerPrincipal,
    rateLimitPerMinute: config.http.rateLimitPerMinute,
    shutdownGraceMs: config.http.shutdownGraceMs,
    localToken: config.authToken,
    logger,
    ...built,
  };
}

export class HttpServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpServerConfigError';
  }
}

export interface RunningHttpServer {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** The MCP endpoint: url + /mcp. */
  readonly mcpUrl: string;
  readonly port: number;
  /** Open MCP sessions. */
  sessionCount(): number;
  /**
   * Graceful stop: refuse new connections, let requests in flight finish within the shutdown
   * grace, close the sessions, then the runtime (state store, WHMCS client). Idempotent.
   */
  close(reason?: string): Promise<void>;
}

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const KNOWN_PATHS = new Set([
  MCP_PATH,
  '/healthz',
  '/readyz',
  '/metrics',
  RESOURCE_METADATA_PATH,
  `${RESOURCE_METADATA_PATH}${MCP_PATH}`,
]);

type MutableEvent = { -readonly [K in keyof HttpRequestEvent]: HttpRequestEvent[K] };

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export async function startHttpServer(
  runtime: Runtime,
  options: HttpServerOptions,
): Promise<RunningHttpServer> {
  const { logger } = options;
  const authenticator = new HttpAuthenticator({
    consumers: options.consumers,
    oauth: options.oauth,
    localToken: options.localToken,
    logger,
  });
  if (!isLoopbackAddress(options.host) && !authenticator.configured) {
    throw new HttpServerConfigError(
      `Refusing to listen on ${options.host}: it is not a loopback address and no authentication is configured. Set MCP_CONSUMERS_FILE (whmcs-mcp consumers add) or OAuth (MCP_OAUTH_ISSUER), or listen on 127.0.0.1.`,
    );
  }

  const publicUrl = options.publicUrl === undefined ? undefined : new URL(options.publicUrl);
  const originPolicy = new OriginPolicy({
    boundHost: options.host,
    extraHosts: [...options.allowedHosts, ...(publicUrl ? [publicUrl.hostname] : [])],
    allowedOrigins: [...options.allowedOrigins, ...(publicUrl ? [publicUrl.origin] : [])],
  });
  const sessions = new SessionStore({
    idleMs: options.sessionIdleMs,
    maxPerPrincipal: options.maxSessionsPerPrincipal,
    logger,
  });
  const rateLimiter = new PrincipalRateLimiter(options.rateLimitPerMinute);
  const authFailures = new AuthFailureLimiter({ ...DEFAULT_AUTH_FAILURE_LIMIT, ...options.authFailureLimit });
  const readiness = new Readiness({
    stateDbPath: runtime.config.stateDbPath,
    whmcs: runtime.whmcs,
    consumers: options.consumers,
    logger,
    ...(options.readinessCacheMs !== undefined ? { cacheMs: options.readinessCacheMs } : {}),
  });
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  // The operator console (src/server/console) runs its own Host, Origin and CSRF checks.
  const operatorConsole = new OperatorConsole({
    runtime,
    authenticator,
    consumers: options.consumers,
    logger,
    secureCookies: !isLoopbackAddress(options.host) || publicUrl?.protocol === 'https:',
    hostAllowed: (host) => originPolicy.check(host, undefined).ok,
    publicOrigin: publicUrl?.origin,
  });

  let shuttingDown = false;
  /** Set once the grace is over: whatever ends after this was cut off, not finished. */
  let cuttingOff = false;
  /** Requests being answered, SSE listening streams aside: shutdown waits for these. */
  let inFlight = 0;
  const drainWaiters = new Set<() => void>();

  const baseUrl = (req: IncomingMessage): string =>
    publicUrl ? publicUrl.href.replace(/\/+$/, '') : `http://${header(req, 'host') ?? 'localhost'}`;

  const unauthorized = (req: IncomingMessage, res: ServerResponse, presented: boolean): void => {
    const metadata = `${baseUrl(req)}${RESOURCE_METADATA_PATH}`;
    const challenge = presented
      ? `Bearer resource_metadata="${metadata}", error="invalid_token"`
      : `Bearer resource_metadata="${metadata}"`;
    sendJson(
      res,
      401,
      { error: 'invalid_token', error_description: 'A valid bearer token is required.' },
      { 'WWW-Authenticate': challenge },
    );
  };

  const refuseForeignSession = (principal: Principal, session: McpSession, source: string): void => {
    logger.warn(
      { principal: principal.label, session_owner: session.principal.label, source },
      'http session refused: it belongs to another principal',
    );
    try {
      runtime.store.appendAudit({
        // The same form the write-flow records principals in.
        principal: principal.label === principal.id ? principal.id : `${principal.id} (${principal.label})`,
        tool: null,
        action: null,
        entity: null,
        intent_id: null,
        event: 'http_session_refused',
        outcome: 'refused:not_found',
        params_digest: null,
        detail: { reason: 'session belongs to another principal', session_owner: session.principal.id },
      });
    } catch (error) {
      logger.error({ err: error }, 'could not audit a refused http session');
    }
  };

  /** The session named by the request, if it exists and belongs to this principal. */
  const ownedSession = (
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
    event: MutableEvent,
  ): McpSession | undefined => {
    const id = header(req, 'mcp-session-id');
    if (id === undefined) {
      event.outcome = 'bad_request';
      sendRpcError(res, 400, RPC_SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
      return undefined;
    }
    const session = SESSION_ID_PATTERN.test(id) ? sessions.get(id) : undefined;
    if (session && session.principal.id !== principal.id) {
      refuseForeignSession(principal, session, req.socket.remoteAddress ?? 'unknown');
    }
    if (!session || session.principal.id !== principal.id) {
      // Someone else's session gets exactly the answer an unknown one gets.
      event.outcome = 'session_not_found';
      sendRpcError(res, 404, RPC_SESSION_NOT_FOUND, 'Session not found');
      return undefined;
    }
    // The latest authentication wins: roles or scope changed in the registry apply at once.
    session.principal = principal;
    return session;
  };

  const serveInSession = async (
    session: McpSession,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> => {
    session.openRequests += 1;
    sessions.touch(session);
    res.once('close', () => {
      session.openRequests -= 1;
      sessions.touch(session);
    });
    await session.transport.handleRequest(req, res, body);
  };

  const openSession = async (
    principal: Principal,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    event: MutableEvent,
  ): Promise<void> => {
    if (!sessions.reserve(principal.id)) {
      event.outcome = 'session_limit';
      sendRpcError(
        res,
        429,
        RPC_SERVER_ERROR,
        `Too many open sessions for ${principal.label}; end one (DELETE) or wait for an idle one to expire.`,
        { 'Retry-After': '60' },
      );
      return;
    }
    let session: McpSession | undefined;
    const server = runtime.createServer(() => session?.principal ?? principal, principal);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomBytes(32).toString('base64url'),
      onsessioninitialized: (id) => {
        const now = Date.now();
        session = { id, principal, server, transport, createdAt: now, lastSeenAt: now, openRequests: 1 };
        sessions.add(session);
        const opened = session;
        res.once('close', () => {
          opened.openRequests -= 1;
          sessions.touch(opened);
        });
      },
    });
    server.onclose = () => {
      if (session) sessions.remove(session.id);
    };
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      sessions.release(principal.id);
    }
    // The initialize request was refused (bad headers, say): nothing may linger.
    if (session === undefined) await server.close();
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse, event: MutableEvent): Promise<void> => {
    const origin = header(req, 'origin');
    if (origin !== undefined) {
      // Only reached for an origin the policy accepted.
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id, WWW-Authenticate, Retry-After');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, DELETE',
        'Access-Control-Allow-Headers':
          'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }

    const source = req.socket.remoteAddress ?? 'unknown';
    const lockout = authFailures.check(source);
    if (!lockout.allowed) {
      event.outcome = 'auth_locked_out';
      sendJson(
        res,
        429,
        { error: 'too_many_failed_authentications' },
        { 'Retry-After': String(lockout.retryAfterSeconds) },
      );
      return;
    }
    const authorization = header(req, 'authorization');
    const auth = await authenticator.authenticate(authorization);
    if (!auth.ok) {
      event.outcome = 'unauthorized';
      if (auth.reason === 'invalid_token' && authFailures.recordFailure(source)) {
        logger.warn({ source }, 'too many failed authentications; address locked out for a while');
      }
      unauthorized(req, res, authorization !== undefined);
      return;
    }
    const principal = auth.principal;
    event.principal = principal.label;

    const allowance = rateLimiter.take(principal.id);
    if (!allowance.allowed) {
      event.outcome = 'rate_limited';
      sendRpcError(res, 429, RPC_SERVER_ERROR, 'Rate limit exceeded; retry after the time in Retry-After.', {
        'Retry-After': String(allowance.retryAfterSeconds),
      });
      return;
    }

    if (req.method === 'GET' || req.method === 'DELETE') {
      const session = ownedSession(req, res, principal, event);
      if (session) await serveInSession(session, req, res, undefined);
      return;
    }
    if (req.method !== 'POST') {
      event.outcome = 'bad_request';
      sendRpcError(res, 405, RPC_SERVER_ERROR, 'Method not allowed.', { Allow: 'GET, POST, DELETE' });
      return;
    }

    const read = await readBody(req, options.maxBodyBytes);
    if (!read.ok) {
      if (read.reason === 'aborted') {
        event.outcome = 'client_closed';
        return;
      }
      event.outcome = 'too_large';
      sendRpcError(res, 413, RPC_SERVER_ERROR, `Request body larger than ${options.maxBodyBytes} bytes.`, {
        Connection: 'close',
      });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(read.text);
    } catch {
      event.outcome = 'bad_request';
      sendRpcError(res, 400, RPC_PARSE_ERROR, 'Parse error: Invalid JSON');
      return;
    }
    const summary = summarizeMcpBody(body);
    event.mcpMethod = summary.method;
    event.tool = summary.tool;

    if (header(req, 'mcp-session-id') !== undefined) {
      const session = ownedSession(req, res, principal, event);
      if (session) await serveInSession(session, req, res, body);
      return;
    }
    if (summary.initialize) {
      await openSession(principal, req, res, body, event);
      return;
    }
    event.outcome = 'bad_request';
    sendRpcError(
      res,
      400,
      RPC_INVALID_REQUEST,
      'Bad Request: Mcp-Session-Id header is required (open a session with initialize first)',
    );
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, event: MutableEvent) => {
    if (shuttingDown) {
      event.outcome = 'shutting_down';
      sendJson(res, 503, { error: 'shutting_down' }, { Connection: 'close', 'Retry-After': '5' });
      return;
    }
    const method = req.method ?? 'GET';
    if (path === '/healthz' || path === '/readyz') {
      if (method !== 'GET' && method !== 'HEAD') {
        event.outcome = 'bad_request';
        sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: 'GET, HEAD' });
        return;
      }
      if (path === '/healthz') {
        sendJson(res, 200, { status: 'ok' });
        return;
      }
      const report = await readiness.check();
      if (!report.ready) event.outcome = 'not_ready';
      sendJson(res, report.ready ? 200 : 503, {
        status: report.ready ? 'ready' : 'not_ready',
        checks: report.checks,
      });
      return;
    }

    // Probes and the scraper come from an orchestrator by IP, and /metrics has a token of its own;
    // everything else is checked against DNS rebinding.
    if (path === '/metrics' && options.metrics) {
      await options.metrics.handle(req, res);
      return;
    }
    // Console pages post with `Origin: null` (they send no referrer), so the console checks for itself.
    if (isConsolePath(path)) {
      event.path = '/console';
      await operatorConsole.handle(req, res, event);
      return;
    }
    const verdict = originPolicy.check(header(req, 'host'), header(req, 'origin'));
    if (!verdict.ok) {
      event.outcome = verdict.reason === 'host_not_allowed' ? 'forbidden_host' : 'forbidden_origin';
      sendJson(res, 403, {
        error: 'forbidden',
        error_description:
          verdict.reason === 'host_not_allowed'
            ? 'Host not allowed (MCP_HTTP_ALLOWED_HOSTS).'
            : 'Origin not allowed (MCP_HTTP_ALLOWED_ORIGINS).',
      });
      return;
    }

    if (path === MCP_PATH) {
      await handleMcp(req, res, event);
      return;
    }
    if (path === RESOURCE_METADATA_PATH || path === `${RESOURCE_METADATA_PATH}${MCP_PATH}`) {
      const base = baseUrl(req);
      const document = options.oauth
        ? options.oauth.metadata(`${base}${MCP_PATH}`)
        : authenticator.requiresToken
          ? {
              resource: `${base}${MCP_PATH}`,
              bearer_methods_supported: ['header'],
              resource_name: SERVER_NAME,
            }
          : undefined;
      if (document === undefined) {
        event.outcome = 'not_found';
        sendJson(res, 404, { error: 'not_found' });
        return;
      }
      sendJson(res, 200, document, { 'Access-Control-Allow-Origin': '*' });
      return;
    }
    event.outcome = 'not_found';
    sendJson(res, 404, { error: 'not_found' });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const event: MutableEvent = {
      method: req.method ?? 'GET',
      path: KNOWN_PATHS.has(path) ? path : 'other',
      principal: undefined,
      mcpMethod: undefined,
      tool: undefined,
      status: 0,
      outcome: 'ok',
      durationMs: 0,
    };
    // A GET on /mcp is a listening stream that lasts as long as the session; it does not hold shutdown.
    const counted = !(req.method === 'GET' && path === MCP_PATH);
    if (counted) inFlight += 1;
    res.once('close', () => {
      if (counted) {
        inFlight -= 1;
        for (const waiter of drainWaiters) waiter();
      }
      event.status = res.statusCode;
      event.durationMs = performance.now() - started;
      if (cuttingOff && event.outcome === 'ok') event.outcome = 'closed_at_shutdown';
      if (!res.writableFinished && event.outcome === 'ok') event.outcome = 'client_closed';
      if (event.outcome === 'ok' && res.statusCode >= 400)
        event.outcome = res.statusCode >= 500 ? 'error' : 'rejected';
      logRequest(logger, event);
      try {
        options.metrics?.observeHttp({
          route: event.path,
          status: event.status,
          durationMs: event.durationMs,
        });
      } catch (error) {
        logger.error({ err: error }, 'http metrics observer threw');
      }
    });
    route(req, res, path, event).catch((error: unknown) => {
      event.outcome = 'error';
      logger.error({ err: error, path: event.path }, 'http request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error' });
      else res.end();
    });
  };

  const http = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
    },
    onRequest,
  );
  http.headersTimeout = timeouts.headersMs;
  http.requestTimeout = timeouts.requestMs;
  http.keepAliveTimeout = timeouts.keepAliveMs;

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  const sweepMs =
    options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, Math.floor(options.sessionIdleMs / 4)));
  const sweeper = setInterval(() => {
    void sessions.expireIdle();
    // A revocation also ends streams of a consumer that sends no further request.
    void options.consumers?.refresh();
    rateLimiter.sweep();
    authFailures.sweep();
  }, sweepMs);
  sweeper.unref();

  // A revoked consumer loses its open sessions (and their streams), not only its next request.
  const stopWatching = options.consumers?.onChange(() => {
    void sessions.closeWhere((session) => !authenticator.stillActive(session.principal), 'consumer revoked');
  });

  logger.info(
    {
      url: `${url}${MCP_PATH}`,
      authentication: authenticator.configured
        ? [options.consumers ? 'consumers' : undefined, options.oauth ? 'oauth' : undefined].filter(Boolean)
        : authenticator.requiresToken
          ? ['local token']
          : ['none (loopback only)'],
    },
    'http server listening',
  );

  const waitForDrain = (graceMs: number): Promise<void> =>
    new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        drainWaiters.delete(check);
        resolve();
      };
      const check = () => {
        // Connections whose last request just finished are idle now and can go.
        http.closeIdleConnections();
        if (inFlight === 0) finish();
      };
      const timer = setTimeout(finish, graceMs);
      drainWaiters.add(check);
      check();
    });

  let closing: Promise<void> | undefined;
  const close = (reason = 'shutdown'): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      logger.info({ reason, in_flight: inFlight, sessions: sessions.size }, 'http server stopping');
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await waitForDrain(options.shutdownGraceMs);
      if (inFlight > 0) {
        logger.warn({ in_flight: inFlight }, 'shutdown grace ran out; calls still in flight are aborted');
      }
      clearInterval(sweeper);
      stopWatching?.();
      cuttingOff = true;
      await sessions.closeAll('shutdown');
      http.closeAllConnections();
      await stopped;
      readiness.close();
      await runtime.close();
      logger.info({ reason }, 'http server stopped');
    })();
    return closing;
  };

  return {
    url,
    mcpUrl: `${url}${MCP_PATH}`,
    port: address.port,
    sessionCount: () => sessions.size,
    close,
  };
}
