import { describe, expect, it } from 'vitest';
import { formatTable, wrap } from '../../../cli/format-table.ts';

describe('formatTable', () => {
  it('aligns columns two spaces apart, numbers (and their header) to the right, without trailing spaces', () => {
    const table = formatTable([{ header: 'ID' }, { header: 'STATUS' }, { header: 'LAG', align: 'right' }], [
      ['j1', 'streaming', '0.4 s'],
      ['j22', 'stopped', '-'],
    ]);
    expect(table).toBe(['ID   STATUS       LAG', 'j1   streaming  0.4 s', 'j22  stopped        -'].join('\n'));
  });

  it('wraps a column with maxWidth at word boundaries, keeping the other cells on the first line', () => {
    const table = formatTable([{ header: 'CHECK' }, { header: 'DETAIL', maxWidth: 12 }], [['wal', 'wal_level is replica, not logical']]);
    expect(table.split('\n')).toEqual(['CHECK  DETAIL', 'wal    wal_level is', '       replica, not', '       logical']);
  });

  it('renders missing cells as empty and keeps newlines inside a cell as lines', () => {
    expect(formatTable([{ header: 'A' }, { header: 'B' }], [[undefined, 'x\ny']])).toBe(['A  B', '   x', '   y'].join('\n'));
  });
});

describe('wrap', () => {
  it('breaks a word longer than the width', () => {
    expect(wrap('abcdefgh ij', 3)).toEqual(['abc', 'def', 'gh', 'ij']);
  });
  it('leaves text alone without a width', () => {
    expect(wrap('a b c')).toEqual(['a b c']);
  });
});
