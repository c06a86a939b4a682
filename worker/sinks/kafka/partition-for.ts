// Java's DefaultPartitioner: toPositive(murmur2(keyBytes)) % partitions, so a
// key lands where a Java producer (Debezium, Kafka Connect) would put it.
// murmur2 is written here with 32-bit integer arithmetic (Math.imul) and reads
// an ASCII key's bytes straight from the string: the client's version works in
// BigInt and copies every key into a Buffer, ~4% of the worker's CPU.
export function javaPartitionFor(key: string | Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/** The partition of a key already rendered as UTF-8 bytes: buf[start, end). */
export function javaPartitionForBytes(buf: Uint8Array, start: number, end: number, partitions: number): number {
  return (murmur2Range(buf, start, end) & 0x7fffffff) % partitions;
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(key: string | Buffer): number {
  if (typeof key !== 'string') return murmur2Range(key, 0, key.length);
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return murmur2(Buffer.from(key));
  return murmur2Of((i) => key.charCodeAt(i), 0, key.length); // an ASCII string's UTF-8 bytes are its char codes
}

function murmur2Range(b: Uint8Array, start: number, end: number): number {
  return murmur2Of((i) => b[i], start, end);
}

function murmur2Of(at: (i: number) => number, start: number, end: number): number {
  let h = SEED ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = end - i; // Java's switch falls through from 3 to 1
  if (rest >= 3) h ^= at(i + 2) << 16;
  if (rest >= 2) h ^= at(i + 1) << 8;
  if (rest >= 1) {
    h ^= at(i);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}
