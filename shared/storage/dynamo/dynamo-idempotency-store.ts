import {
  DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_TTL_MS, type IdempotencyStore } from '../idempotency-store.ts';

// Idempotency records on AWS, in the jobs table: pk = IDEMPOTENCY#<sha256 of the
// scoped key>, sk = IDEMPOTENCY. The claim is one conditional put (absent, or
// expired), so two concurrent requests with one key cannot both win; DynamoDB's
// TTL on `expiresAt` (epoch seconds) removes old records.
export function createDynamoIdempotencyStore(opts: { client: DynamoDBClient; tableName: string }): IdempotencyStore {
  const TableName = opts.tableName;
  const Key = (key: string) => ({ pk: { S: `IDEMPOTENCY#${createHash('sha256').update(key).digest('hex')}` }, sk: { S: 'IDEMPOTENCY' } });
  return {
    async claim(key, fingerprint, now) {
      const expiresAt = Math.floor((now.getTime() + IDEMPOTENCY_TTL_MS) / 1000);
      try {
        await opts.client.send(new PutItemCommand({
          TableName,
          Item: { ...Key(key), fingerprint: { S: fingerprint }, expiresAt: { N: String(expiresAt) } },
          // TTL deletion lags by hours: an expired record still present counts as absent
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
        }));
        return { kind: 'new' };
      } catch (err) {
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      }
      const { Item } = await opts.client.send(new GetItemCommand({ TableName, Key: Key(key), ConsistentRead: true }));
      if (!Item) return { kind: 'in-progress' };
      if (Item.fingerprint?.S !== fingerprint) return { kind: 'mismatch' };
      if (!Item.status?.N) return { kind: 'in-progress' };
      return { kind: 'replay', response: { status: Number(Item.status.N), body: Item.body?.S ?? '', contentType: Item.contentType?.S ?? 'application/json' } };
    },
    async complete(key, r) {
      await opts.client.send(new UpdateItemCommand({
        TableName, Key: Key(key),
        UpdateExpression: 'SET #status = :status, body = :body, contentType = :ct',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': { N: String(r.status) }, ':body': { S: r.body }, ':ct': { S: r.contentType } },
      }));
    },
    async release(key) {
      await opts.client.send(new DeleteItemCommand({ TableName, Key: Key(key) }));
    },
  };
}
