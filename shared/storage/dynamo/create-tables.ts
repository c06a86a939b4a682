import {
  CreateTableCommand, DescribeTableCommand, waitUntilTableExists, type DynamoDBClient, type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from './dynamo-client.ts';

// The table for the local mode, dev and tests. On AWS the CDK StateStack
// (infra/stacks/state-stack.ts) owns it, with the same key schema plus point-in-time recovery
// and deletion protection; keep the two in step.
export const TABLE_KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: 'pk', KeyType: 'HASH' },
  { AttributeName: 'sk', KeyType: 'RANGE' },
];

/** A tenant's jobs in id order without scanning the table (GET /jobs): partition tenantId, sort pk. */
export const TENANT_INDEX = 'byTenant';

/** Creates the table if missing and waits until it is ACTIVE; fails if one exists with other keys. */
export async function createTables(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand({
      TableName: tableName,
      KeySchema: TABLE_KEY_SCHEMA,
      AttributeDefinitions: [...TABLE_KEY_SCHEMA.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' as const })), { AttributeName: 'tenantId', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{
        IndexName: TENANT_INDEX,
        KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }, { AttributeName: 'pk', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
      }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const keys = JSON.stringify(Table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType]));
    const want = JSON.stringify(TABLE_KEY_SCHEMA.map((k) => [k.AttributeName, k.KeyType]));
    if (keys !== want) {
      throw new Error(`table ${tableName} exists with key schema ${keys}, not ${want}: use another table name or delete it`);
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

// `node shared/storage/dynamo/create-tables.ts <table> [--endpoint http://127.0.0.1:8000]`
if (import.meta.main) {
  const [table, flag, endpoint] = process.argv.slice(2);
  if (!table || (flag !== undefined && (flag !== '--endpoint' || !endpoint))) {
    console.error('usage: node shared/storage/dynamo/create-tables.ts <table> [--endpoint URL]');
    process.exit(2);
  }
  const client = createDynamoClient({ endpoint });
  await createTables(client, table);
  client.destroy();
  console.log(`table ${table} is ACTIVE`);
}
