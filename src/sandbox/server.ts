/**
 * The sandbox's HTTP protocol layer: WHMCS's `/includes/api.php` on node:http with the same request
 * decoding, IP check, authentication, action dispatch, reply encodings and failure modes as a real
 * WHMCS, in front of the stateful handlers. Everything stateful is injected, so tests can run it
 * with their own handlers; index.ts wires the real ones.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ActionDefinition } from '../whmcs/action-types.js';
import type { SandboxContext, SandboxHandler } from './context.js';
import {
  JSON_CONTENT_TYPE,
  XML_CONTENT_TYPE,
  malformedUtf8JsonReply,
  writeJsonReply,
  writeXmlReply,
} from './encode.js';
import {
  FaultSettingsError,
  MAINTENANCE_PAGE,
  serverErrorReply,
  type FaultDecision,
  type FaultInjector,
  type FaultSettings,
} from './faults.js';
import { decodePhpParams, decodePhpRequest, type PhpInputLimits } from './php-params.js';
import { SandboxApiError, type SandboxParams } from './types.js';

export const API_PATH = '/includes/api.php';
export const ADMIN_PATH_PREFIX = '/__sandbox/';
/** Test-only: the client IP WHMCS should see, honoured only when the sandbox trusts it. */
export const CLIENT_IP_HEADER = 'x-sandbox-client-ip';
export const ADMIN_TOKEN_HEADER = 'x-sandbox-admin-token';

/** The subset of a pino logger the sandbox uses. */
export interface SandboxLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** What a reset may change; everything else keeps the values the sandbox started with. */
export interface SandboxResetOptions {
  seed?: number;
  clients?: number;
}

export interface SandboxServerConfig<TState> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** API credential (WHMCS 7.2+): `identifier` + `secret`, also accepted as `username` + `password`. */
  identifier: string;
  secret: string;
  /** Legacy admin login: `username` + MD5 hex of this password. */
  adminUsername: string;
  adminPassword: string;
  /** WHMCS's API IP allowlist; empty allows every address. */
  ipAllowlist: readonly string[];
  /** configuration.php `$api_access_key`: a matching `accesskey` skips the IP check (not auth). */
  accessKey: string | undefined;
  /** Honour the X-Sandbox-Client-IP header (tests only). */
  trustClientIpHeader: boolean;
  /** Guards /__sandbox/*; requests without it get the same 404 as any unknown path. */
  adminToken: string;
  /** Largest request body accepted; larger ones get HTTP 413 as from the web server. */
  maxBodyBytes: number;
  inputLimits: PhpInputLimits;
  whmcsVersion: string;
  faults: FaultInjector;
  /** Emulated actions, keyed by catalog name. */
  handlers: Readonly<Record<string, SandboxHandler<TState>>>;
  /** Case-insensitive action lookup (src/whmcs/actions.ts getAction). */
  lookupAction: (name: string) => ActionDefinition | undefined;
  /** Official example replies for reads that are not emulated, keyed by catalog name. */
  exampleReplies: Readonly<Record<string, unknown>>;
  createState: (reset: SandboxResetOptions) => TState;
  now: () => Date;
  logger: SandboxLogger | undefined;
}

/** Calls the sandbox has seen since start or the last reset, by catalog action name. */
export interface SandboxStats {
  requests: number;
  actions: Record<string, number>;
}

export interface SandboxServer<TState> {
  /** Base URL, e.g. http://127.0.0.1:8088. */
  readonly url: string;
  /** The WHMCS API endpoint: url + /includes/api.php. */
  readonly apiUrl: string;
  readonly port: number;
  /** The current state; a reset replaces it. */
  readonly state: TState;
  reset(options?: SandboxResetOptions): void;
  stats(): SandboxStats;
  close(): Promise<void>;
}

type ResponseType = 'json' | 'xml';

/** An API reply before encoding: the body (with `result` where WHMCS puts one) and its HTTP status. */
interface ApiReply {
  status: number;
  body: unknown;
}

