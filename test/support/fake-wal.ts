import type { WalItem, WalStream } from '../../worker/replication/wal-stream.ts';

/**
 * A WalStream whose batches the test pushes (each `push` is one batch); like
 * the real one, stopReading() and close() end it after what is queued.
 */
export function fakeWal<M>() {
  const queue: Array<WalItem<M>[]> = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const acks: bigint[] = [];
  let closes = 0;
  let stops = 0;
  const poke = () => { const w = wake; wake = undefined; w?.(); };
  const wal: WalStream<M> = {
    async *[Symbol.asyncIterator]() {
      while (true) {
        if (queue.length) yield queue.shift()!;
        else if (closed) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
    ack: (lsn) => void acks.push(lsn),
    stopReading: () => { stops++; closed = true; poke(); },
    close: async () => { closes++; closed = true; poke(); },
  };
  return { wal, acks, closes: () => closes, stops: () => stops, push: (...items: WalItem<M>[]) => { queue.push(items); poke(); }, drained: () => queue.length === 0 };
}
