import { describe, expect, it } from 'vitest';
import { createChangeBuilder } from '../../../../worker/stream/change-builder.ts';
import { refuseUnservable, skipEarlierCommits, startPointOf } from '../../../../worker/snapshot/start-point.ts';
import type { PgoutputMessage } from '../../../../worker/replication/decoder/messages.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');

describe('start point', () => {
  it('reads the start point of an incremental start mode', () => {
    expect(startPointOf({ type: 'full+incremental' })).toBeUndefined();
    expect(startPointOf({ type: 'incremental' })).toBeUndefined();
    expect(startPointOf({ type: 'incremental', fromTimestamp: '2026-11-23T11:00:00+01:00' })).toEqual({ beforeMs: T0 });
    expect(startPointOf({ type: 'incremental', fromLsn: '1/0' })).toEqual({ beforeLsn: 0x100000000n });
  });

  it('refuses a point before a new slot existed, with the times in the message', () => {
    expect(() => refuseUnservable({ beforeMs: T0 - 1 }, { createdAtMs: T0, lsn: 0x10n })).toThrow(/2026-11-23T09:59:59.999Z is before the job's replication slot was created \(2026-11-23T10:00:00.000Z\)/);
    expect(() => refuseUnservable({ beforeLsn: 0xfn }, { createdAtMs: T0, lsn: 0x10n })).toThrow(/fromLsn 0\/F is before the job's replication slot start 0\/10/);
    expect(() => refuseUnservable({ beforeMs: T0 + 60_000 }, { createdAtMs: T0, lsn: 0x10n })).not.toThrow();
  });

  it('skips the events of transactions committed before the point but keeps their commits', () => {
    const builder = skipEarlierCommits(createChangeBuilder([{ schema: 'public', table: 't', operations: ['INSERT'], primaryKey: ['id'] }]), { beforeMs: T0 });
    builder.handle({ tag: 'relation', xid: undefined, relationId: 1, namespace: 'public', name: 't', replicaIdentity: 'd', columns: [{ name: 'id', typeOid: 23, isKey: true, typeMod: -1 }] }, 1n);
    const tx = (commitTimeMs: number, lsn: bigint) => {
      const msgs: PgoutputMessage[] = [
        { tag: 'begin', xid: 1, finalLsn: lsn, commitTime: 0n, commitTimeMs },
        { tag: 'insert', xid: undefined, relationId: 1, new: ['1'] },
        { tag: 'commit', flags: 0, commitLsn: lsn, endLsn: lsn + 8n, commitTime: 0n, commitTimeMs },
      ];
      return msgs.map((m) => builder.handle(m, lsn));
    };
    const early = tx(T0 - 1, 0x100n);
    expect(early.flatMap((r) => r.events)).toEqual([]);
    expect(early[2].commitEndLsn).toBe(0x108n);
    expect(tx(T0, 0x200n).flatMap((r) => r.events)).toHaveLength(1);
  });
});
