import { describe, expect, it } from 'vitest';
import { fractionDone, progressBar } from '../../../cli/progress-bar.ts';
import { snapshotLines } from '../../../cli/format-status.ts';

describe('progressBar', () => {
  it('fills in proportion and floors, so 100 % means done', () => {
    expect(progressBar(0, 100, { width: 10 })).toBe('[░░░░░░░░░░]   0%');
    expect(progressBar(52, 100, { width: 10 })).toBe('[█████░░░░░]  52%');
    expect(progressBar(999, 1000, { width: 10 })).toBe('[█████████░]  99%');
    expect(progressBar(100, 100, { width: 10 })).toBe('[██████████] 100%');
  });

  it('clamps when the planner estimate was too low', () => {
    expect(progressBar(150, 100, { width: 4 })).toBe('[████] 100%');
  });

  it('shows an unknown fraction when there is no estimate', () => {
    expect(progressBar(5, 0, { width: 4 })).toBe('[    ]    ?');
    expect(progressBar(5, undefined, { width: 4 })).toBe('[    ]    ?');
    expect(fractionDone(5, -1)).toBeUndefined();
  });
});

describe('snapshot progress lines', () => {
  it('clamps an unfinished table below 100 % and shows a finished one full', () => {
    expect(progressBar(150, 100, { width: 4, complete: false })).toBe('[███░]  99%');
    expect(progressBar(0, null, { width: 4, complete: true })).toBe('[████] 100%');
  });

  it('renders a bar per table with rows done of the estimate, the pace, and finished tables', () => {
    const lines = snapshotLines({
      rowsDone: 5237, rowsPerSecond: 1200, etaSeconds: 125,
      tables: [
        { schema: 'public', table: 'orders', rowsDone: 5200, estimatedRows: 10000, done: false },
        { schema: 'public', table: 'order_lines', rowsDone: 30, estimatedRows: 20, done: true },
        { schema: 'sales', table: 'x', rowsDone: 7, estimatedRows: null, done: false },
      ],
    });
    expect(lines).toEqual([
      'snapshot   1 of 3 tables copied, 1,200 rows/s, about 2m 5s left',
      `  public.orders       ${progressBar(5200, 10000)}  5,200 / ~10,000 rows`,
      `  public.order_lines  ${progressBar(1, 1)}  30 / ~20 rows`,
      `  sales.x             ${progressBar(7, undefined)}  7 rows`,
    ]);
  });

  it('accepts rowsEstimated and infers done from it when the server does not say', () => {
    expect(snapshotLines({ tables: [{ name: 't', rowsDone: 3, rowsEstimated: 3 }] })[0]).toBe('snapshot   1 of 1 tables copied');
  });

  it('is one line once complete, and nothing without tables', () => {
    expect(snapshotLines({ completedAt: '2026-01-01T00:00:00Z', rowsDone: 1234, tables: [{ table: 'a' }, { table: 'b' }] })).toEqual(['snapshot   complete: 2 tables, 1,234 rows (2026-01-01T00:00:00Z)']);
    expect(snapshotLines(undefined)).toEqual([]);
    expect(snapshotLines({ tables: [] })).toEqual([]);
  });
});
