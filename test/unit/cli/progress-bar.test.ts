import { describe, expect, it } from 'vitest';
import { fractionDone, progressBar } from '../../../cli/progress-bar.ts';
import { snapshotLines } from '../../../cli/format-status.ts';

describe('progressBar', () => {
  it('fills in proportion and floors, so 100 % means done', () => {
    expect(progressBar(0, 100, 10)).toBe('[░░░░░░░░░░]   0%');
    expect(progressBar(52, 100, 10)).toBe('[█████░░░░░]  52%');
    expect(progressBar(999, 1000, 10)).toBe('[█████████░]  99%');
    expect(progressBar(100, 100, 10)).toBe('[██████████] 100%');
  });

  it('clamps when the planner estimate was too low', () => {
    expect(progressBar(150, 100, 4)).toBe('[████] 100%');
  });

  it('shows an unknown fraction when there is no estimate', () => {
    expect(progressBar(5, 0, 4)).toBe('[    ]    ?');
    expect(progressBar(5, undefined, 4)).toBe('[    ]    ?');
    expect(fractionDone(5, -1)).toBeUndefined();
  });
});

describe('snapshot progress lines', () => {
  it('renders a bar per table with rows done of the estimate, and counts finished tables', () => {
    const lines = snapshotLines([
      { schema: 'public', table: 'orders', rowsDone: 5200, rowsEstimated: 10000 },
      { schema: 'public', table: 'order_lines', rowsDone: 30, rowsEstimated: 30 },
      { schema: 'sales', table: 'x', rowsDone: 7 },
    ]);
    expect(lines[0]).toBe('snapshot   1 of 3 tables copied');
    expect(lines[1]).toBe(`  public.orders       ${progressBar(5200, 10000)}  5,200 / ~10,000 rows`);
    expect(lines[2]).toContain('100%');
    expect(lines[3]).toBe(`  sales.x             ${progressBar(7, undefined)}  7 rows`);
  });

  it('renders nothing without snapshot tables', () => {
    expect(snapshotLines([])).toEqual([]);
  });
});
