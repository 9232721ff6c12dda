/**
 * The OAuth 2.1 resource server: turns a JWT access token from the configured issuer into a
 * principal, and describes this server to OAuth clients (RFC 9728 protected resource metadata).
 *
 * Checked on every token: signature against the issuer's published keys (asymmetric algorithms
 * only), issuer, audience, expiry and not-before within MCP_OAUTH_CLOCK_SKEW, and a subject.
 * Scopes map to roles through MCP_OAUTH_ROLE_SCOPES (default `whmcs:read` -> reader,
 * `whmcs:write` -> operator, `whmcs:approve` -> approver, `whmcs:admin` -> admin). A token that
 * grants none of those scopes is refused: the policy layer does not gate reads by role, so a
 * token with no roles would still read everything the server serves.
 * Client ids in MCP_OAUTH_CLIENT_CLAIM bind the principal to those clients; a malformed or empty
 * claim refuses the token rather than leaving it unbound.
 *
 * `verify` never throws: any failure is `null`, logged at debug with the reason and never the
 * token. Failures to reach the issuer are logged at warn, since they refuse everyone.
 */
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Logger } from 'pino';
import type { OAuthConfig } from '../../config/schema.js';
import { isLoopbackHost } from '../../config/variables.js';
import { ROLES, type Principal, type Role } from '../../policy/principal.js';

/** Asymmetric algorithms only: HS* would let anyone holding the public key sign, and none signs nothing. */
export const OAUTH_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** RFC 9728 protected resource metadata, as this server publishes it. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
}

export interface OAuthVerifier {
  /** The principal a bearer token stands for, or null when the token is not acceptable. */
  verify(token: string): Promise<Principal | null>;
  /** The document served at the resource's /.well-known/oauth-protected-resource URL. */
  metadata(resourceUrl: string): ProtectedResourceMetadata;
}

export interface OAuthVerifierOptions {
  logger?: Logger | undefined;
  /** Shortest wait between two key-set fetches for an unknown key id (jose default 30 s). */
  jwksCooldownMs?: number;
  /** How long fetched keys are trusted before a refetch (default 10 minutes). */
  jwksCacheMaxAgeMs?: number;
  /** Timeout for fetching the issuer's metadata and keys (default 5 s). */
  fetchTimeoutMs?: number;
  /** Wait after a failed metadata discovery before trying again (default 30 s). */
  discoveryRetryMs?: number;
}

const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_METADATA_BYTES = 1024 * 1024;
const MAX_SUBJECT_LENGTH = 255;
const MAX_LABEL_LENGTH = 64;
const MAX_CLIENT_IDS = 1000;
const MAX_CLIENT_ID = 2 ** 31 - 1;

/** Codes of jose errors that mean "this token is bad", as opposed to "the issuer is unreachable". */
const TOKEN_ERROR_CODES: ReadonlySet<string> = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/** A refusal whose reason is safe to log (it names claims, never their values or the token). */
class TokenRefused extends Error {}

/**
 * Where RFC 9728 places the metadata of a resource: the well-known suffix goes between the host
 * and the resource's path (https://mcp.example.com/mcp -> .../.well-known/oauth-protected-resource/mcp).
 */
export function protectedResourceMetadataUrl(resourceUrl: string): string {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

function quoteAuthParam(value: string): string {
  return `"${value.replace(/[\\"]/g, (character) => `\\${character}`).replace(/[\r\n]/g, ' ')}"`;
}

/**
 * The WWW-Authenticate value of a 401 (or 403 with insufficient_scope): points the client at the
 * resource metadata so it can find the authorization server (RFC 9728 section 5.1).
 */
export function bearerChallenge(
  resourceMetadataUrl: string,
  problem?: { error: 'invalid_token' | 'insufficient_scope'; description?: string; scope?: string },
): string {
  const params = [`resource_metadata=${quoteAuthParam(resourceMetadataUrl)}`];
  if (problem) {
    params.push(`error=${quoteAuthParam(problem.error)}`);
    if (problem.description !== undefined) {
      params.push(`error_description=${quoteAuthParam(problem.description)}`);
    }
    if (problem.scope !== undefined) params.push(`scope=${quoteAuthParam(problem.scope)}`);
  }
  return `Bearer ${params.join(', ')}`;
}

/** Scopes from `scope` (space-separated, RFC 9068) and `scp` (array or string, common in IdPs). */
export function tokenScopes(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    const items = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
    for (const item of items) if (typeof item === 'string' && item.length > 0) scopes.add(item);
  }
  return scopes;
}

