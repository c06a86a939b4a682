import { Admin, Consumer, FetchIsolationLevels, Producer, type BaseOptions } from '@platformatic/kafka';
import { z } from 'zod';
import type { SnapshotProgress } from '../../../shared/job/job-record.ts';
import { formatLsn, parseLsn, type Lsn } from '../../../shared/lsn.ts';
import { committedRecords } from './committed-records.ts';
import type { SinkPosition } from '../sink.ts';

// Exactly-once keeps the job's source position in Kafka itself: every Kafka
// transaction that carries change records also writes one position record to
// the job's position topic (one partition, compacted), so records and
// position become visible together or not at all. A restarted worker first
// fences the previous one (InitProducerId on the job's transactional id
// aborts its open transaction and rejects its later writes), then reads the
// last committed position with read_committed and skips every source
// transaction at or before it.

/** End LSN of the last source commit whose records are committed in Kafka, and the snapshot progress at it. */
export type KafkaPosition = SinkPosition;

export const positionTopicOf = (jobId: string) => `tributary.position.${jobId}`;
/** Stable across restarts, so a new worker fences the old one; "tributary-" is the prefix the precheck's ACL hint names. */
export const transactionalIdOf = (jobId: string) => `tributary-${jobId}`;

// InitProducerId with a producer id and epoch asks to bump *that* epoch
// (KIP-360) and is refused as fenced when another producer holds the id.
// @platformatic/kafka sends 0/0 unless told otherwise; -1/-1 asks for the
// current producer of the transactional id, which is what a new worker wants.
export const FRESH_PRODUCER = { producerId: -1n, producerEpoch: -1 };

// A Kafka transaction open longer than this is aborted by the coordinator,
// and the producer then counts as fenced (fatal). Java's default of 60 s
// would turn a broker outage of a minute into a failed job; 5 minutes
// outlasts a broker restart, and bounds how long a worker killed for good
// leaves read_committed consumers waiting on its open transaction (a
// restarted worker aborts it at once). The broker caps it at
// transaction.max.timeout.ms (15 min by default).
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 300_000;

// One partition keeps one order; compaction keeps the topic small (only the
// latest position per key matters), and an hourly segment lets it work.
export const POSITION_TOPIC_CONFIGS = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.ms', value: String(60 * 60 * 1000) },
  { name: 'min.cleanable.dirty.ratio', value: '0.1' },
];

const PositionRecord = z.object({
  lsn: z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i),
  snapshot: z.custom<SnapshotProgress>((v) => typeof v === 'object' && v !== null && Array.isArray((v as SnapshotProgress).tables)).optional(),
});

export function encodePosition(p: KafkaPosition): string {
  return JSON.stringify({ lsn: formatLsn(p.lsn), ...(p.snapshot ? { snapshot: p.snapshot } : {}) });
}

export function decodePosition(text: string): KafkaPosition {
  const r = PositionRecord.parse(JSON.parse(text));
  return { lsn: parseLsn(r.lsn), ...(r.snapshot ? { snapshot: r.snapshot } : {}) };
}

/** The later of the job store's and Kafka's positions: each says "everything up to here is in Kafka", with its snapshot progress. */
export function laterPosition(stored: { ackedLsn?: string; snapshot?: SnapshotProgress }, kafka: KafkaPosition | undefined): KafkaPosition | undefined {
  const storedLsn = stored.ackedLsn ? parseLsn(stored.ackedLsn) : undefined;
  if (kafka && (storedLsn === undefined || kafka.lsn > storedLsn)) return kafka;
  return storedLsn === undefined ? undefined : { lsn: storedLsn, ...(stored.snapshot ? { snapshot: stored.snapshot } : {}) };
}

type ClientBase = Pick<BaseOptions, 'clientId' | 'bootstrapBrokers' | 'connectTimeout'>;

/**
 * Fences every earlier producer of the job's transactional id, then returns
 * the last position committed to Kafka (undefined before the first commit).
 */
export async function fenceAndReadPosition(opts: { base: ClientBase; jobId: string; transactionTimeoutMs: number }): Promise<KafkaPosition | undefined> {
  await fence(opts);
  const topic = positionTopicOf(opts.jobId);
  const admin = new Admin(opts.base);
  const consumer = new Consumer({ ...opts.base, groupId: `tributary-position-${opts.jobId}`, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const t = metadata.topics.get(topic)!;
    const leader = t.partitions[0].leader;
    // must: read_committed's end (the last stable offset): nothing of an open or aborted transaction counts
    const end = (await consumer.listOffsets({ topics: [topic], isolationLevel: FetchIsolationLevels.READ_COMMITTED })).get(topic)![0];
    const start = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic)![0];
    // Newest first: the last committed record is almost always among the last few offsets (one record and one marker per transaction).
    let to = end;
    for (let span = 256n; to > start; span *= 4n) {
      const from = to - span > start ? to - span : start;
      const last = (await readCommitted(consumer, { topicId: t.id, leader, from, to })).at(-1);
      if (last?.value) return decodePosition(last.value.toString('utf8'));
      to = from;
    }
    return undefined;
  } finally {
    await consumer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

async function fence(opts: { base: ClientBase; jobId: string; transactionTimeoutMs: number }): Promise<void> {
  // InitProducerId answers CONCURRENT_TRANSACTIONS (retriable) until the old transaction's abort is complete.
  const producer = new Producer({ ...opts.base, idempotent: true, transactionalId: transactionalIdOf(opts.jobId), timeout: opts.transactionTimeoutMs, retries: 60, retryDelay: 500, ...FRESH_PRODUCER });
  try {
    const tx = await producer.beginTransaction(); // InitProducerId: bumps the epoch, aborts the old open transaction
    await tx.cancel(); // nothing was sent: ends it locally, no EndTxn
  } finally {
    await producer.close(true).catch(() => undefined);
  }
}

async function readCommitted(consumer: Consumer, r: { topicId: string; leader: number; from: bigint; to: bigint }) {
  const out: ReturnType<typeof committedRecords> = [];
  let offset = r.from;
  while (offset < r.to) {
    const response = await consumer.fetch({
      node: r.leader,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      minBytes: 1,
      maxWaitTime: 500,
      maxBytes: 4 * 1024 * 1024,
      topics: [{ topicId: r.topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 4 * 1024 * 1024 }] }],
    });
    const p = response.responses[0]?.partitions[0];
    const batches = p?.records ?? [];
    if (!batches.length) break; // read_committed stops at the last stable offset
    for (const rec of committedRecords(batches, p!.abortedTransactions)) if (rec.offset >= r.from && rec.offset < r.to) out.push(rec);
    const next = batches.reduce((max, b) => (b.firstOffset + BigInt(b.lastOffsetDelta) + 1n > max ? b.firstOffset + BigInt(b.lastOffsetDelta) + 1n : max), offset);
    if (next <= offset) break;
    offset = next;
  }
  return out;
}
