/**
 * The operator console at /console: server-rendered pages over the write-flow and the audit log.
 * A person signs in with a consumer token (checked by the HTTP authenticator, never kept), gets a
 * random session id in a cookie, and acts through CSRF-protected forms as that principal on the
 * 'console' channel. Decisions go through WriteFlow like every other channel, so the engine's
 * rules (roles, drafter never approves, acknowledgements) hold here too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AUDIT_CSV_HEADER, auditRowToCsv } from '../../cli/commands/audit.js';
import type { AppConfig } from '../../config/index.js';
import { WhmcsMcpError } from '../../errors.js';
import type { ClientScope } from '../../policy/client-scope.js';
import { scopeFor, type PolicySettings } from '../../policy/policy.js';
import { hasRole, type Principal } from '../../policy/principal.js';
import { getAction } from '../../whmcs/actions.js';
import { KILL_SWITCH_SETTING, type IntentView, type WriteFlow } from '../../writes/engine.js';
import { INTENT_STATES, type IntentState } from '../../writes/states.js';
import type { AuditEvent, AuditFilter, AuditRow, IntentFilter } from '../../writes/types.js';
import type { SqliteIntentStore } from '../../writes/sqlite-store.js';
import type { HttpAuthenticator } from '../http/auth.js';
import { readBody } from '../http/body.js';
import { AuthFailureLimiter, type AuthFailureLimiterOptions } from '../http/rate-limit.js';
import { policySettings } from '../runtime.js';
import { CONSOLE_ASSETS } from './assets.js';
import { glance, stateDetails } from './glance.js';
import type { SafeHtml } from './html.js';
import {
  CONSOLE_PATH,
  SECURITY_HEADERS,
  checkSameOrigin,
  csrfTokenMatches,
  readSessionCookie,
  sessionCookie,
} from './security.js';
import {
  ConsoleSessionStore,
  DEFAULT_SESSION_LIMITS,
  type ConsoleSession,
  type ConsoleSessionLimits,
  type Flash,
} from './sessions.js';
import {
  auditBody,
  intentDetailBody,
  intentListBody,
  messageBody,
  page,
  pendingBody,
  signInBody,
  stateBody,
  type AuditFilters,
  type CheckedChain,
  type IntentFilters,
  type PageFrame,
  type Section,
} from './views.js';

/** States the pending page shows: waiting for a decision, for execution, or for reconciliation. */
export const PENDING_STATES: readonly IntentState[] = ['validated', 'approved', 'unknown'];
export const DEFAULT_PENDING_PER_PAGE = 100;
export const MAX_PENDING_PER_PAGE = 1_000;
const INTENTS_PER_PAGE = 50;
const AUDIT_PER_PAGE = 100;
const EXPORT_PAGE = 1_000;
const VERIFICATION_REUSE_MS = 60_000;
/** Console forms are a few fields; nothing legitimate comes near this. */
const MAX_FORM_BYTES = 64 * 1024;
const MAX_TEXT = 500;
const INTENT_ID = '[A-Za-z0-9_-]{1,100}';
const INTENT_PAGE = new RegExp(`^/console/intents/(${INTENT_ID})$`);
const INTENT_DECISION = new RegExp(`^/console/intents/(${INTENT_ID})/(approve|reject)$`);

export const DEFAULT_SIGN_IN_FAILURE_LIMIT = { maxFailures: 10, windowMs: 60_000, lockoutMs: 5 * 60_000 };

/** What the console reads and changes: the runtime's configuration, store and write-flow. */
export interface ConsoleRuntime {
  config: AppConfig;
  store: Pick<
    SqliteIntentStore,
    'getSetting' | 'setSetting' | 'listAudit' | 'verifyAudit' | 'listIntents' | 'dailyTotal' | 'appendAudit'
  >;
  writeFlow: Pick<WriteFlow, 'list' | 'get' | 'approve' | 'reject' | 'refuse'>;
}

