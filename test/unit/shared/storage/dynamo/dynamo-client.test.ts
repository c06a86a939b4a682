import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../../../../shared/storage/dynamo/dynamo-client.ts';

const logger = /^loggerMiddleware\b/;

describe('createDynamoClient', () => {
  it('drops the SDK logger middleware, which redacts a copy of every input and output even for the no-op logger', () => {
    // if the SDK renames it, removing by name silently does nothing: this first line then fails instead
    expect(new DynamoDBClient({ region: 'us-east-1' }).middlewareStack.identify()).toContainEqual(expect.stringMatching(logger));
    for (const client of [createDynamoClient(), createDynamoClient({ endpoint: 'http://127.0.0.1:8000' })]) {
      expect(client.middlewareStack.identify()).not.toContainEqual(expect.stringMatching(logger));
      client.destroy();
    }
  });
});
