/**
 * Request limits kept in memory: a token bucket per principal (MCP_HTTP_RATE_LIMIT per minute),
 * and a failed-authentication counter per source address that locks the address out for a while
 * once it guesses too often. Both forget idle keys, so their memory stays bounded.
 */

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Holds at most `perMinute` requests in a burst and refills at `perMinute` per minute. */
export class PrincipalRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  take(key: string): LimitVerdict {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / this.refillPerMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Drops buckets that are full again: they hold no information. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.perMinute)
        this.buckets.delete(key);
    }
  }
}

interface FailureWindow {
  startedAt: number;
  failures: number;
  blockedUntil: number;
}

export interface AuthFailureLimiterOptions {
  /** Failures allowed per window before the address is locked out. */
  maxFailures: number;
  windowMs: number;
  /** How long a locked-out address is refused, whatever it presents. */
  lockoutMs: number;
  /** Addresses tracked at most; the oldest are forgotten first. */
  maxAddresses?: number;
  now?: () => number;
}

export class AuthFailureLimiter {
  private readonly addresses = new Map<string, FailureWindow>();
  private readonly now: () => number;
  private readonly maxAddresses: number;

  constructor(private readonly options: AuthFailureLimiterOptions) {
    this.now = options.now ?? (() => Date.now());
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** Whether this address may try to authenticate at all right now. */
  check(address: string): LimitVerdict {
    const entry = this.addresses.get(address);
    const now = this.now();
    if (entry === undefined || entry.blockedUntil <= now) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000)) };
  }

  /** Records one failed authentication; returns true when it locked the address out. */
  recordFailure(address: string): boolean {
    const now = this.now();
    let entry = this.addresses.get(address);
    if (entry === undefined || now - entry.startedAt >= this.options.windowMs) {
      entry = { startedAt: now, failures: 0, blockedUntil: entry?.blockedUntil ?? 0 };
    }
    entry.failures += 1;
    // Re-inserting keeps the map in least-recently-failed order for eviction.
    this.addresses.delete(address);
    this.addresses.set(address, entry);
    if (this.addresses.size > this.maxAddresses) {
      const oldest = this.addresses.keys().next().value;
      if (oldest !== undefined) this.addresses.delete(oldest);
    }
    if (entry.failures >= this.options.maxFailures && entry.blockedUntil <= now) {
      entry.blockedUntil = now + this.options.lockoutMs;
      return true;
    }
    return false;
  }

  sweep(): void {
    const now = this.now();
    for (const [address, entry] of this.addresses) {
      if (entry.blockedUntil <= now && now - entry.startedAt >= this.options.windowMs) {
        this.addresses.delete(address);
      }
    }
  }
}
