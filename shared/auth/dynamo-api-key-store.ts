import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hashApiKey, newApiKey, type ApiKeyStore } from './api-keys.ts';

// API keys on AWS, in the jobs table: pk = APIKEY#<sha256 of the key>, sk = APIKEY.
// Only the hash is stored; the lookup is by hash, so the raw key is never compared.
export function createDynamoApiKeyStore(opts: { client: DynamoDBClient; tableName: string }): ApiKeyStore {
  const key = (hash: string) => ({ pk: { S: `APIKEY#${hash}` }, sk: { S: 'APIKEY' } });
  return {
    async create(tenantId) {
      const apiKey = newApiKey();
      await opts.client.send(new PutItemCommand({
        TableName: opts.tableName,
        Item: { ...key(hashApiKey(apiKey)), tenantId: { S: tenantId }, createdAt: { S: new Date().toISOString() } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return apiKey;
    },
    async tenantOf(apiKey) {
      const { Item } = await opts.client.send(new GetItemCommand({ TableName: opts.tableName, Key: key(hashApiKey(apiKey)), ConsistentRead: true }));
      return Item?.tenantId?.S;
    },
  };
}
