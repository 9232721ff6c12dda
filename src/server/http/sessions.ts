/**
 * MCP sessions over HTTP. Each session is one SDK transport and one MCP server, owned by the
 * principal that opened it: the owner is checked on every request, and to anyone else the session
 * does not exist. Sessions end on DELETE, when idle too long, when their consumer is revoked, and
 * at shutdown; one principal holds a bounded number at once.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import type { Principal } from '../../policy/principal.js';

export interface McpSession {
  readonly id: string;
  /** The principal as of its latest request (roles and scope follow the registry). */
  principal: Principal;
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Requests and streams of this session still open; a session with any is never idle. */
  openRequests: number;
}

export interface SessionStoreOptions {
  idleMs: number;
  maxPerPrincipal: number;
  logger: Logger;
  now?: () => number;
}

export class SessionStore {
  private readonly sessions = new Map<string, McpSession>();
  /** Initializations under way, counted against the principal's limit before they finish. */
  private readonly reserved = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  countFor(principalId: string): number {
    let count = this.reserved.get(principalId) ?? 0;
    for (const session of this.sessions.values()) if (session.principal.id === principalId) count += 1;
    return count;
  }

  /** Holds a place for a new session; false when the principal is at its limit. */
  reserve(principalId: string): boolean {
    if (this.countFor(principalId) >= this.options.maxPerPrincipal) return false;
    this.reserved.set(principalId, (this.reserved.get(principalId) ?? 0) + 1);
    return true;
  }

  release(principalId: string): void {
    const count = (this.reserved.get(principalId) ?? 0) - 1;
    if (count > 0) this.reserved.set(principalId, count);
    else this.reserved.delete(principalId);
  }

  add(session: McpSession): void {
    this.sessions.set(session.id, session);
    this.options.logger.info(
      { principal: session.principal.label, sessions: this.size },
      'http session opened',
    );
  }

  /** Forgets a session whose transport closed (DELETE, or closed here). */
  remove(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.options.logger.info(
      {
        principal: session.principal.label,
        sessions: this.size,
        lifetime_s: Math.round((this.now() - session.createdAt) / 1000),
      },
      'http session closed',
    );
  }

  touch(session: McpSession): void {
    session.lastSeenAt = this.now();
  }

  /** Closes one session: its open streams end and calls in flight are aborted. */
  async close(session: McpSession, reason: string): Promise<void> {
    this.options.logger.info({ principal: session.principal.label, reason }, 'closing http session');
    this.sessions.delete(session.id);
    await session.server.close().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'closing an http session failed');
    });
  }

  /** Ends sessions with nothing open and no request for longer than the idle limit. */
  async expireIdle(): Promise<number> {
    const cutoff = this.now() - this.options.idleMs;
    const idle = [...this.sessions.values()].filter(
      (session) => session.openRequests === 0 && session.lastSeenAt < cutoff,
    );
    await Promise.all(idle.map((session) => this.close(session, 'idle')));
    return idle.length;
  }

  async closeWhere(predicate: (session: McpSession) => boolean, reason: string): Promise<number> {
    const matching = [...this.sessions.values()].filter(predicate);
    await Promise.all(matching.map((session) => this.close(session, reason)));
    return matching.length;
  }

  closeAll(reason: string): Promise<number> {
    return this.closeWhere(() => true, reason);
  }
}
