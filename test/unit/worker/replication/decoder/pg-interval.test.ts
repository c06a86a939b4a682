import { describe, expect, it } from 'vitest';
import { intervalToIso } from '../../../../../worker/replication/decoder/pg-interval.ts';

// Pairs captured from PostgreSQL 17: the same interval printed with
// IntervalStyle=postgres (what the replication session sends) and
// IntervalStyle=iso_8601 (what we must produce).
const PAIRS: Array<[postgres: string, iso: string]> = [
  ['00:00:00', 'PT0S'],
  ['1 year 2 mons 3 days 04:05:06.789', 'P1Y2M3DT4H5M6.789S'],
  ['-10 mons -3 days +04:05:06', 'P-10M-3DT4H5M6S'],
  ['-1 years -2 mons +3 days -04:05:06.5', 'P-1Y-2M3DT-4H-5M-6.5S'],
  ['1 day', 'P1D'],
  ['-1 days', 'P-1D'],
  ['00:00:00.000001', 'PT0.000001S'],
  ['-00:00:00.5', 'PT-0.5S'],
  ['100000:00:00', 'PT100000H'],
  ['-178000000 years', 'P-178000000Y'],
  ['178000000 years', 'P178000000Y'],
  ['1 mon -1 days', 'P1M-1D'],
  ['1 year 1 mon', 'P1Y1M'],
  ['-1 mons', 'P-1M'],
  ['2 days 00:00:01', 'P2DT1S'],
  ['-2147483648 days -2562047788:00:54.775807', 'P-2147483648DT-2562047788H-54.775807S'],
  ['2147483647 days 2562047788:00:54.775807', 'P2147483647DT2562047788H54.775807S'],
  ['infinity', 'infinity'],
  ['-infinity', '-infinity'],
];

describe('interval → ISO 8601', () => {
  it.each(PAIRS)('%s → %s', (postgres, iso) => {
    expect(intervalToIso(postgres)).toBe(iso);
  });

  it('passes iso_8601 output through and refuses other styles', () => {
    expect(intervalToIso('P1Y2M')).toBe('P1Y2M');
    expect(() => intervalToIso('@ 1 year 2 mons')).toThrow(/IntervalStyle=postgres/);
    expect(() => intervalToIso('1-2 3 4:05:06')).toThrow(/IntervalStyle=postgres/);
    expect(() => intervalToIso('')).toThrow(/IntervalStyle=postgres/);
  });
});