const AUTH_PARAMS: ReadonlySet<string> = new Set([
  'action',
  'identifier',
  'secret',
  'username',
  'password',
  'accesskey',
  'responsetype',
]);

const VALID_ACTION_NAME = /^[A-Za-z0-9_-]+$/;
// Documented errors that report an absent parameter, and those that report a bad or unknown one.
const MISSING_PHRASE =
  /\b(?:required|not set|not entered|did not enter|must provide|must supply|must be specified|can ?not be empty|missing)\b|^no\b.*\bprovided\b/i;
const INVALID_PHRASE = /\b(?:not found|invalid|not valid)\b/i;

function errorReply(message: string, status = 200): ApiReply {
  return { status, body: { result: 'error', message } };
}

function stringParam(params: SandboxParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

function secretBytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/**
 * Compares a secret in constant time for its content; only its length can show in the timing,
 * which costs far less per call than hashing both sides (this runs twice on every request).
 */
function sameSecret(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined || Buffer.byteLength(given, 'utf8') !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given, 'utf8'), expected);
}

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** `::ffff:127.0.0.1` is how Node reports IPv4 on a dual-stack socket; WHMCS sees `127.0.0.1`. */
function normalizeIp(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** Whether consecutive words of `text` spell `name` (`Client ID` spells `clientid`). */
function spellsAt(list: readonly string[], start: number, name: string): number {
  let joined = '';
  for (let end = start; end < list.length && joined.length < name.length; end += 1) {
    joined += list[end];
    if (joined === name) return end;
  }
  return -1;
}

/**
 * Whether the words of `text` name the parameter: spelled out (`Client ID` for `clientid`), or
 * with its number a word or two later (`address line 1` for `address1`).
 */
function namesParameter(
  text: string,
  name: string,
  numbered: { stem: string; number: string } | undefined,
): boolean {
  const list = words(text);
  for (let start = 0; start < list.length; start += 1) {
    if (spellsAt(list, start, name) !== -1) return true;
    if (numbered === undefined) continue;
    const end = spellsAt(list, start, numbered.stem);
    if (end !== -1 && list.slice(end + 1, end + 3).includes(numbered.number)) return true;
  }
  return false;
}

/**
 * The error WHMCS gives when a required parameter is absent, inferred from the action's documented
 * errors (a heuristic: the catalog does not say which error belongs to which parameter):
 * 1. a "missing" error whose words name the parameter (`Client ID Is Required` for `clientid`,
 *    `You did not enter your address line 1` for `address1`), then, for a numbered name, one
 *    naming its stem (`You did not enter a password` for `password2`);
 * 2. else a "not found"/"invalid" error naming it (`Invoice ID Not Found`: WHMCS looks up id 0);
 * 3. else `Parameter <name> is required`, the wording WHMCS uses in GetConfigurationValue.
 */
export function missingParameterMessage(action: ActionDefinition, param: string): string {
  const compact = param.toLowerCase().replace(/[^a-z0-9]/g, '');
  const digits = /^(.*[a-z])([0-9]+)$/.exec(compact);
  const numbered = digits === null ? undefined : { stem: digits[1] as string, number: digits[2] as string };
  for (const phrase of [MISSING_PHRASE, INVALID_PHRASE]) {
    const named = (error: string): boolean => phrase.test(error) && namesParameter(error, compact, numbered);
    const match =
      action.errors.find(named) ??
      (numbered === undefined
        ? undefined
        : action.errors.find(
            (error) => phrase.test(error) && namesParameter(error, numbered.stem, undefined),
          ));
    if (match !== undefined) return match;
  }
  return `Parameter ${param} is required`;
}

function firstMissingParameter(action: ActionDefinition, params: SandboxParams): string | undefined {
  for (const param of action.params) {
    if (!param.required || param.deprecated === true || AUTH_PARAMS.has(param.name.toLowerCase())) continue;
    const value = params[param.name];
    if (value === undefined || value === '') return param.name;
  }
  return undefined;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function sendText(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}

const NOT_FOUND_PAGE =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n' +
  '<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n';

const TOO_LARGE_PAGE =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function sendNotFound(res: ServerResponse): void {
  sendText(res, 404, 'text/html; charset=iso-8859-1', NOT_FOUND_PAGE);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON_CONTENT_TYPE, JSON.stringify(body));
}

/** Reads the whole body up to `limit` bytes; undefined when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

function isFormEncoded(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && type.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Starts the protocol layer on a port and resolves once it listens. */
export async function startSandboxServer<TState>(
  config: SandboxServerConfig<TState>,
): Promise<SandboxServer<TState>> {
  const identifierBytes = secretBytes(config.identifier);
  const secretKeyBytes = secretBytes(config.secret);
  const adminUsernameBytes = secretBytes(config.adminUsername);
  const adminPasswordMd5Bytes = secretBytes(md5Hex(config.adminPassword));
  const accessKeyBytes = config.accessKey === undefined ? undefined : secretBytes(config.accessKey);
  const adminTokenBytes = secretBytes(config.adminToken);
  const allowlist: ReadonlySet<string> = new Set(config.ipAllowlist);
  const handlers = new Map(
    Object.entries(config.handlers).map(([name, handler]) => [name.toLowerCase(), handler]),
  );
  const missingMessages = new Map<string, string>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let state = config.createState({});
  let stats: SandboxStats = { requests: 0, actions: {} };
  let closing = false;

  function countCall(name: string): void {
    stats.requests += 1;
    stats.actions[name] = (stats.actions[name] ?? 0) + 1;
  }

  function missingMessage(action: ActionDefinition, param: string): string {
    const key = `${action.name}\u0000${param}`;
    let message = missingMessages.get(key);
    if (message === undefined) {
      message = missingParameterMessage(action, param);
      missingMessages.set(key, message);
    }
    return message;
  }

  function clientIpOf(req: IncomingMessage): string {
    if (config.trustClientIpHeader) {
      const header = req.headers[CLIENT_IP_HEADER];
      if (typeof header === 'string' && header.trim() !== '') return header.trim();
    }
    return normalizeIp(req.socket.remoteAddress);
  }

  /** WHMCS order: API IP allowlist (or access key), then credentials. */
  function checkAccess(params: SandboxParams, clientIp: string): ApiReply | string {
    const accessKey = stringParam(params, 'accesskey');
    if (accessKeyBytes !== undefined && accessKey !== undefined && accessKey !== '') {
      if (!sameSecret(accessKey, accessKeyBytes)) return errorReply('Invalid Access Key', 403);
    } else if (allowlist.size > 0 && !allowlist.has(clientIp)) {
      return errorReply(`Invalid IP ${clientIp}`, 403);
    }
    const identifier = stringParam(params, 'identifier');
    if (identifier !== undefined) {
      if (
        sameSecret(identifier, identifierBytes) &&
        sameSecret(stringParam(params, 'secret'), secretKeyBytes)
      ) {
        return config.adminUsername;
      }
      return errorReply('Authentication Failed', 403);
    }
    const username = stringParam(params, 'username');
    const password = stringParam(params, 'password');
    if (username !== undefined && password !== undefined) {
      // API credentials are also accepted in the legacy fields, as WHMCS 7.2+ documents.
      if (sameSecret(username, identifierBytes) && sameSecret(password, secretKeyBytes))
        return config.adminUsername;
      if (
        sameSecret(username, adminUsernameBytes) &&
        sameSecret(password.toLowerCase(), adminPasswordMd5Bytes)
      ) {
        return config.adminUsername;
      }
    }
    return errorReply('Authentication Failed', 403);
  }

  async function dispatch(
    params: SandboxParams,
    rawAction: string,
    action: ActionDefinition | undefined,
    clientIp: string,
    adminUsername: string,
  ): Promise<ApiReply> {
    if (rawAction === '' || !VALID_ACTION_NAME.test(rawAction))
      return errorReply('Invalid API Command Value');
    if (action === undefined) return errorReply('Command Not Found');
    const missing = firstMissingParameter(action, params);
    if (missing !== undefined) return errorReply(missingMessage(action, missing));
    const handler = handlers.get(action.name.toLowerCase());
    if (handler === undefined) {
      if (action.kind === 'write') {
        return errorReply(
          `The WHMCS sandbox does not emulate ${action.name}; it is a write, so nothing was changed`,
        );
      }
      const example = config.exampleReplies[action.name];
      if (example === undefined) return errorReply(`The WHMCS sandbox has no reply for ${action.name}`);
      return { status: 200, body: example };
    }
    const context: SandboxContext<TState> = {
      state,
      now: config.now,
      clientIp,
      action: action.name,
      adminUsername,
      whmcsVersion: config.whmcsVersion,
    };
    try {
      const outcome = handler(params, context);
      const body = isPromiseLike(outcome) ? await outcome : outcome;
      return { status: 200, body: { result: 'success', ...body } };
    } catch (error) {
      if (error instanceof SandboxApiError) return errorReply(error.message);
      throw error;
    }
  }

  function sendApiReply(
    res: ServerResponse,
    reply: ApiReply,
    responseType: ResponseType,
    xmlAction: string,
    decision: FaultDecision,
  ): void {
    let text: string;
    let contentType: string;
    if (responseType === 'xml') {
      text = writeXmlReply(reply.body, xmlAction, config.whmcsVersion);
      contentType = XML_CONTENT_TYPE;
    } else {
      text = decision.fault === 'malformedUtf8' ? malformedUtf8JsonReply() : writeJsonReply(reply.body).json;
      contentType = JSON_CONTENT_TYPE;
    }
    if (decision.fault === 'emptyBody') {
      sendText(res, 200, 'text/html; charset=UTF-8', '');
      return;
    }
    if (decision.fault === 'truncated') {
      const bytes = Buffer.from(text, 'utf8');
      sendText(res, reply.status, contentType, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    sendText(res, reply.status, contentType, text);
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
    let body: Buffer | undefined;
    if (req.method === 'POST') {
      body = await readBody(req, config.maxBodyBytes);
      if (body === undefined) {
        res.setHeader('Connection', 'close');
        sendText(res, 413, 'text/html', TOO_LARGE_PAGE);
        return;
      }
      // PHP fills $_POST only for form-encoded bodies; any other body is ignored.
      if (!isFormEncoded(req)) body = undefined;
    } else {
      req.resume();
    }
    const params =
      query === ''
        ? decodePhpParams(body ?? '', config.inputLimits)
        : decodePhpRequest(body === undefined ? [query] : [query, body], config.inputLimits);
    const responseType: ResponseType =
      stringParam(params, 'responsetype')?.toLowerCase() === 'xml' ? 'xml' : 'json';
    const rawAction = stringParam(params, 'action')?.trim() ?? '';
    // WHMCS echoes the action lower-cased with anything but letters and digits removed.
    const xmlAction = rawAction.toLowerCase().replace(/[^0-9a-z]/g, '');
    const known = rawAction === '' ? undefined : config.lookupAction(rawAction);
    // Unknown names share one counter, so random action names cannot grow the table.
    countCall(known?.name ?? (rawAction === '' ? '(none)' : '(unknown)'));

    const decision = config.faults.decide(rawAction);
    if (decision.latencyMs > 0) await delay(decision.latencyMs);
    if (closing || res.destroyed) return;
    const clientIp = clientIpOf(req);
    switch (decision.fault) {
      case 'hang':
        return;
      case 'serverError': {
        const page = serverErrorReply(decision.status);
        sendText(res, decision.status, page.contentType, page.body);
        return;
      }
      case 'maintenance':
        sendText(res, 200, 'text/html; charset=UTF-8', MAINTENANCE_PAGE);
        return;
      case 'invalidIp':
        sendApiReply(res, errorReply(`Invalid IP ${clientIp}`, 403), responseType, xmlAction, decision);
        return;
      default:
        break;
    }

    const access = checkAccess(params, clientIp);
    const reply =
      typeof access === 'string' ? await dispatch(params, rawAction, known, clientIp, access) : access;
    sendApiReply(res, reply, responseType, xmlAction, decision);
  }

  async function readAdminJson(req: IncomingMessage): Promise<unknown> {
    const body = await readBody(req, 64 * 1024);
    if (body === undefined) throw new FaultSettingsError('admin request body is larger than 64 KiB');
    const text = body.toString('utf8').trim();
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new FaultSettingsError('admin request body must be JSON');
    }
  }

  function adminAuthorized(req: IncomingMessage): boolean {
    const header = req.headers[ADMIN_TOKEN_HEADER];
    const authorization = req.headers.authorization;
    let token: string | undefined;
    if (typeof header === 'string') token = header;
    else if (authorization !== undefined && /^bearer\s+/i.test(authorization)) {
      token = authorization.replace(/^bearer\s+/i, '');
    }
    return sameSecret(token?.trim(), adminTokenBytes);
  }

  function faultsView(): object {
    return { faults: config.faults.settings, active: config.faults.active, pending: config.faults.pending() };
  }

  function reset(options: SandboxResetOptions = {}): void {
    state = config.createState(options);
    stats = { requests: 0, actions: {} };
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? 'GET'} ${path.slice(ADMIN_PATH_PREFIX.length)}`;
    try {
      switch (route) {
        case 'GET faults':
          sendJson(res, 200, faultsView());
          return;
        case 'POST faults':
          config.faults.set((await readAdminJson(req)) as FaultSettings);
          config.logger?.info({ faults: config.faults.settings }, 'sandbox faults set');
          sendJson(res, 200, faultsView());
          return;
        case 'DELETE faults':
          config.faults.clear();
          config.logger?.info({}, 'sandbox faults cleared');
          sendJson(res, 200, faultsView());
          return;
        case 'POST reset': {
          const options = (await readAdminJson(req)) as Record<string, unknown>;
          const resetOptions: SandboxResetOptions = {};
          for (const key of ['seed', 'clients'] as const) {
            const value = options[key];
            if (value === undefined) continue;
            if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
              throw new FaultSettingsError(`${key} must be a non-negative integer`);
            }
            resetOptions[key] = value;
          }
          reset(resetOptions);
          config.logger?.info(resetOptions, 'sandbox state reset');
          sendJson(res, 200, { reset: true, ...resetOptions });
          return;
        }
        case 'GET stats':
          sendJson(res, 200, stats);
          return;
        default:
          sendNotFound(res);
      }
    } catch (error) {
      if (error instanceof FaultSettingsError) sendJson(res, 400, { error: error.message });
      else throw error;
    }
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    if (path === API_PATH) {
      await handleApi(req, res, queryStart === -1 ? '' : target.slice(queryStart + 1));
      return;
    }
    if (path.startsWith(ADMIN_PATH_PREFIX) && adminAuthorized(req)) {
      await handleAdmin(req, res, path);
      return;
    }
    req.resume();
    sendNotFound(res);
  }

  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      // A handler bug answers like a PHP fatal error would: HTTP 500, and a log line for the developer.
      config.logger?.error({ err: error, url: req.url }, 'sandbox request failed');
      if (!config.logger) console.error('sandbox request failed:', error);
      sendText(res, 500, 'text/html; charset=UTF-8', 'Internal Server Error');
    });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;

  return {
    url,
    apiUrl: `${url}${API_PATH}`,
    port: address.port,
    get state() {
      return state;
    },
    reset,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (closing) {
          resolve();
          return;
        }
        closing = true;
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive and hung requests would hold close() open forever.
        for (const socket of sockets) socket.destroy();
      }),
  };
}
