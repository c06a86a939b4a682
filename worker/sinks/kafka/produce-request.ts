import { createRequire } from 'node:module';
import { crc32c as libraryCrc32c } from '@platformatic/kafka';
import { BatchRecord, IDEMPOTENCY_HEADER } from './record-batch.ts';

// The body of a Kafka Produce request (versions 9–11: flexible encoding,
// record batch v2), written in two passes into one buffer. This is the hot
// path of the sink: the client's own encoder builds a Writer and a
// DynamicBuffer per record and converts every timestamp to a BigInt, which
// cost ~10 µs per change (bench/RESULTS.md); this one measures each record,
// allocates once and writes strings straight into place. Everything else —
// which request version, sequences, transactions, retries, the response — is
// still the client's: `fast-producer.ts` swaps in only this encoding.

/** A message as the producer hands it to the Produce API, after serialization; a BatchRecord value stands for key, value and headers. */
export type ProduceMessage = {
  topic: string;
  partition: number;
  key?: string | Buffer | null;
  value?: string | Buffer | null | BatchRecord;
  headers?: Map<string | Buffer, string | Buffer | null | undefined>;
  timestamp?: bigint | number;
};

/** The client's produce options: the idempotent producer's identity and each partition's first sequence number. */
export type ProduceOptions = {
  producerId?: bigint;
  producerEpoch?: number;
  sequences?: Map<string, number>;
  transactionalId?: string | null;
};

const IS_TRANSACTIONAL = 1 << 4;
const MAGIC = 2;
// baseOffset … recordsCount, before the first record
const BATCH_HEADER = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
const CRC_FROM = 8 + 4 + 4 + 1 + 4; // the CRC covers attributes to the end

const crc32c: (data: Buffer) => number = (() => {
  try {
    // The client's optional native CRC (it copies the input first; called directly it does not).
    return createRequire(import.meta.url)('@node-rs/crc32').crc32c;
  } catch {
    return (data: Buffer) => libraryCrc32c(data);
  }
})();

const byteLength = (v: string | Buffer | null | undefined) => (v == null ? -1 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
const HEADER_KEY = Buffer.from(IDEMPOTENCY_HEADER);
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);

function varintSize(unsigned: number): number {
  let size = 1;
  while (unsigned >= 128) {
    unsigned = Math.floor(unsigned / 128);
    size++;
  }
  return size;
}

type Partition = { topic: string; partition: number; messages: ProduceMessage[]; sizes: number[]; bodySize: number; batchSize: number };

