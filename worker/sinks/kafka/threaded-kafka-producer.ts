import { Worker } from 'node:worker_threads';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import type { ErrorCode } from '../../../shared/errors/error-codes.ts';
import type { KafkaProducerOptions, KafkaProducerSide } from './kafka-producer.ts';
import type { KafkaPosition } from './kafka-position.ts';
import { transferablesOf, type RecordBatch } from './record-batch.ts';

type Call = { op: 'prepare'; topics: string[] } | { op: 'send'; batch: RecordBatch } | { op: 'commit'; position: KafkaPosition } | { op: 'close' };
export type ProducerCall = Call & { seq: number };
export type ProducerReply = { seq: number } & ({ ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string });

// How long close waits for the thread's own (bounded) close before it is terminated.
const CLOSE_GRACE_MS = 15_000;
// The thread holds the sends in flight (a few MiB) and the batches waiting for them; its live
// set stays near 30 MB (bench/RESULTS.md). Uncapped, V8 sizes a second heap like the first.
const THREAD_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };

// From the sources the thread's entry is the .ts beside this file; in the worker bundle
// (scripts/bundle-worker.ts) it is kafka-producer-thread.js beside the bundle's chunks.
const THREAD_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './kafka-producer-thread.ts' : './kafka-producer-thread.js', import.meta.url);

// The Kafka producer on a thread of its own. Encoding and sending records
// (the client, the Produce request, the socket) was half of the worker's
// CPU; on its own thread it runs beside decoding and rendering on the main
// thread. Batches cross as one transferred buffer (record-batch.ts). A thread
// that dies fails every pending call, and through them the stream.
export function threadedKafkaProducer(opts: KafkaProducerOptions): KafkaProducerSide {
  const worker = new Worker(THREAD_ENTRY, { workerData: opts, resourceLimits: THREAD_HEAP });
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let seq = 0;
  let dead: TributaryError | undefined;

  const failAll = (err: TributaryError) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: ProducerReply) => {
    const p = pending.get(reply.seq);
    if (!p) return;
    pending.delete(reply.seq);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new TributaryError(reply.code, reply.message));
  });
  worker.on('error', (err) => failAll(new TributaryError('Internal', `the Kafka producer thread failed: ${err.message}`, { cause: err })));
  worker.on('exit', (code) => failAll(new TributaryError('Internal', `the Kafka producer thread exited (code ${code})`)));

  const call = <T>(message: Call, transfer: ArrayBuffer[] = []): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = ++seq;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...message, seq: id }, transfer);
    });
  };

  return {
    prepare: (topics) => call({ op: 'prepare', topics }),
    // The batch's buffers move to the thread (the caller must not touch it after).
    send: (batch) => call({ op: 'send', batch }, transferablesOf(batch)),
    commit: (position) => call({ op: 'commit', position }),
    async close() {
      if (!dead) {
        const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
        await Promise.race([call({ op: 'close' }).catch(() => undefined), grace]);
      }
      dead ??= new TributaryError('Internal', 'the Kafka sink is closed');
      await worker.terminate();
    },
  };
}
