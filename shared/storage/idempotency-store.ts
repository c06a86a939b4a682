// Idempotency keys (the IETF httpapi "Idempotency-Key" draft, as Stripe uses
// it): a retried POST with the same key replays the first response instead of
// creating a second job or starting a job twice.
export type StoredResponse = { status: number; body: string; contentType: string };

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export interface IdempotencyStore {
  /** Claims `key` for a request with this fingerprint (a hash of what was sent). */
  claim(key: string, fingerprint: string, now: Date): Promise<Claim>;
  complete(key: string, response: StoredResponse): Promise<void>;
  /** Forgets a claim whose request failed unexpectedly, so a retry can run it. */
  release(key: string): Promise<void>;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
