import { describe, expect, it } from 'vitest';
import type { ApiKeyStore } from '../../../../shared/auth/api-keys.ts';
import { cachedApiKeys } from '../../../../shared/auth/cached-api-keys.ts';

/** A store that counts lookups and can forget keys (a revocation). */
function countingStore(keys: Record<string, string>) {
  const calls: string[] = [];
  const store: ApiKeyStore = {
    create: async () => 'unused',
    tenantOf: async (key) => {
      calls.push(key);
      return keys[key];
    },
  };
  return { store, calls, keys };
}

describe('cached API keys', () => {
  it('asks the store once per key while the entry is fresh', async () => {
    const { store, calls } = countingStore({ k1: 'acme' });
    const cached = cachedApiKeys(store);
    for (let i = 0; i < 5; i++) expect(await cached.tenantOf('k1')).toBe('acme');
    expect(calls).toEqual(['k1']);
  });

  it('asks again once the entry is older than the TTL, so a deleted key stops working', async () => {
    let t = 0;
    const backing = countingStore({ k1: 'acme' });
    const cached = cachedApiKeys(backing.store, { ttlMs: 1000, now: () => t });
    expect(await cached.tenantOf('k1')).toBe('acme');
    delete backing.keys.k1;
    t = 999;
    expect(await cached.tenantOf('k1')).toBe('acme');
    t = 1000;
    expect(await cached.tenantOf('k1')).toBeUndefined();
  });

  it('never caches an unknown key: a key created a moment later works at once', async () => {
    const backing = countingStore({});
    const cached = cachedApiKeys(backing.store);
    expect(await cached.tenantOf('new')).toBeUndefined();
    backing.keys.new = 'acme';
    expect(await cached.tenantOf('new')).toBe('acme');
    expect(backing.calls).toEqual(['new', 'new']);
  });

  it('holds at most maxEntries keys, dropping the oldest', async () => {
    const backing = countingStore({ a: 't', b: 't', c: 't' });
    const cached = cachedApiKeys(backing.store, { maxEntries: 2 });
    await cached.tenantOf('a');
    await cached.tenantOf('b');
    await cached.tenantOf('c'); // evicts a
    await cached.tenantOf('b');
    await cached.tenantOf('a');
    expect(backing.calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
