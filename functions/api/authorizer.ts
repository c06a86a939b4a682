import { z } from 'zod';
import type { ApiKeyStore } from '../../shared/auth/api-keys.ts';

// The HTTP API's Lambda authorizer (simple responses): the API key in
// "Authorization: Bearer <key>" names the tenant. API Gateway caches the
// verdict per header for five minutes, so most requests never reach here; the
// Hono app checks the key again (functions/api/authenticate.ts) and scopes by tenant.
export type AuthorizerEvent = { headers?: Record<string, string | undefined> };
export type AuthorizerResult = { isAuthorized: boolean; context?: { tenantId: string } };

export async function authorize(event: AuthorizerEvent, keys: ApiKeyStore): Promise<AuthorizerResult> {
  const header = event.headers?.authorization ?? event.headers?.Authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const tenantId = match ? await keys.tenantOf(match[1]) : undefined;
  return tenantId ? { isAuthorized: true, context: { tenantId } } : { isAuthorized: false };
}

let keys: Promise<ApiKeyStore> | undefined;
export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  keys ??= (async () => {
    const env = z.object({ TRIBUTARY_JOBS_TABLE: z.string().min(1) }).parse(process.env);
    const [{ DynamoDBClient }, { createDynamoApiKeyStore }] = await Promise.all([
      import('@aws-sdk/client-dynamodb'), import('../../shared/auth/dynamo-api-key-store.ts'),
    ]);
    return createDynamoApiKeyStore({ client: new DynamoDBClient({}), tableName: env.TRIBUTARY_JOBS_TABLE });
  })();
  return authorize(event, await keys);
}