export interface OperatorConsoleOptions {
  runtime: ConsoleRuntime;
  authenticator: Pick<HttpAuthenticator, 'authenticate' | 'stillActive' | 'requiresToken'>;
  /** Re-read before each request so a revoked consumer's console session ends at once. */
  consumers?: { refresh(): Promise<void> } | undefined;
  logger: Logger;
  /** Secure cookies: on unless the server listens on loopback without an https public URL. */
  secureCookies: boolean;
  /** The Host check the HTTP server applies to everything (DNS rebinding). */
  hostAllowed(host: string | undefined): boolean;
  /** The public URL's origin, accepted as same-origin besides the request's own host. */
  publicOrigin?: string | undefined;
  sessionLimits?: Partial<ConsoleSessionLimits>;
  signInFailureLimit?: Partial<Omit<AuthFailureLimiterOptions, 'now'>>;
  now?: () => number;
}

/** The parts of the HTTP server's access-log event the console fills in. */
export interface ConsoleRequestEvent {
  outcome: string;
  principal: string | undefined;
}

export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The form the audit and the engine name principals in: 'consumer:x (x)'. */
function auditPrincipal(principal: Principal): string {
  return principal.label === principal.id ? principal.id : `${principal.id} (${principal.label})`;
}

function text(form: URLSearchParams, name: string): string {
  return (form.get(name) ?? '').trim().slice(0, MAX_TEXT);
}

