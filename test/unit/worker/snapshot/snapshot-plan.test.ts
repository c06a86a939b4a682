import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, chunkRowsOf, segmentCount, splitIntoSegments } from '../../../../worker/snapshot/snapshot-plan.ts';
import { chunkSql, parseXidSnapshot, quoteLiteral } from '../../../../worker/snapshot/chunk-reader.ts';
import { chunkRowsFor, concurrencyOf } from '../../../../worker/snapshot/snapshot-phase.ts';

const keys = (n: number) => Array.from({ length: n }, (_, i) => [String(i + 1)]);

describe('snapshot plan', () => {
  it('gives tables of wide rows fewer rows per chunk, so a chunk stays near CHUNK_BYTES', () => {
    expect(chunkRowsOf({ rowBytes: 110 }, 10_000)).toBe(10_000); // the bench's 6-column rows: the row count decides
    expect(chunkRowsOf({ rowBytes: 10 * 1024 }, 10_000)).toBe(Math.floor(CHUNK_BYTES / (10 * 1024))); // 819 rows of 10 KiB
    expect(chunkRowsOf({ rowBytes: 4 * 2 ** 20 }, 10_000)).toBe(100); // never fewer than 100: a key range still moves
    expect(chunkRowsOf({ rowBytes: 4 * 2 ** 20 }, 50)).toBe(50); // a throttle's smaller chunks stay smaller
    expect(chunkRowsOf({ rowBytes: null }, 10_000)).toBe(10_000); // never analyzed: no estimate
    expect(chunkRowsOf({}, 10_000)).toBe(10_000);
  });

  it('splits sampled keys into segments that cover the whole key space without overlap', () => {
    const segments = splitIntoSegments(keys(100), 4);
    expect(segments).toEqual([
      { from: null, to: ['26'], done: false },
      { from: ['26'], to: ['51'], done: false },
      { from: ['51'], to: ['76'], done: false },
      { from: ['76'], to: null, done: false },
    ]);
    // each segment starts where the previous one ended: (-∞, 26], (26, 51], (51, 76], (76, +∞)
    for (let i = 1; i < segments.length; i++) expect(segments[i].from).toEqual(segments[i - 1].to);
  });

  it('drops repeated cut points of a skewed sample and keeps one segment for an empty one', () => {
    const skewed = [['1'], ['1'], ['1'], ['1'], ['1'], ['1'], ['2'], ['3']];
    const segments = splitIntoSegments(skewed, 4);
    expect(segments.map((s) => [s.from, s.to])).toEqual([[null, ['1']], [['1'], ['2']], [['2'], null]]);
    expect(splitIntoSegments([], 8)).toEqual([{ from: null, to: null, done: false }]);
  });

  it('keeps composite keys whole', () => {
    const composite = [['a', '1'], ['a', '2'], ['b', '1'], ['b', '2']];
    expect(splitIntoSegments(composite, 2)).toEqual([
      { from: null, to: ['b', '1'], done: false },
      { from: ['b', '1'], to: null, done: false },
    ]);
  });

  it('gives a table as many segments as readers can share, never below two chunks each', () => {
    expect(segmentCount(5_000_000, 10_000, 1)).toBe(1); // one reader: one keyset scan is fastest
    expect(segmentCount(5_000_000, 10_000, 3)).toBe(6);
    expect(segmentCount(30_000, 10_000, 3)).toBe(1);
    expect(segmentCount(null, 10_000, 8)).toBe(1); // never analyzed: no estimate to split by
    expect(segmentCount(1e9, 10_000, 31)).toBe(62);
  });

  it('concurrency is cores − 1; a rows/s cap makes chunks a tenth of a second', () => {
    expect(concurrencyOf({ resources: { cpuCores: 2 } })).toBe(1);
    expect(concurrencyOf({ resources: { cpuCores: 8 } })).toBe(7);
    expect(chunkRowsFor({})).toBe(10_000);
    expect(chunkRowsFor({ throttle: { full: { rowsPerSecond: 10_000 } } })).toBe(1_000);
    expect(chunkRowsFor({ throttle: { full: { rowsPerSecond: 50 } } })).toBe(100);
  });
});

describe('chunk boundaries', () => {
  const shape = {
    columns: [{ name: 'tenant', typeOid: 25, type: 'text' }, { name: 'id', typeOid: 20, type: 'bigint' }, { name: 'Note', typeOid: 25, type: 'text' }],
    primaryKey: [{ name: 'tenant', typeOid: 25, type: 'text' }, { name: 'id', typeOid: 20, type: 'bigint' }],
  };
  const t = { schema: 'public', table: 'odd "name"' };

  it('reads a whole table in key order when unbounded', () => {
    expect(chunkSql(t, shape, { after: null, to: null }, 500)).toBe(
      'SELECT "tenant", "id", "Note" FROM "public"."odd ""name""" ORDER BY "tenant", "id" LIMIT 500',
    );
  });

  it('continues after the last key (exclusive) up to the segment end (inclusive), keys as text literals cast to their types', () => {
    expect(chunkSql(t, shape, { after: ['a', '7'], to: ["o'brien", '9'] }, 500)).toBe(
      `SELECT "tenant", "id", "Note" FROM "public"."odd ""name""" WHERE ("tenant", "id") > ('a'::text::text, '7'::text::bigint) AND ("tenant", "id") <= ('o''brien'::text::text, '9'::text::bigint) ORDER BY "tenant", "id" LIMIT 500`,
    );
    expect(chunkSql(t, shape, { after: null, to: ['x', '1'] }, 10)).toContain(`WHERE ("tenant", "id") <= ('x'::text::text, '1'::text::bigint) ORDER BY`);
  });

  it('quotes key literals so they read the same whatever standard_conforming_strings is', () => {
    expect(quoteLiteral('plain')).toBe("'plain'");
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral(String.raw`a\b'c`)).toBe(String.raw`E'a\\b''c'`);
    expect(quoteLiteral('')).toBe("''");
  });

  it('parses txid_current_snapshot into 32-bit xids as pgoutput sends them', () => {
    expect(parseXidSnapshot('739:745:740,742')).toEqual({ xmin: 739, xmax: 745, xip: [740, 742] });
    expect(parseXidSnapshot('4294967306:4294967310:')).toEqual({ xmin: 10, xmax: 14, xip: [] }); // epoch 1
  });
});
