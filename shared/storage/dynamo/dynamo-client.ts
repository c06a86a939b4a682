import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

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
  const fromEnv = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY;
  const config: DynamoDBClientConfig = !conn.endpoint
    ? (conn.region ? { region: conn.region } : {})
    : {
        endpoint: conn.endpoint,
        region: conn.region ?? process.env.AWS_REGION ?? 'us-east-1',
        ...(fromEnv ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      };
  const client = new DynamoDBClient(config);
  // The SDK's logger middleware builds a redacted copy of every input and output for its
  // logger even when that logger is the default no-op one (@aws-sdk/core loggerMiddleware
  // evaluates the arguments of `logger.info` before the empty call): for GET /jobs that is a
  // schema walk over all 51 items, a fifth of the API's CPU time in bench/api-latency.ts's
  // profile. We never give the client a logger, so the copy is never read.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
