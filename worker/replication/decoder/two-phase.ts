// Two-phase commit messages (protocol v3, slot/subscription option
// `two_phase`): decoded rather than refused, so a slot created with two_phase
// does not stop the stream; what to do with a prepared-but-uncommitted
// transaction is the consumer's business.
import type { ByteReader } from './byte-reader.ts';
import type { PgoutputMessage } from './messages.ts';
import { pgMicrosToUnixMs } from './timestamps.ts';

export const BEGIN_PREPARE = 0x62; // 'b'
export const PREPARE = 0x50; // 'P'
export const COMMIT_PREPARED = 0x4b; // 'K'
export const ROLLBACK_PREPARED = 0x72; // 'r'
export const STREAM_PREPARE = 0x70; // 'p'

/** Decodes the body (after the tag) of one of the five two-phase messages. */
export function decodeTwoPhase(tag: number, r: ByteReader): PgoutputMessage {
  switch (tag) {
    case BEGIN_PREPARE: {
      const prepareLsn = r.lsn();
      const endLsn = r.lsn();
      const prepareTime = r.timestamp();
      const xid = r.u32();
      return { tag: 'beginPrepare', prepareLsn, endLsn, prepareTime, prepareTimeMs: pgMicrosToUnixMs(prepareTime), xid, gid: r.cstring() };
    }
    case PREPARE:
    case STREAM_PREPARE: {
      const flags = r.u8();
      const prepareLsn = r.lsn();
      const endLsn = r.lsn();
      const prepareTime = r.timestamp();
      const xid = r.u32();
      return {
        tag: tag === PREPARE ? 'prepare' : 'streamPrepare',
        flags, prepareLsn, endLsn, prepareTime, prepareTimeMs: pgMicrosToUnixMs(prepareTime), xid, gid: r.cstring(),
      };
    }
    case COMMIT_PREPARED: {
      const flags = r.u8();
      const commitLsn = r.lsn();
      const endLsn = r.lsn();
      const commitTime = r.timestamp();
      const xid = r.u32();
      return { tag: 'commitPrepared', flags, commitLsn, endLsn, commitTime, commitTimeMs: pgMicrosToUnixMs(commitTime), xid, gid: r.cstring() };
    }
    case ROLLBACK_PREPARED: {
      const flags = r.u8();
      const prepareEndLsn = r.lsn();
      const rollbackEndLsn = r.lsn();
      const prepareTime = r.timestamp();
      const rollbackTime = r.timestamp();
      const xid = r.u32();
      return {
        tag: 'rollbackPrepared', flags, prepareEndLsn, rollbackEndLsn, prepareTime, rollbackTime,
        rollbackTimeMs: pgMicrosToUnixMs(rollbackTime), xid, gid: r.cstring(),
      };
    }
    default:
      throw new Error(`not a two-phase tag: 0x${tag.toString(16)}`);
  }
}
