/**
 * The one way this project talks to WHMCS. It owns the HTTP connection pool, the shared rate
 * limiter, read retries and the translation of every WHMCS reply quirk into either a normalized
 * success reply or a WhmcsMcpError with a stable code. Nothing above this layer sees raw bodies.
 */
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import { WhmcsMcpError, type ErrorCode } from '../errors.js';
import { getAction } from './actions.js';
import { encodeParams, type WhmcsParams } from './encode.js';
import { LIMITER_STOPPED, createLimiter, type LimiterKind, type WhmcsLimiter } from './limiter.js';
import { normalizeReply } from './normalize.js';
import { classifyHttpFailure, classifyWhmcsMessage, isMalformedUtf8Message } from './upstream-errors.js';
import { parseXmlReply } from './xml-reply.js';

export interface WhmcsRetryOptions {
  /** Total attempts for a read, first one included. Writes always get exactly one. */
  attempts: number;
  /** Budget for all attempts of one read, in milliseconds. */
  maxTotalMs: number;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface WhmcsClientOptions {
  /** Base URL of WHMCS (https://billing.example.com) or the full URL of includes/api.php. */
  apiUrl: string;
  identifier: string;
  secret: string;
  accessKey?: string | undefined;
  allowHttp?: boolean;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
  /** WHMCS calls per second across the whole process; calls over the rate wait, none is dropped. */
  rateLimitPerSecond?: number;
  maxConcurrency?: number;
  /** Which limiter backend enforces the two limits above (see limiter.ts); `local` by default. */
  limiter?: LimiterKind;
  retry?: Partial<WhmcsRetryOptions>;
  logger?: Logger | undefined;
  /** Observes every finished call (metrics); must not throw. */
  onCall?: (event: WhmcsCallEvent) => void;
}

export interface WhmcsCallOptions {
  signal?: AbortSignal | undefined;
}

export interface WhmcsCallEvent {
  action: string;
  kind: 'read' | 'write';
  outcome: 'success' | ErrorCode;
  attempts: number;
  durationMs: number;
  /** True when the JSON reply failed on malformed UTF-8 and the read was repeated as XML. */
  xmlFallback: boolean;
}

export interface WhmcsClientStats {
  /** HTTP requests sent to WHMCS (retries and XML fallbacks included). */
  requests: number;
  retries: number;
  queued: number;
  running: number;
}

export type WhmcsReply = Record<string, unknown>;

const DEFAULTS = {
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxResponseBytes: 20 * 1024 * 1024,
  rateLimitPerSecond: 10,
  maxConcurrency: 8,
  retry: { attempts: 3, maxTotalMs: 15_000, minDelayMs: 200, maxDelayMs: 2_000 },
} as const;

/** Resolves the API endpoint from a base URL, accepting a URL that already names api.php. */
export function resolveEndpoint(apiUrl: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new WhmcsMcpError('invalid_input', 'WHMCS_API_URL is not a valid URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowHttp)) {
    throw new WhmcsMcpError(
      'invalid_input',
      url.protocol === 'http:'
        ? 'WHMCS_API_URL uses http: credentials would cross the network in clear text. Use https, or set WHMCS_ALLOW_HTTP=true for a local WHMCS or the sandbox.'
        : `WHMCS_API_URL must be an https URL, not ${url.protocol}.`,
    );
  }
  if (url.username || url.password) {
    throw new WhmcsMcpError(
      'invalid_input',
      'WHMCS_API_URL must not carry credentials; use WHMCS_IDENTIFIER and WHMCS_SECRET.',
    );
  }
  if (url.search) {
    throw new WhmcsMcpError(
      'invalid_input',
      'WHMCS_API_URL must not carry a query string; every parameter travels in the request body.',
    );
  }
  if (!/\/api\.php$/i.test(url.pathname)) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/includes/api.php`;
  }
  return url;
}

interface SendResult {
  status: number;
  contentType: string;
  body: string;
  location: string | null;
}

export class WhmcsClient {
  readonly endpoint: URL;
  private readonly options: WhmcsClientOptions;
  private readonly retry: Required<WhmcsRetryOptions>;
  private readonly agentOptions: ConstructorParameters<typeof Agent>[0];
  private agent: Promise<Agent> | undefined;
  private readonly limiter: WhmcsLimiter;
  private readonly logger: Logger | undefined;
  private requests = 0;
  private retries = 0;
  private closed = false;

  constructor(options: WhmcsClientOptions) {
    if (!options.identifier || !options.secret) {
      throw new WhmcsMcpError('invalid_input', 'WHMCS_IDENTIFIER and WHMCS_SECRET are both required.');
    }
    this.options = options;
    this.endpoint = resolveEndpoint(options.apiUrl, options.allowHttp ?? false);
    this.retry = { ...DEFAULTS.retry, ...options.retry };
    this.logger = options.logger;
    const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    const maxConcurrency = options.maxConcurrency ?? DEFAULTS.maxConcurrency;
    this.agentOptions = {
      connections: maxConcurrency,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
    this.limiter = createLimiter(options.limiter ?? 'local', {
      maxConcurrent: maxConcurrency,
      ratePerSecond: options.rateLimitPerSecond ?? DEFAULTS.rateLimitPerSecond,
    });
  }

  /**
   * Calls a WHMCS action and returns its normalized success reply. Reads are retried on transient
   * faults; writes are sent exactly once, whatever happens.
   */
  async call(action: string, params: WhmcsParams = {}, options: WhmcsCallOptions = {}): Promise<WhmcsReply> {
    if (this.closed) throw new WhmcsMcpError('upstream_unavailable', 'The WHMCS client has been closed.');
    const definition = getAction(action);
    const actionName = definition?.name ?? action;
    // An action missing from the table is treated as a write: it is never retried.
    const kind = definition?.kind ?? 'write';
    const form = this.buildForm(actionName, params);
    const started = performance.now();
    let attempts = 0;
    let xmlFallback = false;

    const attempt = async (): Promise<WhmcsReply> => {
      attempts += 1;
      const raw = await this.exchange(actionName, kind, form, 'json', options.signal);
      if (raw.kind === 'malformed_utf8') {
        if (kind === 'write') {
          throw new WhmcsMcpError(
            'upstream_error',
            `WHMCS ran ${actionName} but could not encode its reply (stored text is not valid UTF-8). Check the result in WHMCS before trying again.`,
            { internal: raw.message, details: { action: actionName, delivery: 'executed_reply_unreadable' } },
          );
        }
        xmlFallback = true;
        const xml = await this.exchange(actionName, kind, form, 'xml', options.signal);
        if (xml.kind !== 'reply') {
          throw new WhmcsMcpError('upstream_error', `WHMCS could not encode the reply to ${actionName}.`, {
            internal: xml.message,
          });
        }
        return xml.reply;
      }
      return raw.reply;
    };

    try {
      const reply =
        kind === 'read' && this.retry.attempts > 1
          ? await pRetry(attempt, {
              retries: this.retry.attempts - 1,
              minTimeout: this.retry.minDelayMs,
              maxTimeout: this.retry.maxDelayMs,
              randomize: true,
              maxRetryTime: this.retry.maxTotalMs,
              signal: options.signal,
              unref: true,
              shouldRetry: ({ error }) => error instanceof WhmcsMcpError && error.transient,
              onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
                if (error instanceof WhmcsMcpError && error.transient && retriesLeft > 0) {
                  this.retries += 1;
                  this.logger?.warn(
                    { action: actionName, attempt: attemptNumber, code: error.code, detail: error.internal },
                    'WHMCS read failed; retrying',
                  );
                }
              },
            })
          : await attempt();
      const normalized = normalizeReply(actionName, reply);
      this.report(actionName, kind, 'success', attempts, started, xmlFallback);
      return normalized;
    } catch (caught) {
      const error = this.asWhmcsError(caught, actionName, kind, options.signal);
      this.report(actionName, kind, error.code, attempts, started, xmlFallback);
      this.logger?.warn(
        { action: actionName, kind, code: error.code, attempts, detail: error.internal },
        'WHMCS call failed',
      );
      throw error;
    }
  }

  stats(): WhmcsClientStats {
    return { requests: this.requests, retries: this.retries, ...this.limiter.counts() };
  }

  /** Lets calls in flight finish, refuses new ones, and closes the connection pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.limiter.stop();
    if (this.agent) await (await this.agent).close();
  }

  /**
   * The connection pool, made on the first call: undici takes ~100 ms to load, which a server
   * should not spend before it has answered its first request.
   */
  private connectionPool(): Promise<Agent> {
    this.agent ??= import('undici').then(({ Agent }) => new Agent(this.agentOptions));
    return this.agent;
  }

  private buildForm(action: string, params: WhmcsParams): string {
    const form = new URLSearchParams();
    form.set('action', action);
    form.set('identifier', this.options.identifier);
    form.set('secret', this.options.secret);
    if (this.options.accessKey) form.set('accesskey', this.options.accessKey);
    encodeParams(params, form);
    return form.toString();
  }

  private report(
    action: string,
    kind: 'read' | 'write',
    outcome: WhmcsCallEvent['outcome'],
    attempts: number,
    started: number,
    xmlFallback: boolean,
  ): void {
    const durationMs = performance.now() - started;
    this.logger?.debug({ action, kind, outcome, attempts, durationMs: Math.round(durationMs) }, 'WHMCS call');
    try {
      this.options.onCall?.({ action, kind, outcome, attempts, durationMs, xmlFallback });
    } catch (error) {
      this.logger?.error({ err: error }, 'WHMCS call observer threw');
    }
  }

  /** One HTTP request through the limiter, judged into a reply, a malformed-UTF-8 signal, or an error. */
  private async exchange(
    action: string,
    kind: 'read' | 'write',
    form: string,
    responseType: 'json' | 'xml',
    signal: AbortSignal | undefined,
  ): Promise<{ kind: 'reply'; reply: WhmcsReply } | { kind: 'malformed_utf8'; message: string }> {
    const dispatcher = await this.connectionPool();
    const result = await this.limiter.schedule(
      () => this.send(action, kind, `${form}&responsetype=${responseType}`, dispatcher, signal),
      signal,
    );
    return this.judge(action, kind, result, responseType);
  }

  private async send(
    action: string,
    kind: 'read' | 'write',
    body: string,
    dispatcher: Agent,
    signal: AbortSignal | undefined,
  ): Promise<SendResult> {
    // A call cancelled while it waited in the queue never reaches WHMCS.
    signal?.throwIfAborted();
    // One controller carries both the deadline and the caller's cancellation: cheaper per call
    // than AbortSignal.timeout plus AbortSignal.any, and the deadline covers reading the body too.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs ?? DEFAULTS.timeoutMs);
    const forwardCancel = () => deadline.abort(signal?.reason);
    signal?.addEventListener('abort', forwardCancel, { once: true });
    const timedOut = () => deadline.signal.aborted && !signal?.aborted;
    this.requests += 1;
    try {
      let response: Response;
      try {
        response = await fetch(this.endpoint, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json, application/xml;q=0.9, */*;q=0.1',
            'user-agent': 'whmcs-mcp',
          },
          redirect: 'manual',
          signal: deadline.signal,
          // Node's fetch takes an undici dispatcher; the DOM RequestInit type does not know it.
          ...({ dispatcher } as object),
        });
      } catch (error) {
        throw this.transportError(error, action, kind, timedOut(), signal, 'request');
      }
      try {
        const text = await this.readCapped(response);
        return {
          status: response.status,
          contentType: response.headers.get('content-type') ?? '',
          body: text,
          location: response.headers.get('location'),
        };
      } catch (error) {
        throw this.transportError(error, action, kind, timedOut(), signal, 'reply');
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forwardCancel);
    }
  }

  private async readCapped(response: Response): Promise<string> {
    const cap = this.options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > cap) {
      // Cancelling must not wait for the peer: a slow or hostile server could hold us here.
      response.body?.cancel().catch(() => undefined);
      throw new WhmcsMcpError('upstream_error', `WHMCS sent a reply larger than the ${cap}-byte limit.`, {
        internal: `content-length ${declared}`,
        details: { limit_bytes: cap },
      });
    }
    if (!response.body) return '';
    // A declared length within the cap is what the connection delivers: read it in one go.
    if (Number.isFinite(declared) && response.headers.has('content-length')) return response.text();
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        reader.cancel().catch(() => undefined);
        throw new WhmcsMcpError('upstream_error', `WHMCS sent a reply larger than the ${cap}-byte limit.`, {
          internal: `more than ${cap} bytes received`,
          details: { limit_bytes: cap },
        });
      }
      chunks.push(value);
    }
    // Bad bytes become U+FFFD instead of failing: the XML fallback exists for exactly that data.
    return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
  }

  private transportError(
    error: unknown,
    action: string,
    kind: 'read' | 'write',
    timedOut: boolean,
    callerSignal: AbortSignal | undefined,
    stage: 'request' | 'reply',
  ): WhmcsMcpError {
    if (error instanceof WhmcsMcpError) return error;
    // Once the request may have left, a write's outcome is unknown; the write-flow must reconcile.
    const delivery = kind === 'write' ? { delivery: stage === 'reply' ? 'unknown' : 'maybe_sent' } : {};
    if (callerSignal?.aborted) {
      return new WhmcsMcpError('timeout', `The call to WHMCS (${action}) was cancelled before it finished.`, {
        details: { action, cancelled: true, ...delivery },
      });
    }
    if (timedOut) {
      return new WhmcsMcpError(
        'timeout',
        `WHMCS did not answer ${action} within ${this.options.timeoutMs ?? DEFAULTS.timeoutMs} ms.`,
        { transient: true, details: { action, ...delivery } },
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? '';
    const host = this.endpoint.host;
    // Without a connection nothing reached WHMCS, so a write certainly did not run.
    const notSentDelivery = kind === 'write' ? { delivery: 'not_sent' } : {};
    if (
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT'
    ) {
      return new WhmcsMcpError('timeout', `WHMCS at ${host} timed out (${code}).`, {
        transient: true,
        internal: cause?.message,
        details: { action, ...(code === 'UND_ERR_CONNECT_TIMEOUT' ? notSentDelivery : delivery) },
      });
    }
    const notSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code);
    const hint =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `the host name ${host} does not resolve; check WHMCS_API_URL`
        : code === 'ECONNREFUSED'
          ? `nothing accepts connections at ${host}; check WHMCS_API_URL and that WHMCS is up`
          : code.startsWith('ERR_TLS') || code.includes('CERT')
            ? `the TLS handshake with ${host} failed (${code}); check the certificate`
            : `the connection to ${host} failed${code ? ` (${code})` : ''}`;
    return new WhmcsMcpError('upstream_unavailable', `WHMCS is unreachable: ${hint}.`, {
      transient: true,
      internal: cause?.message ?? (error instanceof Error ? error.message : String(error)),
      details: { action, ...(notSent ? notSentDelivery : delivery) },
    });
  }

  private judge(
    action: string,
    kind: 'read' | 'write',
    result: SendResult,
    responseType: 'json' | 'xml',
  ): { kind: 'reply'; reply: WhmcsReply } | { kind: 'malformed_utf8'; message: string } {
    const body = result.body;
    const trimmed = body.trimStart();
    let parsed: WhmcsReply | undefined;
    if (
      responseType === 'xml'
        ? trimmed.startsWith('<?xml') || trimmed.startsWith('<whmcsapi')
        : trimmed.startsWith('{')
    ) {
      try {
        const value: unknown = responseType === 'xml' ? parseXmlReply(body) : JSON.parse(body);
        if (value !== null && typeof value === 'object' && !Array.isArray(value))
          parsed = value as WhmcsReply;
      } catch {
        parsed = undefined;
      }
    }

    const message = parsed ? replyErrorMessage(parsed) : undefined;
    if (message !== undefined && isMalformedUtf8Message(message) && responseType === 'json') {
      return { kind: 'malformed_utf8', message };
    }
    // Auth and IP refusals often come as 403 with a JSON body: the body names the real reason.
    if (message !== undefined)
      throw classifyWhmcsMessage(message, action, kind, this.endpoint.host, result.status);

    const httpFailure = classifyHttpFailure({
      status: result.status,
      body,
      contentType: result.contentType,
      location: result.location,
      parsed: parsed !== undefined,
      action,
      kind,
      host: this.endpoint.host,
    });
    if (httpFailure) throw httpFailure;
    if (!parsed) {
      throw new WhmcsMcpError(
        'upstream_error',
        `WHMCS sent a reply to ${action} that is not valid ${responseType.toUpperCase()}.`,
        {
          internal: `status ${result.status}, ${body.length} chars: ${body.slice(0, 200)}`,
          details: { action, ...(kind === 'write' ? { delivery: 'unknown' } : {}) },
        },
      );
    }
    return { kind: 'reply', reply: parsed };
  }

  private asWhmcsError(
    caught: unknown,
    action: string,
    kind: 'read' | 'write',
    signal: AbortSignal | undefined,
  ): WhmcsMcpError {
    if (caught instanceof WhmcsMcpError) return caught;
    if (signal?.aborted) {
      return new WhmcsMcpError('timeout', `The call to WHMCS (${action}) was cancelled before it finished.`, {
        details: { action, cancelled: true },
      });
    }
    if (caught instanceof Error && caught.message === LIMITER_STOPPED) {
      return new WhmcsMcpError('upstream_unavailable', 'The WHMCS client is shutting down.', {
        internal: caught.message,
      });
    }
    return new WhmcsMcpError('upstream_error', `The call to WHMCS (${action}) failed unexpectedly.`, {
      internal: caught instanceof Error ? (caught.stack ?? caught.message) : String(caught),
      details: { action, ...(kind === 'write' ? { delivery: 'unknown' } : {}) },
    });
  }
}

/** The error message of a WHMCS error reply (`result:error` or `status:error`), if it is one. */
function replyErrorMessage(reply: WhmcsReply): string | undefined {
  const flagged = reply.result === 'error' || reply.status === 'error';
  if (!flagged) return undefined;
  const message = reply.message;
  return typeof message === 'string' && message.trim() !== ''
    ? message
    : 'WHMCS reported an error without a message';
}