/** Roles granted by a token's scopes, in the order of ROLES. */
export function rolesForScopes(scopes: ReadonlySet<string>, roleScopes: ReadonlyMap<string, Role>): Role[] {
  const granted = new Set<Role>();
  for (const scope of scopes) {
    const role = roleScopes.get(scope);
    if (role !== undefined) granted.add(role);
  }
  return ROLES.filter((role) => granted.has(role));
}

function parseClientId(value: unknown): number | undefined {
  const id = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= MAX_CLIENT_ID ? id : undefined;
}

/** The client ids a token is bound to; undefined when the claim is absent. */
export function clientScopeFromClaim(claim: unknown): number[] | undefined {
  if (claim === undefined) return undefined;
  if (!Array.isArray(claim) || claim.length === 0 || claim.length > MAX_CLIENT_IDS) {
    throw new TokenRefused('client claim is not a non-empty array of client ids');
  }
  const ids = claim.map(parseClientId);
  if (ids.some((id) => id === undefined))
    throw new TokenRefused('client claim holds a value that is not a client id');
  return [...new Set(ids as number[])];
}

/** Control, format (direction-changing) and separator characters never reach a log line. */
function cleanText(value: string): string {
  return value.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').trim();
}

/** What logs and the audit show for an OAuth caller: a readable name, bounded and cleaned. */
export function principalLabel(payload: JWTPayload, subject: string): string {
  for (const claim of [payload.preferred_username, payload.email, subject]) {
    if (typeof claim !== 'string') continue;
    const cleaned = cleanText(claim);
    if (cleaned.length === 0) continue;
    return cleaned.length > MAX_LABEL_LENGTH ? `${cleaned.slice(0, MAX_LABEL_LENGTH - 3)}...` : cleaned;
  }
  return 'oauth-subject';
}

function principalFrom(payload: JWTPayload, config: OAuthConfig): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw new TokenRefused('sub claim is missing or longer than 255 characters');
  }
  if (cleanText(subject) !== subject) throw new TokenRefused('sub claim holds control characters');
  const roles = rolesForScopes(tokenScopes(payload), config.roleScopes);
  if (roles.length === 0) throw new TokenRefused('token grants none of the scopes in MCP_OAUTH_ROLE_SCOPES');
  const clientScope = clientScopeFromClaim(payload[config.clientClaim]);
  return {
    id: `oauth:${subject}`,
    label: principalLabel(payload, subject),
    roles,
    ...(clientScope === undefined ? {} : { clientScope }),
    transport: 'http',
  };
}

/** Plain http is only acceptable for keys on a loopback host, as for the issuer itself. */
function acceptableKeyUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') return url;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) ? url : undefined;
}

/** RFC 8414 inserts the well-known suffix before the issuer's path; OIDC Discovery appends it. */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

