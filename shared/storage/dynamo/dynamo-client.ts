import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type DynamoConnection = {
  /** An emulator (DynamoDB Local, LocalStack). Omit on AWS. */
  endpoint?: string;
  region?: string;
};

// Without an explicit endpoint the SDK's own chain applies: region and credentials from the
// environment or the task role, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB if set (the SDK v3
// reads them natively). An explicit endpoint means an emulator, which accepts any credentials, so
// dummy ones stand in when the environment has none: no AWS account is needed for tests.
export function createDynamoClient(conn: DynamoConnection = {}): DynamoDBClient {
  if (!conn.endpoint) return new DynamoDBClient(conn.region ? { region: conn.region } : {});
  const fromEnv = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY;
  return new DynamoDBClient({
    endpoint: conn.endpoint,
    region: conn.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(fromEnv ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}
