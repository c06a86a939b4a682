import type { ApiKeyStore } from './api-keys.ts';

// Every request looks its API key up; without a cache that is one store read
// per call on top of the call's own work (half of a GET's latency on
// DynamoDB). Known keys are kept for `ttlMs`, as API Gateway caches an
// authorizer's answer: a key deleted from the store keeps working on a warm
// instance for at most that long. Unknown keys are never cached, so a new key
// works at once and random guesses cannot fill the memory.
export function cachedApiKeys(store: ApiKeyStore, opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): ApiKeyStore {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const known = new Map<string, { tenantId: string; until: number }>();
  return {
    create: (tenantId) => store.create(tenantId),
    async tenantOf(key) {
      const hit = known.get(key);
      if (hit && hit.until > now()) return hit.tenantId;
      known.delete(key);
      const tenantId = await store.tenantOf(key);
      if (tenantId === undefined) return undefined;
      // Map keeps insertion order: the first entry is the oldest
      if (known.size >= maxEntries) known.delete(known.keys().next().value!);
      known.set(key, { tenantId, until: now() + ttlMs });
      return tenantId;
    },
  };
}
