import kafkajs from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader only sees the names its lexer can
// find; ConfigResourceTypes is not one of them, so take it from the default export.
const { ConfigResourceTypes } = kafkajs;
import { pass, warning, type Finding, type Precheck, type PrecheckContext } from '../precheck.ts';
import { formatBytes, listSome, qualified } from '../fix-sql.ts';
import { bootstrap, isKafka, topicsOf } from '../kafka-topics-of.ts';
import { existing, nameOf, selectedTables } from '../selected-tables.ts';

// A record over the topic's max.message.bytes (1 MB by default) is refused
// and fails the job as an "other" error. The widest of a sample of rows is
// read as text (close to its JSON size; a stored size would hide
// compression); the Debezium envelope carries the row twice (before and
// after, with REPLICA IDENTITY FULL) plus the column names and ~1 kB of
// source metadata. It is an estimate, so exceeding it is an ignorable warning.
const SAMPLE_ROWS = 1000;

export const estimateRecordBytes = (rowTextBytes: number, columnNames: string[]) =>
  2 * (rowTextBytes + columnNames.reduce((n, c) => n + c.length + 4, 0)) + 1024;

type Sized = { table: string; topic: string; estimate: number; limit: number; limitFrom: string };

export function assessMessageSizes(sized: Sized[], brokers: string): Finding {
  if (!sized.length) return pass('no readable selected table to sample');
  const over = sized.filter((s) => s.estimate > s.limit);
  const widest = [...sized].sort((a, b) => b.estimate - a.estimate)[0];
  const summary = `largest record estimate ${formatBytes(widest.estimate)} (${widest.table}, from its widest of up to ${SAMPLE_ROWS} sampled rows), limit ${formatBytes(widest.limit)} (${widest.limitFrom})`;
  if (!over.length) return pass(summary);
  return warning(
    `${over.length} table(s) may produce records over the topic's limit: ${listSome(over.map((s) => `${s.table} → ${s.topic}: ~${formatBytes(s.estimate)} > ${formatBytes(s.limit)} (${s.limitFrom})`))}`,
    over
      .map((s) =>
        s.limitFrom.startsWith('topic')
          ? `kafka-configs.sh --bootstrap-server ${brokers} --alter --entity-type topics --entity-name '${s.topic}' --add-config max.message.bytes=${roundUp(s.estimate)}`
          : `kafka-topics.sh --bootstrap-server ${brokers} --create --topic '${s.topic}' --partitions <newTopicPartitions> --config max.message.bytes=${roundUp(s.estimate)}`,
      )
      .join('\n'),
  );
}

const roundUp = (bytes: number) => Math.ceil((bytes * 1.5) / 1_048_576) * 1_048_576;

async function limits(ctx: PrecheckContext, topics: string[]): Promise<Map<string, { limit: number; from: string }>> {
  const admin = await ctx.kafkaAdmin();
  const known = new Set(await admin.listTopics());
  const cluster = await admin.describeCluster();
  const present = topics.filter((t) => known.has(t));
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.BROKER, name: String(cluster.brokers[0].nodeId), configNames: ['message.max.bytes'] },
      ...present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
    ],
  });
  const value = (r: (typeof resources)[number]) => Number(r.configEntries[0]?.configValue ?? 1_048_588);
  const broker = resources.find((r) => r.resourceType === ConfigResourceTypes.BROKER);
  const out = new Map<string, { limit: number; from: string }>();
  for (const t of topics) {
    const r = resources.find((x) => x.resourceType === ConfigResourceTypes.TOPIC && x.resourceName === t);
    out.set(t, r ? { limit: value(r), from: 'topic max.message.bytes' } : { limit: broker ? value(broker) : 1_048_588, from: 'broker message.max.bytes, for a new topic' });
  }
  return out;
}

export const kafkaMessageSize: Precheck = {
  id: 'kafka-message-size',
  title: "Largest row fits Kafka's max.message.bytes",
  requires: ['kafka-brokers', 'source-authentication'],
  appliesTo: isKafka,
  async run(ctx) {
    const tables = existing(await selectedTables(ctx)).filter((t) => t.relation.canSelect && (t.relation.kind === 'r' || t.relation.kind === 'p'));
    const client = await ctx.source();
    const topicOf = new Map([...topicsOf(ctx.job, tables)].flatMap(([topic, names]) => names.map((n) => [n, topic] as const)));
    const byTopic = await limits(ctx, [...new Set(tables.map((t) => topicOf.get(nameOf(t))!))]);
    const sized: Sized[] = [];
    for (const t of tables) {
      const { rows } = await client.query(`SELECT coalesce(max(octet_length(s::text)), 0)::int8 AS bytes FROM (SELECT * FROM ${qualified(t.schema, t.table)} LIMIT ${SAMPLE_ROWS}) AS s`);
      const topic = topicOf.get(nameOf(t))!;
      const limit = byTopic.get(topic)!;
      sized.push({ table: nameOf(t), topic, estimate: estimateRecordBytes(Number(rows[0].bytes), t.relation.columns.map((c) => c.name)), limit: limit.limit, limitFrom: limit.from });
    }
    return assessMessageSizes(sized, bootstrap(ctx.job));
  },
};
