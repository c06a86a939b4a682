import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { describeApiKeyContract, describeIdempotencyContract } from '../unit/shared/storage/idempotency-store-contract.ts';
import { createDynamoIdempotencyStore } from '../../shared/storage/dynamo/dynamo-idempotency-store.ts';
import { createDynamoApiKeyStore } from '../../shared/auth/dynamo-api-key-store.ts';
import { createDynamoClient } from '../../shared/storage/dynamo/dynamo-client.ts';
import { createTables } from '../../shared/storage/dynamo/create-tables.ts';

// The same contracts as the local stores, on a real DynamoDB-compatible engine.
const client = createDynamoClient({ endpoint: inject('services').dynamodb.endpoint });
const freshTable = async () => {
  const tableName = `keys_${randomBytes(4).toString('hex')}`;
  await createTables(client, tableName);
  return tableName;
};

describeIdempotencyContract('DynamoDB (DynamoDB Local)', async () => createDynamoIdempotencyStore({ client, tableName: await freshTable() }));
describeApiKeyContract('DynamoDB (DynamoDB Local)', async () => createDynamoApiKeyStore({ client, tableName: await freshTable() }));