export function encodeProduceRequest(acks: number, timeoutMs: number, messages: ProduceMessage[], options: ProduceOptions, nowMs = Date.now()): Buffer {
  // Pass 1: group by topic and partition (order kept within each) and measure every record.
  const topics = new Map<string, Map<number, Partition>>();
  for (const m of messages) {
    let partitions = topics.get(m.topic);
    if (!partitions) topics.set(m.topic, (partitions = new Map()));
    let p = partitions.get(m.partition);
    if (!p) partitions.set(m.partition, (p = { topic: m.topic, partition: m.partition, messages: [], sizes: [], bodySize: 0, batchSize: 0 }));
    p.messages.push(m);
  }
  // Ascending partitions, as the client orders them (the broker takes any order): the unit test compares bytes.
  for (const [topic, partitions] of topics) topics.set(topic, new Map([...partitions].sort((a, b) => a[0] - b[0])));
  const transactionalId = options.transactionalId == null ? null : Buffer.from(options.transactionalId);
  let total = (transactionalId ? varintSize(transactionalId.length + 1) + transactionalId.length : 1) + 2 + 4 + varintSize(topics.size + 1) + 1;
  for (const [topic, partitions] of topics) {
    total += varintSize(Buffer.byteLength(topic) + 1) + Buffer.byteLength(topic) + varintSize(partitions.size + 1) + 1;
    for (const p of partitions.values()) {
      const first = timestampOf(p.messages[0], nowMs);
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i];
        const body = recordBodySize(m, i, timestampOf(m, nowMs) - first);
        p.sizes.push(body);
        p.bodySize += varintSize(zigzag(body)) + body;
      }
      p.batchSize = BATCH_HEADER + p.bodySize;
      total += 4 + varintSize(p.batchSize + 1) + p.batchSize + 1;
    }
  }

  // Pass 2: write.
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  const u8 = (v: number) => {
    buf[pos++] = v;
  };
  const uvarint = (v: number) => {
    while (v >= 128) {
      buf[pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
  };
  const bytes = (v: string | Buffer) => {
    pos += typeof v === 'string' ? buf.write(v, pos, 'utf8') : v.copy(buf, pos);
  };
  const span = (data: Buffer, at: number, length: number) => {
    uvarint(zigzag(length));
    if (length > 0) pos += data.copy(buf, pos, at, at + length);
  };
  const lengthAndBytes = (v: string | Buffer | null | undefined, length: number) => {
    uvarint(zigzag(length));
    if (length > 0) bytes(v!);
  };

  if (transactionalId) {
    uvarint(transactionalId.length + 1);
    bytes(transactionalId);
  } else u8(0);
  pos = buf.writeInt16BE(acks, pos);
  pos = buf.writeInt32BE(timeoutMs, pos);
  uvarint(topics.size + 1);
  for (const [topic, partitions] of topics) {
    uvarint(Buffer.byteLength(topic) + 1);
    bytes(topic);
    uvarint(partitions.size + 1);
    for (const p of partitions.values()) {
      pos = buf.writeInt32BE(p.partition, pos);
      uvarint(p.batchSize + 1);
      const batchStart = pos;
      const first = timestampOf(p.messages[0], nowMs);
      let max = first;
      for (const m of p.messages) max = Math.max(max, timestampOf(m, nowMs));
      pos = buf.writeBigInt64BE(0n, pos); // baseOffset: the broker assigns it
      pos = buf.writeInt32BE(p.batchSize - 12, pos);
      pos = buf.writeInt32BE(0, pos); // partitionLeaderEpoch: the broker's to set
      u8(MAGIC);
      const crcAt = pos;
      pos += 4;
      pos = buf.writeInt16BE(options.transactionalId ? IS_TRANSACTIONAL : 0, pos);
      pos = buf.writeInt32BE(p.messages.length - 1, pos);
      pos = buf.writeBigInt64BE(BigInt(first), pos);
      pos = buf.writeBigInt64BE(BigInt(max), pos);
      pos = buf.writeBigInt64BE(options.producerId ?? -1n, pos);
      pos = buf.writeInt16BE(options.producerEpoch ?? 0, pos);
      pos = buf.writeInt32BE(options.sequences?.get(`${p.topic}:${p.partition}`) ?? 0, pos);
      pos = buf.writeInt32BE(p.messages.length, pos);
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i];
        uvarint(zigzag(p.sizes[i]));
        u8(0); // attributes
        uvarint(zigzag(timestampOf(m, nowMs) - first));
        uvarint(zigzag(i));
        const v = m.value;
        if (v instanceof BatchRecord) {
          const { data, spans } = v.batch;
          const at = v.index * 6;
          span(data, spans[at], spans[at + 1]);
          span(data, spans[at + 2], spans[at + 3]);
          u8(2); // one header: zigzag(1)
          span(HEADER_KEY, 0, HEADER_KEY.length);
          span(data, spans[at + 4], spans[at + 5]);
          continue;
        }
        lengthAndBytes(m.key, byteLength(m.key));
        lengthAndBytes(v, byteLength(v));
        uvarint(zigzag(m.headers?.size ?? 0));
        if (m.headers) {
          for (const [k, v] of m.headers) {
            lengthAndBytes(k, byteLength(k));
            lengthAndBytes(v, byteLength(v));
          }
        }
      }
      buf.writeUInt32BE(crc32c(buf.subarray(batchStart + CRC_FROM, pos)) >>> 0, crcAt);
      u8(0); // partition tagged fields
    }
    u8(0); // topic tagged fields
  }
  u8(0); // request tagged fields
  if (pos !== total) throw new Error(`produce request: wrote ${pos} bytes, measured ${total}`);
  return buf;
}

function timestampOf(m: ProduceMessage, nowMs: number): number {
  return m.timestamp === undefined ? nowMs : Number(m.timestamp);
}

function recordBodySize(m: ProduceMessage, offsetDelta: number, timestampDelta: number): number {
  let size = 1 + varintSize(zigzag(timestampDelta)) + varintSize(zigzag(offsetDelta));
  const v = m.value;
  if (v instanceof BatchRecord) {
    const spans = v.batch.spans;
    const at = v.index * 6;
    const sized = (length: number) => varintSize(zigzag(length)) + Math.max(length, 0);
    return size + sized(spans[at + 1]) + sized(spans[at + 3]) + 1 + sized(HEADER_KEY.length) + sized(spans[at + 5]);
  }
  const key = byteLength(m.key);
  const value = byteLength(v);
  size += varintSize(zigzag(key)) + Math.max(key, 0) + varintSize(zigzag(value)) + Math.max(value, 0);
  size += varintSize(zigzag(m.headers?.size ?? 0));
  if (m.headers) {
    for (const [k, v] of m.headers) {
      const kl = byteLength(k);
      const vl = byteLength(v);
      size += varintSize(zigzag(kl)) + Math.max(kl, 0) + varintSize(zigzag(vl)) + Math.max(vl, 0);
    }
  }
  return size;
}
