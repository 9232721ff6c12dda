/**
 * Consumer tokens: `wmcp_` followed by 32 random bytes in base64url. Only the SHA-256 of a token is
 * ever stored; a presented token is hashed and compared in constant time against every candidate.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const CONSUMER_TOKEN_PREFIX = 'wmcp_';

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^wmcp_[A-Za-z0-9_-]{43}$/;

export function generateConsumerToken(): string {
  return `${CONSUMER_TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
}

/** True for text shaped like a consumer token; anything else (a JWT, say) goes to OAuth. */
export function isConsumerToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** The stored form of a token: lowercase hex SHA-256. */
export function hashConsumerToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Index of the stored hash matching the presented token, or -1. Every candidate is compared, with
 * no early exit, so the time taken does not tell which one matched or how far a guess got.
 */
export function matchTokenHash(presented: string, storedHashes: readonly string[]): number {
  const presentedDigest = createHash('sha256').update(presented, 'utf8').digest();
  let found = -1;
  for (let index = 0; index < storedHashes.length; index += 1) {
    const stored = Buffer.from(storedHashes[index] ?? '', 'hex');
    const equal = stored.length === presentedDigest.length && timingSafeEqual(stored, presentedDigest);
    if (equal && found === -1) found = index;
  }
  return found;
}
