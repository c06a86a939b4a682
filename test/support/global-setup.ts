import type { TestProject } from 'vitest/node';
import { PG_MAJORS, startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { KAFKA_VERSIONS, startKafka, type KafkaService } from '../../scripts/services/kafka.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/services/dynamodb-local.ts';

// Starts every real service once for the whole integration run and hands
// their addresses to the tests through vitest's provide/inject.
export type ServiceInfo = {
  postgres: Record<string, { port: number; connectionString: string; major: number }>;
  kafka: Record<string, { brokers: string[]; version: string }>;
  dynamodb: { endpoint: string };
};

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceInfo;
  }
}

export default async function setup(project: TestProject) {
  const started: Array<PostgresService | KafkaService | DynamoDbLocal> = [];
  const log = (what: string) => process.stderr.write(`[services] ${what}\n`);
  try {
    const t0 = Date.now();
    const [pgs, kafkas, dynamodb] = await Promise.all([
      Promise.all(PG_MAJORS.map((major) => startPostgres({ major }))),
      Promise.all(Object.values(KAFKA_VERSIONS).map((version) => startKafka({ version }))),
      startDynamoDbLocal(),
    ]);
    started.push(...pgs, ...kafkas, dynamodb);
    const info: ServiceInfo = { postgres: {}, kafka: {}, dynamodb: { endpoint: dynamodb.endpoint } };
    for (const p of pgs) info.postgres[p.major] = { port: p.port, connectionString: p.connectionString(), major: p.major };
    for (const k of kafkas) info.kafka[k.version] = { brokers: k.brokers, version: k.version };
    log(`PostgreSQL ${PG_MAJORS.join(', ')}, Kafka ${Object.values(KAFKA_VERSIONS).join(', ')} and DynamoDB Local up in ${Date.now() - t0} ms`);
    project.provide('services', info);
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw err;
  }
  return async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
}
