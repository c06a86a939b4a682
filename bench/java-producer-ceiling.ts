import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { dependency, ensureJars, mvn, pomOf } from '../scripts/services/maven-jars.ts';
import { run } from './bench-services.ts';

// What the local broker accepts from Kafka's own Java producer
// (org.apache.kafka.tools.ProducerPerformance, the kafka-producer-perf-test
// tool) on this machine: the ceiling any producer meets, Tributary's
// included, whatever its source reads. Records of `recordBytes`, acks=all,
// idempotent, large batches; the broker shares the cores with it as it does
// with the worker.

export function ensureKafkaToolsJars(version: string): Promise<string> {
  return ensureJars('kafka-tools', version, 'Kafka tools', async (libs, work) => {
    writeFileSync(join(work, 'pom.xml'), pomOf('kafka-tools-jars', dependency('org.apache.kafka', 'kafka-tools', version)));
    await mvn(work, ['dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`]);
  });
}

/** Bytes per record of a topic as the broker stored it (log segments ÷ records): the record size to give the Java producer. */
export async function storedBytesPerRecord(brokers: string[], dataDir: string, topic: string): Promise<number> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const records = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    let bytes = 0;
    const logDirs = readdirSync(dataDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isDirectory() && new RegExp(`^${topic.replaceAll('.', '\\.')}-\\d+$`).test(d.name));
    for (const d of logDirs) {
      const dir = join(d.parentPath, d.name);
      for (const f of readdirSync(dir)) if (f.endsWith('.log')) bytes += statSync(join(dir, f)).size;
    }
    return Math.round(bytes / records);
  } finally {
    await admin.disconnect();
  }
}

export async function javaProducerCeiling(opts: { version: string; brokers: string[]; records: number; recordBytes: number; partitions: number }): Promise<{ recordsPerSecond: number; line: string }> {
  const libs = await ensureKafkaToolsJars(opts.version);
  const topic = `ceiling-${Date.now()}`;
  const admin = new Kafka({ brokers: opts.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: opts.partitions }], waitForLeaders: true });
  await admin.disconnect();
  const r = await run('java', [
    '-Xmx512m', '-cp', `${libs}/*`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(opts.records), '--record-size', String(opts.recordBytes), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${opts.brokers.join(',')}`, 'acks=all', 'enable.idempotence=true', 'batch.size=786432', 'linger.ms=5', 'buffer.memory=67108864',
  ]);
  if (r.status !== 0) throw new Error(`ProducerPerformance failed: ${r.stderr || r.stdout}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const m = /records sent, ([\d.]+) records\/sec/.exec(line);
  if (!m) throw new Error(`ProducerPerformance printed no summary: ${line}`);
  return { recordsPerSecond: Number(m[1]), line };
}
