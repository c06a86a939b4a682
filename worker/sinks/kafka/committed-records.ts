// The records a read_committed consumer may see in one fetched partition,
// decided the way the Java consumer decides it (Fetcher.nextFetchedRecord):
// an aborted transaction listed by the broker starts hiding its producer's
// batches at its first offset and stops at that producer's ABORT marker;
// control batches (the markers) are never records.
//
// @platformatic/kafka 2.12.1 filters aborted batches itself, but with one
// range per producer id: several aborted transactions of one producer in a
// fetch (our transactional id aborts one per crash) leave the earlier ones
// visible. Its filter only ever removes truly aborted batches, so applying
// this one after it is exact.

export type FetchedBatch = {
  firstOffset: bigint;
  lastOffsetDelta: number;
  attributes: number;
  producerId: bigint;
  records: Array<{ offsetDelta: number; key: Buffer | null; value: Buffer | null }>;
};
export type AbortedTransaction = { producerId: bigint; firstOffset: bigint };
export type CommittedRecord = { offset: bigint; key: Buffer | null; value: Buffer | null };

const IS_TRANSACTIONAL = 1 << 4;
const IS_CONTROL = 1 << 5;
const ABORT_MARKER = 0; // control record key: int16 version, int16 type (0 = abort, 1 = commit)

export function committedRecords(batches: readonly FetchedBatch[], aborted: readonly AbortedTransaction[] | null): CommittedRecord[] {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const hiding = new Set<bigint>();
  const out: CommittedRecord[] = [];
  for (const batch of [...batches].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    const transactional = (batch.attributes & IS_TRANSACTIONAL) !== 0;
    if (transactional) {
      while (pending.length && pending[0].firstOffset <= lastOffset) hiding.add(pending.shift()!.producerId);
    }
    if (batch.attributes & IS_CONTROL) {
      const key = batch.records[0]?.key;
      if (transactional && key && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER) hiding.delete(batch.producerId);
      continue;
    }
    if (transactional && hiding.has(batch.producerId)) continue;
    for (const r of batch.records) out.push({ offset: batch.firstOffset + BigInt(r.offsetDelta), key: r.key, value: r.value });
  }
  return out;
}
