import { describe, it, expect } from 'vitest';
import type { IdempotencyStore } from '../../../../shared/storage/idempotency-store.ts';
import type { ApiKeyStore } from '../../../../shared/auth/api-keys.ts';

// What every idempotency store and API-key store must do (SQLite locally,
// DynamoDB on AWS).
export function describeIdempotencyContract(name: string, makeStore: () => IdempotencyStore | Promise<IdempotencyStore>) {
  const now = new Date('2026-11-23T10:00:00Z');
  describe(`idempotency store contract: ${name}`, () => {
    it('claims once; a retry with the same fingerprint is in progress, then replays the stored response', async () => {
      const s = await makeStore();
      expect(await s.claim('t1 POST /jobs k1', 'f1', now)).toEqual({ kind: 'new' });
      expect(await s.claim('t1 POST /jobs k1', 'f1', now)).toEqual({ kind: 'in-progress' });
      await s.complete('t1 POST /jobs k1', { status: 201, body: '{"id":"j1"}', contentType: 'application/json' });
      expect(await s.claim('t1 POST /jobs k1', 'f1', now)).toEqual({ kind: 'replay', response: { status: 201, body: '{"id":"j1"}', contentType: 'application/json' } });
    });

    it('the same key with another fingerprint is a mismatch; a released claim can be taken again', async () => {
      const s = await makeStore();
      await s.claim('t1 POST /jobs k2', 'f1', now);
      expect(await s.claim('t1 POST /jobs k2', 'f2', now)).toEqual({ kind: 'mismatch' });
      await s.release('t1 POST /jobs k2');
      expect(await s.claim('t1 POST /jobs k2', 'f2', now)).toEqual({ kind: 'new' });
    });

    it('a record older than 24 h no longer counts', async () => {
      const s = await makeStore();
      await s.claim('t1 POST /jobs k3', 'f1', now);
      expect(await s.claim('t1 POST /jobs k3', 'f2', new Date(now.getTime() + 25 * 3600_000))).toEqual({ kind: 'new' });
    });
  });
}

export function describeApiKeyContract(name: string, makeStore: () => ApiKeyStore | Promise<ApiKeyStore>) {
  describe(`API key store contract: ${name}`, () => {
    it('a created key names its tenant; any other string names none', async () => {
      const s = await makeStore();
      const a = await s.create('tenant-a');
      const b = await s.create('tenant-b');
      expect(await s.tenantOf(a)).toBe('tenant-a');
      expect(await s.tenantOf(b)).toBe('tenant-b');
      expect(await s.tenantOf(`${a}x`)).toBeUndefined();
      expect(await s.tenantOf('')).toBeUndefined();
    });
  });
}