function sameIssuer(a: string, b: string): boolean {
  return a === b || a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

async function fetchMetadata(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_METADATA_BYTES) {
    await response.body?.cancel();
    throw new Error('metadata document too large');
  }
  const text = await response.text();
  if (text.length > MAX_METADATA_BYTES) throw new Error('metadata document too large');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('metadata document is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Finds the issuer's jwks_uri from its published metadata, checking the document is the issuer's. */
export async function discoverJwksUrl(issuer: string, timeoutMs: number): Promise<URL> {
  const failures: string[] = [];
  for (const candidate of discoveryUrls(issuer)) {
    try {
      const metadata = await fetchMetadata(candidate, timeoutMs);
      if (typeof metadata.issuer !== 'string' || !sameIssuer(metadata.issuer, issuer)) {
        throw new Error('its issuer does not match MCP_OAUTH_ISSUER');
      }
      const jwksUrl = acceptableKeyUrl(metadata.jwks_uri);
      if (!jwksUrl) throw new Error('jwks_uri is missing or not an https URL');
      return jwksUrl;
    } catch (error) {
      failures.push(`${candidate}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`could not discover the issuer's keys (${failures.join('; ')})`);
}

function describeFailure(error: unknown): { reason: string; issuerProblem: boolean } {
  if (error instanceof TokenRefused) return { reason: error.message, issuerProblem: false };
  if (error instanceof joseErrors.JOSEError) {
    return { reason: `${error.code}: ${error.message}`, issuerProblem: !TOKEN_ERROR_CODES.has(error.code) };
  }
  return { reason: error instanceof Error ? error.message : String(error), issuerProblem: true };
}

/** Undefined unless OAuth is configured (MCP_OAUTH_ISSUER with MCP_OAUTH_AUDIENCE). */
export function createOAuthVerifier(
  config: { oauth: OAuthConfig | undefined },
  options: OAuthVerifierOptions = {},
): OAuthVerifier | undefined {
  const oauth = config.oauth;
  if (oauth === undefined) return undefined;
  const logger = options.logger;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 5_000;
  const discoveryRetryMs = options.discoveryRetryMs ?? 30_000;
  const keySetOf = (url: URL): JWTVerifyGetKey =>
    createRemoteJWKSet(url, {
      timeoutDuration: fetchTimeoutMs,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 10 * 60_000,
    });

  // The key set is resolved once (discovery when no JWKS URL is configured); createRemoteJWKSet
  // then caches keys and refetches when a token names a key id it has not seen (rotation).
  let keySet: Promise<JWTVerifyGetKey> | undefined =
    oauth.jwksUrl === undefined ? undefined : Promise.resolve(keySetOf(new URL(oauth.jwksUrl)));
  let discoveryFailedAt = -Infinity;
  const resolveKeySet = (): Promise<JWTVerifyGetKey> => {
    if (keySet) return keySet;
    if (performance.now() - discoveryFailedAt < discoveryRetryMs) {
      return Promise.reject(new Error('issuer metadata discovery failed recently; waiting before retrying'));
    }
    const discovery = discoverJwksUrl(oauth.issuer, fetchTimeoutMs).then(keySetOf);
    keySet = discovery;
    discovery.catch(() => {
      keySet = undefined;
      discoveryFailedAt = performance.now();
    });
    return discovery;
  };

  const clockTolerance = Math.round(oauth.clockSkewMs / 1000);

  return {
    async verify(token) {
      try {
        if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
          throw new TokenRefused('token is empty or longer than 16 KiB');
        }
        const keys = await resolveKeySet();
        const { payload } = await jwtVerify(token, keys, {
          issuer: oauth.issuer,
          audience: oauth.audience,
          algorithms: [...OAUTH_ALGORITHMS],
          clockTolerance,
          requiredClaims: ['exp', 'sub'],
        });
        return principalFrom(payload, oauth);
      } catch (error) {
        const { reason, issuerProblem } = describeFailure(error);
        if (issuerProblem) logger?.warn({ reason }, 'OAuth token could not be checked against the issuer');
        else logger?.debug({ reason }, 'OAuth token refused');
        return null;
      }
    },
    metadata(resourceUrl) {
      return {
        resource: resourceUrl,
        authorization_servers: [oauth.issuer],
        scopes_supported: [...oauth.roleScopes.keys()],
        bearer_methods_supported: ['header'],
        resource_name: 'whmcs-mcp',
      };
    },
  };
}
