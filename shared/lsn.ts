// A PostgreSQL LSN is a 64-bit WAL position, written "XXXXXXXX/XXXXXXXX".
// Inside Tributary it is a bigint so that comparisons are exact; strings only
// cross the wire (SQL, JSON, the API).
export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text);
  if (!m) throw new Error(`not an LSN: ${JSON.stringify(text)} (expected the form 16/B374D848)`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  const hi = (lsn >> 32n).toString(16).toUpperCase();
  const lo = (lsn & 0xffffffffn).toString(16).toUpperCase();
  return `${hi}/${lo}`;
}
