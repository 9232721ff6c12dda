/**
 * Console sessions, held in server memory and named by a random id in the browser's cookie. The
 * token a person signs in with is checked once and never kept. A session ends when idle too long,
 * when it reaches its absolute lifetime, at sign-out, or when its consumer is revoked. Sign-in
 * forms get an anonymous session of their own (for their CSRF token), which signing in replaces
 * with a new id, so an id planted before sign-in is worthless after it.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../policy/principal.js';

export interface Flash {
  kind: 'ok' | 'error';
  title: string;
  text: string;
}

export interface ConsoleSession {
  readonly id: string;
  readonly csrfToken: string;
  /** Null for the anonymous session of a sign-in form. */
  readonly principal: Principal | null;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Shown once on the next page, after a form's redirect. */
  flash: Flash | undefined;
}

export interface ConsoleSessionLimits {
  /** A signed-in session ends after this long without a request. */
  idleMs: number;
  /** ... and after this long in any case. */
  maxAgeMs: number;
  /** How long a sign-in form stays usable. */
  anonymousMs: number;
  maxSignedIn: number;
  maxAnonymous: number;
}

export const DEFAULT_SESSION_LIMITS: ConsoleSessionLimits = {
  idleMs: 30 * 60_000,
  maxAgeMs: 8 * 60 * 60_000,
  anonymousMs: 15 * 60_000,
  maxSignedIn: 1_000,
  maxAnonymous: 1_000,
};

function randomId(): string {
  return randomBytes(32).toString('base64url');
}

export class ConsoleSessionStore {
  private readonly signedIn = new Map<string, ConsoleSession>();
  private readonly anonymous = new Map<string, ConsoleSession>();
  private lastSweep = 0;

  constructor(
    readonly limits: ConsoleSessionLimits,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** How long the cookie of this session may live, in seconds. */
  cookieSeconds(session: ConsoleSession): number {
    const lifetime = session.principal ? this.limits.maxAgeMs : this.limits.anonymousMs;
    return Math.ceil((session.createdAt + lifetime - this.now()) / 1000);
  }

  /** A new anonymous session; the oldest one goes when there are too many (anyone can ask for one). */
  createAnonymous(): ConsoleSession {
    this.sweep();
    while (this.anonymous.size >= this.limits.maxAnonymous) {
      const oldest = this.anonymous.keys().next().value;
      if (oldest === undefined) break;
      this.anonymous.delete(oldest);
    }
    const session = this.build(null);
    this.anonymous.set(session.id, session);
    return session;
  }

  /**
   * Replaces the anonymous session with a signed-in one under a new id and CSRF token. Returns
   * undefined when the signed-in limit is reached: existing sessions are never pushed out.
   */
  signIn(previous: ConsoleSession | undefined, principal: Principal): ConsoleSession | undefined {
    this.sweep();
    if (previous) this.destroy(previous.id);
    if (this.signedIn.size >= this.limits.maxSignedIn) return undefined;
    const session = this.build(principal);
    this.signedIn.set(session.id, session);
    return session;
  }

  /** The live session with this id, touched; an expired one is removed and not returned. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (id === undefined) return undefined;
    this.sweep();
    const session = this.signedIn.get(id) ?? this.anonymous.get(id);
    if (!session) return undefined;
    if (this.expired(session, this.now())) {
      this.destroy(id);
      return undefined;
    }
    session.lastSeenAt = this.now();
    return session;
  }

  destroy(id: string): void {
    this.signedIn.delete(id);
    this.anonymous.delete(id);
  }

  get size(): { signedIn: number; anonymous: number } {
    return { signedIn: this.signedIn.size, anonymous: this.anonymous.size };
  }

  private build(principal: Principal | null): ConsoleSession {
    const now = this.now();
    return {
      id: randomId(),
      csrfToken: randomId(),
      principal,
      createdAt: now,
      lastSeenAt: now,
      flash: undefined,
    };
  }

  private expired(session: ConsoleSession, now: number): boolean {
    if (!session.principal) return now - session.createdAt >= this.limits.anonymousMs;
    return now - session.lastSeenAt >= this.limits.idleMs || now - session.createdAt >= this.limits.maxAgeMs;
  }

  /** Drops expired sessions at most once a minute, on the way through a request. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const sessions of [this.signedIn, this.anonymous]) {
      for (const [id, session] of sessions) if (this.expired(session, now)) sessions.delete(id);
    }
  }
}
