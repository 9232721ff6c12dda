/**
 * DNS rebinding protection. A page on another site can point its own host name at 127.0.0.1 and
 * have the browser call this server; the Host header then names the attacker's host, and the
 * Origin header the attacker's page. Both are checked before anything else happens.
 */
import { isIP } from 'node:net';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is loopback too.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/** The host part of a Host header, lowercased, IPv6 kept in brackets, port removed. */
export function hostHeaderName(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(0, end + 1);
  }
  const colon = value.indexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

const HOST_HEADER = /^(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

export interface OriginPolicyOptions {
  /** The address the server is bound to. */
  boundHost: string;
  /** MCP_HTTP_ALLOWED_HOSTS plus the public URL's host, if any. */
  extraHosts: readonly string[];
  /** MCP_HTTP_ALLOWED_ORIGINS. */
  allowedOrigins: readonly string[];
}

export type OriginVerdict = { ok: true } | { ok: false; reason: 'host_not_allowed' | 'origin_not_allowed' };

export class OriginPolicy {
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;

  constructor(options: OriginPolicyOptions) {
    const bound = options.boundHost.includes(':') ? `[${options.boundHost}]` : options.boundHost;
    this.hosts = new Set(
      ['localhost', '127.0.0.1', '[::1]', bound.toLowerCase(), ...options.extraHosts].map((host) =>
        host.toLowerCase(),
      ),
    );
    this.origins = new Set(options.allowedOrigins);
  }

  check(hostHeader: string | undefined, originHeader: string | undefined): OriginVerdict {
    // The whole header must be a host and an optional port: it is echoed into URLs and challenges.
    if (
      hostHeader === undefined ||
      !HOST_HEADER.test(hostHeader) ||
      !this.hosts.has(hostHeaderName(hostHeader))
    ) {
      return { ok: false, reason: 'host_not_allowed' };
    }
    if (originHeader === undefined) return { ok: true };
    if (this.origins.has(originHeader)) return { ok: true };
    // Same origin: a page served from this very host (its Host already passed the check above).
    try {
      const origin = new URL(originHeader);
      if (origin.host === hostHeader.trim().toLowerCase()) return { ok: true };
    } catch {
      // 'null' and other opaque origins are never same-origin.
    }
    return { ok: false, reason: 'origin_not_allowed' };
  }
}
