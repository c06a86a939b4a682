import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// API keys authenticate every request and name its tenant. Only a SHA-256 of
// each key is stored: a leaked store yields no usable key. Keys are long
// random strings, so a fast hash is enough (no password-style stretching).
export interface ApiKeyStore {
  /** Stores the hash of a new key for the tenant and returns the key, shown once. */
  create(tenantId: string): Promise<string>;
  /** The tenant of a presented key, or undefined. */
  tenantOf(key: string): Promise<string | undefined>;
}

export const KEY_PREFIX = 'trb_';

export function newApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
