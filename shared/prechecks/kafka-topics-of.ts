import type { JobRecord } from '../job/job-record.ts';
import type { KafkaDestination } from '../job/job-spec.ts';
import { topicFor } from '../kafka/topic-rule.ts';

// The topic each selected table's changes go to, by the same rule the sink
// applies, so the precheck probes exactly the topics the job will use.
export const PROBE_TOPIC = '__tributary_probe';

/** `tables`: the job's objects resolved on the source (selected-tables.ts jobTables); the listed tables by default. */
export function topicsOf(job: JobRecord, tables: Array<{ schema: string; table: string }> = job.objects.tables): Map<string, string[]> {
  const byTopic = new Map<string, string[]>();
  if (job.destination.type !== 'kafka') return byTopic;
  for (const t of tables) {
    const topic = topicFor(job.destination.topicRule, { database: job.source.database, schema: t.schema, table: t.table });
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), `${t.schema}.${t.table}`]);
  }
  return byTopic;
}

export const isKafka = (job: JobRecord) => job.destination.type === 'kafka';

/** The Kafka destination of a job the Kafka checks apply to (isKafka). */
export function kafkaOf(job: JobRecord): KafkaDestination {
  if (job.destination.type !== 'kafka') throw new Error('the destination is not Kafka');
  return job.destination;
}

/** The first broker, for the admin commands a fix spells out. */
export const bootstrap = (job: JobRecord) => (job.destination.type === 'kafka' ? job.destination.brokers[0] : '<broker>');

/** The per-topic error types inside a kafkajs aggregate error, or the error's own type. */
export function kafkaErrorTypes(err: unknown): string[] {
  const e = err as { type?: string; errors?: Array<{ type?: string }> };
  const types = (e.errors ?? []).map((x) => x.type).filter((t): t is string => Boolean(t));
  return types.length ? [...new Set(types)] : e.type ? [e.type] : [];
}

export const isAuthorizationError = (err: unknown) => kafkaErrorTypes(err).some((t) => t.endsWith('AUTHORIZATION_FAILED'));
