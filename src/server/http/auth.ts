/**
 * Who is calling over HTTP. With authentication configured, every request carries
 * `Authorization: Bearer <token>`: a consumer token (`wmcp_...`) is looked up in the consumer
 * registry, anything else goes to the OAuth verifier. Without any (loopback only), every caller is
 * one local principal that may read and draft but never approve.
 */
import type { Logger } from 'pino';
import type { ConsumerRegistry } from '../../consumers/registry.js';
import { isConsumerToken } from '../../consumers/tokens.js';
import type { Principal } from '../../policy/principal.js';
import { tokenMatches } from '../dispatch.js';
import type { OAuthVerifier } from './oauth.js';

export type { OAuthVerifier } from './oauth.js';

export const LOCAL_PRINCIPAL_ID = 'http-local';

/** The caller on a loopback server without authentication: never an approver. */
export function httpLocalPrincipal(): Principal {
  return {
    id: LOCAL_PRINCIPAL_ID,
    label: LOCAL_PRINCIPAL_ID,
    roles: ['reader', 'operator'],
    transport: 'http',
  };
}

/** Longest Authorization value read; real tokens (even large JWTs) are far shorter. */
const MAX_AUTHORIZATION_LENGTH = 16_384;

export type AuthOutcome =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing_token' | 'invalid_token' };

export interface HttpAuthenticatorOptions {
  consumers?: ConsumerRegistry | undefined;
  oauth?: OAuthVerifier | undefined;
  /** MCP_AUTH_TOKEN: without other authentication, the local principal must present it. */
  localToken?: string | undefined;
  logger: Logger;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(authorization);
  return match?.[1];
}

export class HttpAuthenticator {
  constructor(private readonly options: HttpAuthenticatorOptions) {}

  /** True when callers must prove who they are (consumers file or OAuth). */
  get configured(): boolean {
    return this.options.consumers !== undefined || this.options.oauth !== undefined;
  }

  /** True when any token is checked at all, including the local MCP_AUTH_TOKEN. */
  get requiresToken(): boolean {
    return this.configured || this.options.localToken !== undefined;
  }

  async authenticate(authorization: string | undefined): Promise<AuthOutcome> {
    if (!this.requiresToken) return { ok: true, principal: httpLocalPrincipal() };
    if (authorization === undefined || authorization.trim() === '')
      return { ok: false, reason: 'missing_token' };
    const token = bearerToken(authorization);
    if (token === undefined) return { ok: false, reason: 'invalid_token' };

    if (!this.configured) {
      return tokenMatches(token, this.options.localToken ?? '')
        ? { ok: true, principal: httpLocalPrincipal() }
        : { ok: false, reason: 'invalid_token' };
    }
    if (isConsumerToken(token)) {
      const principal = await this.options.consumers?.authenticate(token);
      return principal ? { ok: true, principal } : { ok: false, reason: 'invalid_token' };
    }
    if (this.options.oauth === undefined) return { ok: false, reason: 'invalid_token' };
    try {
      const principal = await this.options.oauth.verify(token);
      return principal
        ? { ok: true, principal: { ...principal, transport: 'http' } }
        : { ok: false, reason: 'invalid_token' };
    } catch (error) {
      this.options.logger.warn({ err: error }, 'OAuth token verification failed');
      return { ok: false, reason: 'invalid_token' };
    }
  }

  /** Whether a principal seen earlier still stands (a consumer revoked since then does not). */
  stillActive(principal: Principal): boolean {
    if (!principal.id.startsWith('consumer:')) return true;
    return this.options.consumers?.isActive(principal.id) ?? false;
  }
}
