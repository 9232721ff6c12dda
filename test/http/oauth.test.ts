/**
 * The OAuth resource server against a tiny issuer on loopback: a node:http server publishing a
 * JWKS generated here, with tokens signed by jose. Every refusal case must come back as null.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type AppConfig } from '../../src/config/index.js';
import {
  bearerChallenge,
  createOAuthVerifier,
  discoveryUrls,
  protectedResourceMetadataUrl,
  type OAuthVerifier,
} from '../../src/server/http/oauth.js';

const AUDIENCE = 'https://mcp.example.test/mcp';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(kid: string, alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

/** An authorization server that only publishes metadata and keys; tests mint the tokens. */
class TinyIssuer {
  keys: SigningKey[] = [];
  jwksFetches = 0;
  /** What the discovery document claims as issuer; defaults to the real one. */
  advertisedIssuer: string | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = request.url ?? '/';
      if (path === '/jwks') {
        this.jwksFetches += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
        return;
      }
      // Only OIDC discovery is published, so the RFC 8414 location is tried and falls through.
      if (path === '/.well-known/openid-configuration') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ issuer: this.advertisedIssuer ?? this.url, jwks_uri: `${this.url}/jwks` }),
        );
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function configFor(env: Record<string, string>): AppConfig {
  const parsed = parseConfig({
    MCP_ENV: 'test',
    WHMCS_API_URL: 'https://whmcs.example.test',
    WHMCS_IDENTIFIER: 'identifier',
    WHMCS_SECRET: 'secret',
    ...env,
  });
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

function problemsFor(env: Record<string, string>) {
  const parsed = parseConfig({
    WHMCS_API_URL: 'https://whmcs.example.test',
    WHMCS_IDENTIFIER: 'identifier',
    WHMCS_SECRET: 'secret',
    ...env,
  });
  return 'problems' in parsed ? parsed.problems : [];
}

/** Collects log lines so a test can check what a refusal logged (and that the token is absent). */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const now = () => Math.floor(Date.now() / 1000);

describe('OAuth resource server', () => {
  const issuer = new TinyIssuer();
  let rsa: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;
  let stranger: SigningKey;
  let verifier: OAuthVerifier;
  const log = capturingLogger();

  beforeAll(async () => {
    await issuer.start();
    [rsa, ec, ed, stranger] = await Promise.all([
      signingKey('rsa-1', 'RS256'),
      signingKey('ec-1', 'ES256'),
      signingKey('ed-1', 'EdDSA'),
      signingKey('stranger', 'RS256'),
    ]);
    issuer.keys = [rsa, ec, ed];
    const config = configFor({ MCP_OAUTH_ISSUER: issuer.url, MCP_OAUTH_AUDIENCE: AUDIENCE });
    verifier = createOAuthVerifier(config, { logger: log.logger, jwksCooldownMs: 0 })!;
  });

  afterAll(async () => {
    await issuer.stop();
  });

  function token(
    key: SigningKey,
    claims: Record<string, unknown> = {},
    options: { issuer?: string; audience?: string; exp?: number; nbf?: number; kid?: string } = {},
  ): Promise<string> {
    const jwt = new SignJWT({ scope: 'whmcs:read whmcs:write', preferred_username: 'alice', ...claims })
      .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'at+jwt' })
      .setIssuer(options.issuer ?? issuer.url)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? now() + 300);
    if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
    return jwt.sign(key.privateKey);
  }

  it('is off unless MCP_OAUTH_ISSUER is set', () => {
    expect(createOAuthVerifier(configFor({}))).toBeUndefined();
  });

  it('turns a valid token into a principal with mapped roles and client scope', async () => {
    const principal = await verifier.verify(await token(rsa, { whmcs_client_ids: [7, 9, 7] }));
    expect(principal).toEqual({
      id: 'oauth:user-1',
      label: 'alice',
      roles: ['reader', 'operator'],
      clientScope: [7, 9],
      transport: 'http',
    });
  });

  it('accepts ES256 and EdDSA keys and the scp array form, mapping every role', async () => {
    const fromEc = await verifier.verify(await token(ec, { scope: undefined, scp: ['whmcs:approve'] }));
    expect(fromEc?.roles).toEqual(['approver']);
    const fromEd = await verifier.verify(await token(ed, { scope: 'openid whmcs:admin whmcs:read' }));
    expect(fromEd?.roles).toEqual(['reader', 'admin']);
    expect(fromEd?.clientScope).toBeUndefined();
  });

  it('refuses an expired token, and tolerates expiry within the clock skew', async () => {
    expect(await verifier.verify(await token(rsa, {}, { exp: now() - 120 }))).toBeNull();
    expect(await verifier.verify(await token(rsa, {}, { exp: now() - 20 }))).not.toBeNull();
  });

  it('refuses a token that is not valid yet, and tolerates not-before within the clock skew', async () => {
    expect(await verifier.verify(await token(rsa, {}, { nbf: now() + 120 }))).toBeNull();
    expect(await verifier.verify(await token(rsa, {}, { nbf: now() + 20 }))).not.toBeNull();
  });

  it('refuses a token for another audience or from another issuer', async () => {
    expect(
      await verifier.verify(await token(rsa, {}, { audience: 'https://other.example.test/mcp' })),
    ).toBeNull();
    expect(await verifier.verify(await token(rsa, {}, { issuer: 'https://evil.example.test' }))).toBeNull();
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    expect(await verifier.verify(await token(stranger))).toBeNull();
    // Claiming a published key id does not help: the signature does not match that key.
    expect(await verifier.verify(await token(stranger, {}, { kid: rsa.kid }))).toBeNull();
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    for (const secret of [JSON.stringify(rsa.publicJwk), await exportSPKI(rsa.publicKey)]) {
      const forged = await new SignJWT({ scope: 'whmcs:admin' })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setIssuer(issuer.url)
        .setAudience(AUDIENCE)
        .setSubject('attacker')
        .setExpirationTime(now() + 300)
        .sign(new TextEncoder().encode(secret));
      expect(await verifier.verify(forged)).toBeNull();
    }
  });

  it('refuses an unsigned token (alg none)', async () => {
    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    const claims = {
      iss: issuer.url,
      aud: AUDIENCE,
      sub: 'attacker',
      exp: now() + 300,
      scope: 'whmcs:admin',
    };
    expect(await verifier.verify(`${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`)).toBeNull();
    expect(await verifier.verify(`${encode({ alg: 'none', kid: rsa.kid })}.${encode(claims)}.`)).toBeNull();
  });

  it('refuses a token that grants none of the mapped scopes (no roles would read everything)', async () => {
    expect(await verifier.verify(await token(rsa, { scope: undefined }))).toBeNull();
    expect(await verifier.verify(await token(rsa, { scope: 'openid profile email' }))).toBeNull();
    expect(await verifier.verify(await token(rsa, { scope: 'WHMCS:READ' }))).toBeNull();
  });

  it('refuses a token whose client claim is malformed or empty rather than leaving it unbound', async () => {
    for (const claim of [[], 'all', [7, 'x'], [0], [1.5], [-3], { 7: true }, [2 ** 31]]) {
      expect(
        await verifier.verify(await token(rsa, { whmcs_client_ids: claim })),
        JSON.stringify(claim),
      ).toBeNull();
    }
    const fromStrings = await verifier.verify(await token(rsa, { whmcs_client_ids: ['12', 40] }));
    expect(fromStrings?.clientScope).toEqual([12, 40]);
  });

  it('refuses tokens without a subject or expiry, and garbage, without throwing', async () => {
    const noSubject = await new SignJWT({ scope: 'whmcs:read' })
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .setIssuer(issuer.url)
      .setAudience(AUDIENCE)
      .setExpirationTime(now() + 300)
      .sign(rsa.privateKey);
    const noExpiry = await new SignJWT({ scope: 'whmcs:read' })
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .setIssuer(issuer.url)
      .setAudience(AUDIENCE)
      .setSubject('user-1')
      .sign(rsa.privateKey);
    for (const bad of [noSubject, noExpiry, '', 'abc', 'a.b.c', 'x'.repeat(20_000)]) {
      expect(await verifier.verify(bad)).toBeNull();
    }
  });

  it('cleans and bounds the label, falling back to email and then the subject', async () => {
    const noisy = await verifier.verify(
      await token(rsa, { preferred_username: `\u202Eevil\u0007 ${'x'.repeat(100)}` }),
    );
    expect(noisy?.label).toMatch(/^evil x+\.\.\.$/);
    expect(noisy?.label.length).toBe(64);
    const byEmail = await verifier.verify(
      await token(rsa, { preferred_username: '\u200B', email: 'bob@example.test' }),
    );
    expect(byEmail?.label).toBe('bob@example.test');
    const bySubject = await verifier.verify(await token(rsa, { preferred_username: undefined }));
    expect(bySubject?.label).toBe('user-1');
  });

  it('follows key rotation: a new key id in the JWKS is fetched and accepted', async () => {
    const rotated = await signingKey('rsa-2', 'RS256');
    const fetchesBefore = issuer.jwksFetches;
    const early = await token(rotated);
    expect(await verifier.verify(early)).toBeNull();
    issuer.keys = [rotated, ec, ed];
    expect((await verifier.verify(await token(rotated)))?.id).toBe('oauth:user-1');
    expect(issuer.jwksFetches).toBeGreaterThan(fetchesBefore);
    issuer.keys = [rsa, ec, ed];
  });

  it('logs why a token was refused, never the token itself', async () => {
    const expired = await token(rsa, {}, { exp: now() - 600 });
    log.lines.length = 0;
    expect(await verifier.verify(expired)).toBeNull();
    const logged = log.lines.join('');
    expect(logged).toContain('OAuth token refused');
    expect(logged).toContain('ERR_JWT_EXPIRED');
    expect(logged).not.toContain(expired);
    expect(logged).not.toContain(expired.split('.')[1]);
  });

  it('publishes RFC 9728 metadata and builds the WWW-Authenticate challenge', () => {
    expect(verifier.metadata(AUDIENCE)).toEqual({
      resource: AUDIENCE,
      authorization_servers: [issuer.url],
      scopes_supported: ['whmcs:read', 'whmcs:write', 'whmcs:approve', 'whmcs:admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'whmcs-mcp',
    });
    const metadataUrl = protectedResourceMetadataUrl(AUDIENCE);
    expect(metadataUrl).toBe('https://mcp.example.test/.well-known/oauth-protected-resource/mcp');
    expect(protectedResourceMetadataUrl('https://mcp.example.test/')).toBe(
      'https://mcp.example.test/.well-known/oauth-protected-resource',
    );
    expect(bearerChallenge(metadataUrl)).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    expect(bearerChallenge(metadataUrl, { error: 'invalid_token', description: 'bad "token"\r\n' })).toBe(
      `Bearer resource_metadata="${metadataUrl}", error="invalid_token", error_description="bad \\"token\\"  "`,
    );
  });
});

