import type { MiddlewareHandler } from 'hono';
import type { ApiKeyStore } from '../../shared/auth/api-keys.ts';
import { problem } from './http-errors.ts';

export type AuthEnv = { Variables: { tenantId: string } };

// Every request but health and the OpenAPI document needs `Authorization:
// Bearer <api key>`; the key decides the tenant, and every job lookup is
// scoped to it (another tenant's job is 404, not 403: SPEC.md §8).
export function authenticate(keys: ApiKeyStore): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const tenantId = match ? await keys.tenantOf(match[1]) : undefined;
    if (!tenantId) {
      c.header('www-authenticate', 'Bearer');
      return problem(c, {
        type: 'https://tributary.dev/problems/unauthenticated',
        title: 'Unauthenticated',
        status: 401,
        detail: match ? 'the API key is not valid' : 'send "Authorization: Bearer <api key>"; the local mode prints its key at start and keeps it in <data dir>/api-key',
      });
    }
    c.set('tenantId', tenantId);
    await next();
  };
}
