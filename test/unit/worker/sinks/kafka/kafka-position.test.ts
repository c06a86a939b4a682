import { describe, expect, it } from 'vitest';
import { decodePosition, encodePosition, laterPosition, positionTopicOf, transactionalIdOf } from '../../../../../worker/sinks/kafka/kafka-position.ts';
import type { SnapshotProgress } from '../../../../../shared/job/job-record.ts';

const snapshot = (rowsDone: number): SnapshotProgress => ({ startedAt: '2026-11-23T00:00:00.000Z', rowsDone, rowsPerSecond: 0, resumes: 0, tables: [] });

describe('the exactly-once position', () => {
  it('round-trips through its record, and refuses a record that is not one', () => {
    expect(decodePosition(encodePosition({ lsn: 0x16b374d848n, snapshot: snapshot(5) }))).toEqual({ lsn: 0x16b374d848n, snapshot: snapshot(5) });
    expect(JSON.parse(encodePosition({ lsn: 0x16b374d848n }))).toEqual({ lsn: '16/B374D848' });
    expect(() => decodePosition('{"lsn":"nope"}')).toThrow();
  });

  it('the later of the job store and Kafka wins, each with its own snapshot progress', () => {
    const stored = { ackedLsn: '0/2000', snapshot: snapshot(1) };
    expect(laterPosition(stored, { lsn: 0x3000n, snapshot: snapshot(2) })).toEqual({ lsn: 0x3000n, snapshot: snapshot(2) }); // crash between Kafka commit and save
    expect(laterPosition(stored, { lsn: 0x1000n })).toEqual({ lsn: 0x2000n, snapshot: snapshot(1) }); // idle acks move the store past Kafka
    expect(laterPosition(stored, undefined)).toEqual({ lsn: 0x2000n, snapshot: snapshot(1) });
    expect(laterPosition({}, { lsn: 0x10n })).toEqual({ lsn: 0x10n });
    expect(laterPosition({}, undefined)).toBeUndefined();
  });

  it('names are stable per job and fit Kafka’s rules', () => {
    expect(positionTopicOf('j0123456789abcdef')).toBe('tributary.position.j0123456789abcdef');
    expect(transactionalIdOf('j0123456789abcdef')).toBe('tributary-j0123456789abcdef');
    expect(positionTopicOf('j0123456789abcdef')).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });
});