function positiveInt(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 1 ? Math.min(parsed, max) : fallback;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dayStart(value: string): string | undefined {
  if (!DATE.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function dayAfter(value: string): string | undefined {
  const start = dayStart(value);
  return start === undefined ? undefined : new Date(Date.parse(start) + 86_400_000).toISOString();
}

/** Only paths inside the console are followed after a form, never another site. */
function safeReturnTo(value: string | null): string {
  if (value === null) return '/console/';
  try {
    const target = new URL(value, 'http://console.invalid');
    if (target.origin === 'http://console.invalid' && target.pathname.startsWith('/console/'))
      return `${target.pathname}${target.search}`;
  } catch {
    // Not a URL at all: go to the pending page.
  }
  return '/console/';
}

/** Resolves when the client has read what was written, or has gone away. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

interface Signed {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: ConsoleSession;
  principal: Principal;
  scope: ClientScope;
  event: ConsoleRequestEvent;
}

export class OperatorConsole {
  private readonly sessions: ConsoleSessionStore;
  private readonly signInFailures: AuthFailureLimiter;
  private readonly policy: PolicySettings;
  private readonly now: () => number;
  private lastVerification: CheckedChain | undefined;

  constructor(private readonly options: OperatorConsoleOptions) {
    this.now = options.now ?? (() => Date.now());
    this.sessions = new ConsoleSessionStore(
      { ...DEFAULT_SESSION_LIMITS, ...options.sessionLimits },
      this.now,
    );
    this.signInFailures = new AuthFailureLimiter({
      ...DEFAULT_SIGN_IN_FAILURE_LIMIT,
      ...options.signInFailureLimit,
      now: this.now,
    });
    this.policy = policySettings(options.runtime.config);
  }

  private get config(): AppConfig {
    return this.options.runtime.config;
  }

  private get store(): ConsoleRuntime['store'] {
    return this.options.runtime.store;
  }

  private get flow(): ConsoleRuntime['writeFlow'] {
    return this.options.runtime.writeFlow;
  }

  /** Answers one request under /console. */
  async handle(req: IncomingMessage, res: ServerResponse, event: ConsoleRequestEvent): Promise<void> {
    if (!this.options.hostAllowed(header(req, 'host'))) {
      event.outcome = 'forbidden_host';
      this.sendPlain(res, 403, 'Host not allowed (MCP_HTTP_ALLOWED_HOSTS).');
      return;
    }
    const url = new URL(req.url ?? CONSOLE_PATH, 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    const asset = CONSOLE_ASSETS.get(path);
    if (asset) {
      if (!this.allow(req, res, event, ['GET', 'HEAD'])) return;
      const fresh = header(req, 'if-none-match') === asset.etag;
      res.writeHead(fresh ? 304 : 200, {
        ...SECURITY_HEADERS,
        'Content-Type': asset.contentType,
        ETag: asset.etag,
        ...(fresh ? {} : { 'Content-Length': Buffer.byteLength(asset.body) }),
      });
      res.end(fresh || method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (path === CONSOLE_PATH) {
      this.redirect(res, '/console/');
      return;
    }
    if (path === '/console/sign-in') {
      if (!this.allow(req, res, event, ['GET', 'POST'])) return;
      if (method === 'POST') await this.signIn(req, res, event);
      else this.signInPage(req, res);
      return;
    }

    const session = this.sessions.get(readSessionCookie(header(req, 'cookie')));
    const principal = session?.principal;
    if (!session || !principal) {
      event.outcome = 'unauthorized';
      if (method === 'GET' || method === 'HEAD') this.redirect(res, '/console/sign-in');
      else
        this.refusePage(
          res,
          401,
          'Your console session has ended',
          'Sign in again, then repeat what you were doing.',
        );
      return;
    }
    event.principal = principal.label;
    await this.options.consumers?.refresh();
    if (!this.options.authenticator.stillActive(principal)) {
      this.sessions.destroy(session.id);
      event.outcome = 'unauthorized';
      this.options.logger.warn(
        { principal: principal.label },
        'console session ended: its consumer was revoked',
      );
      this.refusePage(res, 401, 'Your access was revoked', 'This consumer token is no longer accepted.', {
        'Set-Cookie': sessionCookie('', { secure: this.options.secureCookies, maxAgeSeconds: 0 }),
      });
      return;
    }
    const signed: Signed = {
      req,
      res,
      url,
      session,
      principal,
      scope: scopeFor(principal, this.policy),
      event,
    };
    await this.route(signed, path);
  }

  private async route(signed: Signed, path: string): Promise<void> {
    const { req, res, event } = signed;
    const decision = INTENT_DECISION.exec(path);
    if (decision) {
      if (!this.allow(req, res, event, ['POST'])) return;
      await this.decide(signed, decision[1]!, decision[2] as 'approve' | 'reject');
      return;
    }
    const intentPage = INTENT_PAGE.exec(path);
    const gets = new Map<string, () => void | Promise<void>>([
      ['/console/', () => this.pendingPage(signed)],
      ['/console/intents', () => this.intentsPage(signed)],
      ['/console/audit', () => this.auditPage(signed)],
      ['/console/audit/export.csv', () => this.exportAudit(signed, 'csv')],
      ['/console/audit/export.jsonl', () => this.exportAudit(signed, 'jsonl')],
      ['/console/state', () => this.statePage(signed)],
    ]);
    const getter = intentPage ? () => this.intentPage(signed, intentPage[1]!) : gets.get(path);
    if (getter) {
      if (!this.allow(req, res, event, ['GET'])) return;
      await getter();
      return;
    }
    if (path === '/console/kill-switch' || path === '/console/sign-out') {
      if (!this.allow(req, res, event, ['POST'])) return;
      if (path === '/console/sign-out') await this.signOut(signed);
      else await this.killSwitch(signed);
      return;
    }
    event.outcome = 'not_found';
    this.sendHtml(
      res,
      404,
      page(
        this.frame(signed, 'Not found', null),
        messageBody('There is no such console page.', {
          href: '/console/',
          label: 'Back to the pending intents',
        }),
      ),
    );
  }

  // ---- responses ---------------------------------------------------------------------------

  private sendHtml(
    res: ServerResponse,
    status: number,
    body: SafeHtml,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body.value),
      ...headers,
    });
    res.end(body.value);
  }

  private sendPlain(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(message),
    });
    res.end(message);
  }

  private redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
    res.writeHead(303, { ...SECURITY_HEADERS, Location: location, 'Content-Length': 0, ...headers });
    res.end();
  }

  private refusePage(
    res: ServerResponse,
    status: number,
    title: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    const frame: PageFrame = {
      title,
      section: null,
      principal: null,
      csrfToken: null,
      glance: null,
      flash: undefined,
    };
    this.sendHtml(
      res,
      status,
      page(frame, messageBody(message, { href: '/console/', label: 'Go to the console' })),
      headers,
    );
  }

  private allow(
    req: IncomingMessage,
    res: ServerResponse,
    event: ConsoleRequestEvent,
    methods: string[],
  ): boolean {
    if (methods.includes(req.method ?? 'GET')) return true;
    event.outcome = 'bad_request';
    res.writeHead(405, { ...SECURITY_HEADERS, Allow: methods.join(', '), 'Content-Length': 0 });
    res.end();
    return false;
  }

  /** The frame of a signed-in page; the flash is shown once. */
  private frame(signed: Signed, title: string, section: Section | null): PageFrame {
    const flash = signed.session.flash;
    signed.session.flash = undefined;
    return {
      title,
      section,
      principal: signed.principal,
      csrfToken: signed.session.csrfToken,
      glance: glance(this.config, this.store),
      flash,
    };
  }

  private audit(
    principal: Principal,
    event: string,
    outcome: string,
    detail: Record<string, unknown> | null,
  ): AuditEvent {
    return {
      principal: auditPrincipal(principal),
      tool: 'console',
      action: null,
      entity: null,
      intent_id: null,
      event,
      outcome,
      params_digest: null,
      detail,
    };
  }

  // ---- forms -------------------------------------------------------------------------------

  /**
   * The body of a state-changing form, once it proved it came from this console's page with the
   * session's CSRF token; otherwise the refusal is sent and undefined returned.
   */
  private async readForm(
    req: IncomingMessage,
    res: ServerResponse,
    event: ConsoleRequestEvent,
    session: ConsoleSession | undefined,
  ): Promise<URLSearchParams | undefined> {
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      event.outcome = 'bad_request';
      this.refusePage(res, 415, 'Unsupported form', 'The console accepts its own forms only.');
      return undefined;
    }
    const origin = checkSameOrigin(req.headers, this.options.publicOrigin);
    if (!origin.ok) {
      this.refuseForgery(res, event, session, origin.reason);
      return undefined;
    }
    const body = await readBody(req, MAX_FORM_BYTES);
    if (!body.ok) {
      event.outcome = body.reason === 'aborted' ? 'client_closed' : 'too_large';
      if (body.reason === 'too_large')
        this.refusePage(res, 413, 'Form too large', 'The form was larger than the console accepts.', {
          Connection: 'close',
        });
      return undefined;
    }
    const form = new URLSearchParams(body.text);
    if (!session || !csrfTokenMatches(session.csrfToken, form.get('csrf'))) {
      this.refuseForgery(
        res,
        event,
        session,
        session ? 'the CSRF token is missing or wrong' : 'no console session',
      );
      return undefined;
    }
    return form;
  }

  private refuseForgery(
    res: ServerResponse,
    event: ConsoleRequestEvent,
    session: ConsoleSession | undefined,
    reason: string,
  ): void {
    event.outcome = 'csrf_refused';
    this.options.logger.warn(
      { reason, principal: session?.principal?.label },
      'console form refused: not proven to come from the console',
    );
    if (session?.principal) {
      try {
        this.store.appendAudit(
          this.audit(session.principal, 'console_form', 'refused:forbidden', { reason }),
        );
      } catch (error) {
        this.options.logger.error({ err: error }, 'could not audit a refused console form');
      }
    }
    this.refusePage(
      res,
      403,
      'Form refused',
      `This form could not be verified (${reason}), so nothing was done. Reload the console page and try again.`,
    );
  }

  // ---- sign-in and sign-out -------------------------------------------------------------------

  private signInPage(req: IncomingMessage, res: ServerResponse, problem?: string, status = 200): void {
    const existing = this.sessions.get(readSessionCookie(header(req, 'cookie')));
    if (existing?.principal && problem === undefined) {
      this.redirect(res, '/console/');
      return;
    }
    const session = existing && !existing.principal ? existing : this.sessions.createAnonymous();
    const frame: PageFrame = {
      title: 'Sign in',
      section: null,
      principal: null,
      csrfToken: null,
      glance: null,
      flash: undefined,
    };
    const available = this.options.authenticator.requiresToken;
    this.sendHtml(
      res,
      status,
      page(frame, signInBody({ csrfToken: session.csrfToken, available, ...(problem ? { problem } : {}) })),
      {
        'Set-Cookie': sessionCookie(session.id, {
          secure: this.options.secureCookies,
          maxAgeSeconds: this.sessions.cookieSeconds(session),
        }),
      },
    );
  }

  private async signIn(req: IncomingMessage, res: ServerResponse, event: ConsoleRequestEvent): Promise<void> {
    const session = this.sessions.get(readSessionCookie(header(req, 'cookie')));
    const anonymous = session && !session.principal ? session : undefined;
    if (!anonymous) {
      // The form's own session lapsed (or never existed): nothing in the request is trusted.
      event.outcome = 'csrf_refused';
      this.signInPage(req, res, 'The sign-in form expired; enter the token again.', 403);
      return;
    }
    const form = await this.readForm(req, res, event, anonymous);
    if (!form) return;
    if (!this.options.authenticator.requiresToken) {
      event.outcome = 'unauthorized';
      this.signInPage(req, res, 'The console needs authentication configured on this server.', 403);
      return;
    }
    const source = req.socket.remoteAddress ?? 'unknown';
    const lockout = this.signInFailures.check(source);
    if (!lockout.allowed) {
      event.outcome = 'auth_locked_out';
      this.signInPage(
        req,
        res,
        `Too many failed sign-ins from this address; try again in ${lockout.retryAfterSeconds} seconds.`,
        429,
      );
      return;
    }
    const token = (form.get('token') ?? '').trim();
    const outcome =
      token === '' ? undefined : await this.options.authenticator.authenticate(`Bearer ${token}`);
    if (!outcome?.ok) {
      event.outcome = 'unauthorized';
      if (this.signInFailures.recordFailure(source))
        this.options.logger.warn(
          { source },
          'too many failed console sign-ins; address locked out for a while',
        );
      this.signInPage(req, res, 'That token was not accepted.', 401);
      return;
    }
    const principal: Principal = { ...outcome.principal, transport: 'console' };
    const signedIn = this.sessions.signIn(anonymous, principal);
    if (!signedIn) {
      event.outcome = 'session_limit';
      this.signInPage(req, res, 'The console has too many open sessions; try again later.', 503);
      return;
    }
    event.principal = principal.label;
    this.store.appendAudit(
      this.audit(principal, 'console_sign_in', 'success', { roles: [...principal.roles] }),
    );
    this.options.logger.info({ principal: principal.label }, 'console sign-in');
    this.redirect(res, '/console/', {
      'Set-Cookie': sessionCookie(signedIn.id, {
        secure: this.options.secureCookies,
        maxAgeSeconds: this.sessions.cookieSeconds(signedIn),
      }),
    });
  }

  private async signOut(signed: Signed): Promise<void> {
    const form = await this.readForm(signed.req, signed.res, signed.event, signed.session);
    if (!form) return;
    this.sessions.destroy(signed.session.id);
    this.store.appendAudit(this.audit(signed.principal, 'console_sign_out', 'success', null));
    this.redirect(signed.res, '/console/sign-in', {
      'Set-Cookie': sessionCookie('', { secure: this.options.secureCookies, maxAgeSeconds: 0 }),
    });
  }

  // ---- intents -----------------------------------------------------------------------------

  /** What an execution attempt found changed in WHMCS since the intent's validation, if any. */
  private changeSinceValidation(view: IntentView): string | null {
    const validatedAt = view.validation?.validated_at;
    if (!validatedAt) return null;
    const rows = this.store.listAudit({ intent_id: view.id, event: 'execute', limit: 100, offset: 0 }).items;
    const found = rows.filter((row) => row.at >= validatedAt && row.outcome === 'refused:conflict').at(-1);
    const reason = found?.detail?.reason;
    return typeof reason === 'string' ? `${reason} (an execution attempt, ${found!.at})` : null;
  }

  private pendingPage(signed: Signed): void {
    const perPage = positiveInt(
      signed.url.searchParams.get('per_page'),
      DEFAULT_PENDING_PER_PAGE,
      MAX_PENDING_PER_PAGE,
    );
    const pageNumber = positiveInt(signed.url.searchParams.get('page'), 1);
    const { items, total } = this.flow.list(signed.principal, signed.scope, {
      states: PENDING_STATES,
      limit: perPage,
      offset: (pageNumber - 1) * perPage,
    });
    const body = pendingBody(
      {
        items: items.map((view) => ({
          view,
          changeNote: view.state === 'unknown' ? null : this.changeSinceValidation(view),
        })),
        total,
        pageNumber,
        perPage,
        seesAll: hasRole(signed.principal, 'approver'),
      },
      {
        principal: signed.principal,
        csrfToken: signed.session.csrfToken,
        returnTo: `${signed.url.pathname}${signed.url.search}`,
        now: new Date(this.now()).toISOString(),
      },
    );
    this.sendHtml(signed.res, 200, page(this.frame(signed, 'Pending intents', 'pending'), body));
  }

  private intentsPage(signed: Signed): void {
    const query = signed.url.searchParams;
    const filters: IntentFilters = {
      state: (INTENT_STATES as readonly string[]).includes(query.get('state') ?? '')
        ? query.get('state')!
        : '',
      action: (query.get('action') ?? '').trim().slice(0, 100),
      principal: (query.get('principal') ?? '').trim().slice(0, 200),
      since: DATE.test(query.get('since') ?? '') ? query.get('since')! : '',
      until: DATE.test(query.get('until') ?? '') ? query.get('until')! : '',
    };
    const pageNumber = positiveInt(query.get('page'), 1);
    const since = dayStart(filters.since);
    const until = dayAfter(filters.until);
    const filter: IntentFilter = {
      ...(filters.state ? { states: [filters.state as IntentState] } : {}),
      // The store matches the action's exact name; the catalog knows its spelling.
      ...(filters.action ? { action: getAction(filters.action)?.name ?? filters.action } : {}),
      ...(filters.principal ? { drafted_by: filters.principal } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      limit: INTENTS_PER_PAGE,
      offset: (pageNumber - 1) * INTENTS_PER_PAGE,
    };
    const { items, total } = this.flow.list(signed.principal, signed.scope, filter);
    const body = intentListBody({
      filters,
      items,
      total,
      pageNumber,
      perPage: INTENTS_PER_PAGE,
      seesAll: hasRole(signed.principal, 'approver'),
    });
    this.sendHtml(signed.res, 200, page(this.frame(signed, 'All intents', 'intents'), body));
  }

  private intentPage(signed: Signed, id: string): void {
    let view: IntentView;
    try {
      view = this.flow.get(signed.principal, signed.scope, id);
    } catch (error) {
      if (!(error instanceof WhmcsMcpError) || error.code !== 'not_found') throw error;
      signed.event.outcome = 'not_found';
      this.sendHtml(
        signed.res,
        404,
        page(
          this.frame(signed, 'Intent not found', 'intents'),
          messageBody(error.message, { href: '/console/intents', label: 'All intents' }),
        ),
      );
      return;
    }
    const timeline: AuditRow[] = [];
    for (let offset = 0; ; offset += EXPORT_PAGE) {
      const { items } = this.store.listAudit({ intent_id: view.id, limit: EXPORT_PAGE, offset });
      timeline.push(...items);
      if (items.length < EXPORT_PAGE) break;
    }
    const body = intentDetailBody(view, timeline, {
      principal: signed.principal,
      csrfToken: signed.session.csrfToken,
      returnTo: signed.url.pathname,
      changeNote: this.changeSinceValidation(view),
      now: new Date(this.now()).toISOString(),
    });
    this.sendHtml(signed.res, 200, page(this.frame(signed, `Intent ${view.action}`, 'intents'), body));
  }

  private async decide(signed: Signed, id: string, decision: 'approve' | 'reject'): Promise<void> {
    const form = await this.readForm(signed.req, signed.res, signed.event, signed.session);
    if (!form) return;
    const returnTo = safeReturnTo(form.get('return_to'));
    const reason = text(form, 'reason');
    let flash: Flash;
    try {
      if (decision === 'reject' && reason === '') {
        throw new WhmcsMcpError(
          'invalid_input',
          'Say why you reject the intent: the agent reads the reason.',
        );
      }
      const view =
        decision === 'approve'
          ? this.flow.approve(signed.principal, signed.scope, id, {
              reason: reason || 'approved at the console',
              channel: 'console',
              acknowledgements: form.getAll('ack').map((name) => name.slice(0, 100)),
            })
          : this.flow.reject(signed.principal, signed.scope, id, { reason, channel: 'console' });
      const subject = `${view.action} on ${view.entity.kind}${view.entity.id === null ? '' : ` ${String(view.entity.id)}`}`;
      flash =
        decision === 'reject'
          ? { kind: 'ok', title: 'Rejected', text: `${subject} will not run (intent ${view.id}).` }
          : view.approvals_still_needed > 0
            ? {
                kind: 'ok',
                title: 'Approval recorded',
                text: `${subject} needs ${view.approvals_still_needed} more approval(s) from other approvers (intent ${view.id}).`,
              }
            : {
                kind: 'ok',
                title: 'Approved',
                text: `${subject} is approved; the drafter may execute it now (intent ${view.id}).`,
              };
    } catch (error) {
      if (!(error instanceof WhmcsMcpError)) throw error;
      signed.event.outcome = `refused:${error.code}`;
      flash = {
        kind: 'error',
        title:
          decision === 'approve' ? `Approval refused (${error.code})` : `Rejection refused (${error.code})`,
        text: error.message,
      };
    }
    signed.session.flash = flash;
    this.redirect(signed.res, returnTo);
  }

  // ---- audit -------------------------------------------------------------------------------

  /** The audit log spans every client and principal: approvers of an unscoped console only. */
  private mayReadAudit(signed: Signed): boolean {
    if (hasRole(signed.principal, 'approver') && signed.scope.mode === 'admin') return true;
    signed.event.outcome = 'forbidden';
    this.sendHtml(
      signed.res,
      403,
      page(
        this.frame(signed, 'Audit log', 'audit'),
        messageBody(
          `The audit log covers every client and principal; it needs the approver or admin role without a client binding, which ${signed.principal.label} does not have.`,
        ),
      ),
    );
    return false;
  }

  private auditFilters(query: URLSearchParams): {
    filters: AuditFilters;
    filter: Omit<AuditFilter, 'limit' | 'offset'>;
  } {
    const filters: AuditFilters = {
      principal: (query.get('principal') ?? '').trim().slice(0, 200),
      event: (query.get('event') ?? '').trim().slice(0, 100),
      intent: (query.get('intent') ?? '').trim().slice(0, 100),
      from: /^\d{1,15}$/.test(query.get('from') ?? '') ? query.get('from')! : '',
    };
    return {
      filters,
      filter: {
        ...(filters.principal ? { principal: filters.principal } : {}),
        ...(filters.event ? { event: filters.event } : {}),
        ...(filters.intent ? { intent_id: filters.intent } : {}),
        ...(filters.from ? { since_seq: Number(filters.from) } : {}),
      },
    };
  }

  /**
   * Verifying reads every row synchronously (about 25 microseconds a row), so a result is reused
   * for a minute rather than recomputed on every page; `?verify=now` asks for a fresh one.
   */
  private chainVerification(fresh: boolean): CheckedChain {
    const now = this.now();
    if (fresh || !this.lastVerification || now - this.lastVerification.checkedAt >= VERIFICATION_REUSE_MS) {
      this.lastVerification = { result: this.store.verifyAudit(), checkedAt: now };
    }
    return this.lastVerification;
  }

  private auditPage(signed: Signed): void {
    if (!this.mayReadAudit(signed)) return;
    const { filters, filter } = this.auditFilters(signed.url.searchParams);
    const pageNumber = positiveInt(signed.url.searchParams.get('page'), 1);
    const { total } = this.store.listAudit({ ...filter, limit: 1, offset: 0 });
    // Page 1 is the newest rows; the store reads oldest first, so count back from the end.
    const end = total - (pageNumber - 1) * AUDIT_PER_PAGE;
    const start = Math.max(0, end - AUDIT_PER_PAGE);
    const rows =
      end > 0 ? this.store.listAudit({ ...filter, limit: end - start, offset: start }).items.reverse() : [];
    const body = auditBody({
      filters,
      verification: this.chainVerification(signed.url.searchParams.get('verify') === 'now'),
      rows,
      total,
      pageNumber,
      perPage: AUDIT_PER_PAGE,
    });
    this.sendHtml(signed.res, 200, page(this.frame(signed, 'Audit log', 'audit'), body));
  }

  /** Streams the matching rows a page at a time, waiting whenever the client reads slower. */
  private async exportAudit(signed: Signed, format: 'csv' | 'jsonl'): Promise<void> {
    if (!this.mayReadAudit(signed)) return;
    const { filter } = this.auditFilters(signed.url.searchParams);
    const { res } = signed;
    const day = new Date(this.now()).toISOString().slice(0, 10);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="whmcs-mcp-audit-${day}.${format}"`,
    });
    if (format === 'csv') res.write(`${AUDIT_CSV_HEADER}\n`);
    let after = filter.since_seq ?? 0;
    for (;;) {
      const { items } = this.store.listAudit({ ...filter, since_seq: after, limit: EXPORT_PAGE, offset: 0 });
      const chunk = items
        .map((row) => (format === 'csv' ? auditRowToCsv(row) : JSON.stringify(row)))
        .join('\n');
      if (items.length > 0 && !res.write(`${chunk}\n`)) await drained(res);
      if (res.destroyed) return;
      if (items.length < EXPORT_PAGE) break;
      after = items.at(-1)!.seq;
    }
    res.end();
  }

  // ---- state and the kill switch ---------------------------------------------------------------

  private statePage(signed: Signed): void {
    const details = stateDetails(this.config, this.store, new Date(this.now()));
    const body = stateBody(details, { principal: signed.principal, csrfToken: signed.session.csrfToken });
    this.sendHtml(signed.res, 200, page(this.frame(signed, 'State at a glance', 'state'), body));
  }

  private async killSwitch(signed: Signed): Promise<void> {
    const form = await this.readForm(signed.req, signed.res, signed.event, signed.session);
    if (!form) return;
    const action = form.get('action');
    const reason = text(form, 'reason');
    if (!hasRole(signed.principal, 'admin')) {
      const refused = this.flow.refuse(
        signed.principal,
        'console',
        '',
        null,
        'kill_switch',
        'forbidden',
        `${signed.principal.label} does not hold the admin role, so it cannot change the kill switch.`,
      );
      signed.event.outcome = 'refused:forbidden';
      signed.session.flash = {
        kind: 'error',
        title: 'Kill switch unchanged (forbidden)',
        text: refused.message,
      };
    } else if (action !== 'engage' && action !== 'release') {
      signed.event.outcome = 'bad_request';
      signed.session.flash = {
        kind: 'error',
        title: 'Kill switch unchanged',
        text: 'Choose engage or release.',
      };
    } else {
      const engage = action === 'engage';
      this.store.setSetting(
        KILL_SWITCH_SETTING,
        engage ? 'on' : 'off',
        this.audit(signed.principal, 'kill_switch', engage ? 'engaged' : 'released', {
          channel: 'console',
          ...(reason ? { reason } : {}),
        }),
      );
      this.options.logger.warn(
        { principal: signed.principal.label, engaged: engage },
        'console kill switch changed',
      );
      signed.session.flash = engage
        ? {
            kind: 'ok',
            title: 'Kill switch engaged',
            text: 'No write is sent to WHMCS until an admin releases it.',
          }
        : {
            kind: 'ok',
            title: 'Kill switch released',
            text: this.config.writesDisabled
              ? 'The console switch is off, but MCP_WRITES_DISABLED still refuses every write.'
              : 'Approved writes run again.',
          };
    }
    this.redirect(signed.res, '/console/state');
  }
}
