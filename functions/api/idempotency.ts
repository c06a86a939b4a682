import type { MiddlewareHandler } from 'hono';
import { createHash } from 'node:crypto';
import type { IdempotencyStore } from '../../shared/storage/idempotency-store.ts';
import type { AuthEnv } from './authenticate.ts';
import { problem } from './http-errors.ts';

// For POSTs carrying `Idempotency-Key`: the first request runs and its
// response is kept for 24 h; a retry with the same key and body gets that
// response again (header `Idempotent-Replayed: true`), the same key with a
// different body is 422, and a retry while the first still runs is 409.
export function idempotency(store: IdempotencyStore): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      return problem(c, { type: 'https://tributary.dev/problems/validation', title: 'Invalid Idempotency-Key', status: 400, detail: 'Idempotency-Key is 1–255 visible ASCII characters, e.g. a UUID' });
    }
    const scoped = `${c.get('tenantId')} ${c.req.method} ${c.req.path} ${key}`;
    const fingerprint = createHash('sha256').update(await c.req.text()).digest('hex');
    const claim = await store.claim(scoped, fingerprint, new Date());
    if (claim.kind === 'replay') {
      return c.body(claim.response.body, claim.response.status as 200, { 'content-type': claim.response.contentType, 'idempotent-replayed': 'true' });
    }
    if (claim.kind === 'mismatch') {
      return problem(c, { type: 'https://tributary.dev/problems/idempotency-mismatch', title: 'Idempotency-Key reused', status: 422, detail: `Idempotency-Key ${key} was used for a different request body; use a new key for a new request` });
    }
    if (claim.kind === 'in-progress') {
      return problem(c, { type: 'https://tributary.dev/problems/idempotency-in-progress', title: 'Request in progress', status: 409, detail: `a request with Idempotency-Key ${key} is still running; retry after it finishes` });
    }
    try {
      await next();
    } catch (err) {
      await store.release(scoped);
      throw err;
    }
    if (c.res.status >= 500) return void (await store.release(scoped)); // a server fault may succeed on retry
    await store.complete(scoped, { status: c.res.status, body: await c.res.clone().text(), contentType: c.res.headers.get('content-type') ?? 'application/json' });
  };
}
