import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { describeUsageStoreContract } from '../unit/shared/metering/usage-store-contract.ts';
import { createDynamoUsageStore } from '../../shared/metering/dynamo-usage-store.ts';
import { createDynamoClient } from '../../shared/storage/dynamo/dynamo-client.ts';
import { createTables } from '../../shared/storage/dynamo/create-tables.ts';

// The same usage contract as the local store, on a real DynamoDB-compatible engine.
const { endpoint } = inject('services').dynamodb;
const client = createDynamoClient({ endpoint });

describeUsageStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const tableName = `usage_${randomBytes(4).toString('hex')}`;
  await createTables(client, tableName);
  return createDynamoUsageStore({ client, tableName });
});