describe('OAuth configuration and discovery', () => {
  const issuer = new TinyIssuer();
  let rsa: SigningKey;

  beforeAll(async () => {
    await issuer.start();
    rsa = await signingKey('rsa-1', 'RS256');
    issuer.keys = [rsa];
  });

  afterAll(async () => {
    await issuer.stop();
  });

  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ scope: 'whmcs:read', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .setIssuer(issuer.url)
      .setAudience(AUDIENCE)
      .setSubject('user-2')
      .setExpirationTime(now() + 300)
      .sign(rsa.privateKey);

  it('uses MCP_OAUTH_JWKS_URL when given, and custom scope names and client claim', async () => {
    const verifier = createOAuthVerifier(
      configFor({
        MCP_OAUTH_ISSUER: issuer.url,
        MCP_OAUTH_AUDIENCE: AUDIENCE,
        MCP_OAUTH_JWKS_URL: `${issuer.url}/jwks`,
        MCP_OAUTH_ROLE_SCOPES: 'reader=billing.read,approver=billing.approve',
        MCP_OAUTH_CLIENT_CLAIM: 'https://example.test/clients',
      }),
    )!;
    const principal = await verifier.verify(
      await sign({ scope: 'billing.read billing.approve whmcs:admin', 'https://example.test/clients': [3] }),
    );
    expect(principal).toMatchObject({ roles: ['reader', 'approver'], clientScope: [3] });
    expect(verifier.metadata(AUDIENCE).scopes_supported).toEqual(['billing.read', 'billing.approve']);
  });

  it('discovers the keys from the issuer metadata (RFC 8414 location first, then OIDC)', async () => {
    expect(discoveryUrls('https://login.example.test/realms/whmcs/')).toEqual([
      'https://login.example.test/.well-known/oauth-authorization-server/realms/whmcs',
      'https://login.example.test/realms/whmcs/.well-known/openid-configuration',
    ]);
    const verifier = createOAuthVerifier(
      configFor({ MCP_OAUTH_ISSUER: issuer.url, MCP_OAUTH_AUDIENCE: AUDIENCE }),
    )!;
    expect((await verifier.verify(await sign({})))?.id).toBe('oauth:user-2');
  });

  it("refuses every token when the issuer's metadata names another issuer, and says so at warn", async () => {
    issuer.advertisedIssuer = 'https://impostor.example.test';
    try {
      const { logger, lines } = capturingLogger();
      const verifier = createOAuthVerifier(
        configFor({ MCP_OAUTH_ISSUER: issuer.url, MCP_OAUTH_AUDIENCE: AUDIENCE }),
        { logger },
      )!;
      expect(await verifier.verify(await sign({}))).toBeNull();
      expect(lines.join('')).toContain('does not match MCP_OAUTH_ISSUER');
      expect(lines.join('')).toContain('"level":40');
    } finally {
      issuer.advertisedIssuer = undefined;
    }
  });

  it('refuses tokens, without throwing, when the issuer cannot be reached', async () => {
    const verifier = createOAuthVerifier(
      configFor({ MCP_OAUTH_ISSUER: 'http://127.0.0.1:9', MCP_OAUTH_AUDIENCE: AUDIENCE }),
      { fetchTimeoutMs: 500 },
    )!;
    expect(await verifier.verify(await sign({}))).toBeNull();
    // A second call within the retry wait answers at once from the remembered failure.
    expect(await verifier.verify(await sign({}))).toBeNull();
  });

  it('checks the OAuth variables together', () => {
    const names = (env: Record<string, string>) => problemsFor(env).map((problem) => problem.variable);
    expect(names({ MCP_OAUTH_ISSUER: 'https://login.example.test' })).toEqual(['MCP_OAUTH_AUDIENCE']);
    expect(names({ MCP_OAUTH_AUDIENCE: AUDIENCE })).toEqual(['MCP_OAUTH_AUDIENCE']);
    expect(names({ MCP_OAUTH_ISSUER: 'http://login.example.test', MCP_OAUTH_AUDIENCE: AUDIENCE })).toEqual([
      'MCP_OAUTH_ISSUER',
    ]);
    expect(
      names({
        MCP_ENV: 'production',
        MCP_OAUTH_ISSUER: 'http://127.0.0.1:8080',
        MCP_OAUTH_AUDIENCE: AUDIENCE,
      }),
    ).toEqual(['MCP_OAUTH_ISSUER']);
    expect(
      names({
        MCP_OAUTH_ISSUER: 'https://login.example.test',
        MCP_OAUTH_AUDIENCE: AUDIENCE,
        MCP_OAUTH_ROLE_SCOPES: 'reader=a,reader=b,root=c,operator=a',
        MCP_OAUTH_CLOCK_SKEW: '10m',
        MCP_OAUTH_CLIENT_CLAIM: 'clients ids',
      }),
    ).toEqual(['MCP_OAUTH_CLOCK_SKEW', 'MCP_OAUTH_ROLE_SCOPES', 'MCP_OAUTH_CLIENT_CLAIM']);
    const config = configFor({
      MCP_OAUTH_ISSUER: 'https://login.example.test',
      MCP_OAUTH_AUDIENCE: AUDIENCE,
      MCP_OAUTH_CLOCK_SKEW: '0s',
    });
    expect(config.oauth).toMatchObject({
      clockSkewMs: 0,
      clientClaim: 'whmcs_client_ids',
      jwksUrl: undefined,
    });
    expect([...config.oauth!.roleScopes]).toEqual([
      ['whmcs:read', 'reader'],
      ['whmcs:write', 'operator'],
      ['whmcs:approve', 'approver'],
      ['whmcs:admin', 'admin'],
    ]);
  });
});
