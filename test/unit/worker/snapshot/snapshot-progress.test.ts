import { describe, expect, it } from 'vitest';
import { createProgressTracker } from '../../../../worker/snapshot/snapshot-progress.ts';
import type { SnapshotProgress } from '../../../../shared/job/job-record.ts';

const progress = (): SnapshotProgress => ({
  startedAt: '2026-11-23T00:00:00.000Z', rowsDone: 0, rowsPerSecond: 0, resumes: 0,
  tables: [{
    schema: 'public', table: 'items', estimatedRows: 300, rowsDone: 0, chunksDone: 0, primaryKey: ['id'], columns: ['id integer'],
    segments: [{ from: null, to: ['150'], done: false }, { from: ['150'], to: null, done: false }], done: false,
  }],
});

describe('snapshot progress', () => {
  it('counts a chunk only once the saved position passes its high watermark', () => {
    let now = 0;
    const tracker = createProgressTracker(progress(), () => now);
    tracker.register('a', { table: 0, segment: 0, lastKey: ['100'], last: false, rows: 100 });
    tracker.committed('a', 0x200n);
    now = 1_000;
    expect(tracker.at(0x1ffn).rowsDone).toBe(0);
    const saved = tracker.at(0x200n);
    expect(saved.rowsDone).toBe(100);
    expect(saved.tables[0]).toMatchObject({ rowsDone: 100, chunksDone: 1, done: false });
    expect(saved.tables[0].segments[0]).toEqual({ from: null, to: ['150'], after: ['100'], done: false });
    expect(saved.rowsPerSecond).toBe(100);
    expect(saved.etaSeconds).toBe(2); // 200 rows left at 100 rows/s
    expect(tracker.unsaved).toBe(0);
  });

  it('never marks a segment done before its last chunk is saved', () => {
    const tracker = createProgressTracker(progress());
    tracker.register('a', { table: 0, segment: 1, lastKey: ['300'], last: false, rows: 150 });
    tracker.exhausted(0, 1); // the next read found nothing: chunk a was the last
    expect(tracker.at(0x100n).tables[0].segments[1].done).toBe(false);
    tracker.committed('a', 0x100n);
    expect(tracker.at(0x100n).tables[0].segments[1]).toMatchObject({ after: ['300'], done: true });
    tracker.exhausted(0, 0); // nothing pending: done at once
    const done = tracker.at(0x100n);
    expect(done.tables[0].done).toBe(true);
    expect(tracker.complete().completedAt).toBeDefined();
  });

  it('a forgotten chunk (read again) is never counted', () => {
    const tracker = createProgressTracker(progress());
    tracker.register('a', { table: 0, segment: 0, lastKey: ['100'], last: false, rows: 100 });
    tracker.forget('a');
    tracker.committed('a', 0x100n);
    expect(tracker.at(0x200n).rowsDone).toBe(0);
  });

  it('preview shows what a position will save without applying it (exactly-once stores it in Kafka first)', () => {
    const tracker = createProgressTracker(progress());
    tracker.register('a', { table: 0, segment: 0, lastKey: ['100'], last: false, rows: 100 });
    tracker.register('b', { table: 0, segment: 1, lastKey: ['200'], last: false, rows: 50 });
    tracker.committed('a', 0x100n);
    tracker.committed('b', 0x200n);
    expect(tracker.preview(0x200n).rowsDone).toBe(150);
    // an earlier save, still running when the later commit was prepared, must not claim chunk b
    expect(tracker.at(0x100n).rowsDone).toBe(100);
    expect(tracker.unsaved).toBe(1);
    expect(tracker.preview(0x200n)).toMatchObject({ rowsDone: 150, tables: [{ chunksDone: 2 }] });
    expect(tracker.at(0x200n).rowsDone).toBe(150);
  });
});
