// PostgreSQL timestamps on the wire: int64 microseconds since the PostgreSQL
// epoch, 2000-01-01 00:00:00 UTC.

/** Milliseconds from the unix epoch to the PostgreSQL epoch. */
export const PG_EPOCH_UNIX_MS = 946_684_800_000;

/** PostgreSQL timestamp (µs since 2000-01-01) → unix epoch ms, rounded down. */
export function pgMicrosToUnixMs(micros: bigint): number {
  let ms = micros / 1000n; // bigint division truncates toward zero
  if (micros < 0n && ms * 1000n !== micros) ms -= 1n;
  return Number(ms) + PG_EPOCH_UNIX_MS;
}
