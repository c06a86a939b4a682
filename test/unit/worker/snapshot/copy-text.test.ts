import { describe, expect, it } from 'vitest';
import { parseCopyText } from '../../../../worker/snapshot/copy-text.ts';

// Inputs are written as PostgreSQL's COPY TO STDOUT text output (CopyAttributeOutText)
// would write them: String.raw keeps each backslash as the one byte on the wire.

describe('COPY text format parser', () => {
  it('splits rows and fields, flat, row after row', () => {
    expect(parseCopyText('1\ta\tx\n2\tb\ty\n', 3)).toEqual(['1', 'a', 'x', '2', 'b', 'y']);
    expect(parseCopyText('', 3)).toEqual([]);
    expect(parseCopyText('only\n', 1)).toEqual(['only']);
  });

  it('reads \\N as NULL and keeps an empty string, a literal "\\N" text and "NULL" apart', () => {
    expect(parseCopyText(String.raw`\N` + '\t\t' + String.raw`\\N` + '\tNULL\n', 4)).toEqual([null, '', '\\N', 'NULL']);
    expect(parseCopyText(String.raw`\N` + '\n', 1)).toEqual([null]);
    expect(parseCopyText(String.raw`a\N` + '\n', 1)).toEqual(['aN']); // not the NULL marker: any other escaped letter is itself
  });

  it('undoes every escape COPY TO writes: \\t \\n \\r \\b \\f \\v and \\\\', () => {
    const wire = String.raw`tab\there` + '\t' + String.raw`line\nbreak\r\n` + '\t' + String.raw`\b\f\v` + '\t' + String.raw`back\\slash\\` + '\n';
    expect(parseCopyText(wire, 4)).toEqual(['tab\there', 'line\nbreak\r\n', '\b\f\v', 'back\\slash\\']);
  });

  it('keeps control characters COPY writes raw (all but those with a letter escape)', () => {
    expect(parseCopyText('\x01\x1f\x7f\n', 1)).toEqual(['\x01\x1f\x7f']);
  });

  it('reads the octal and hex escapes COPY FROM accepts, for ASCII bytes', () => {
    expect(parseCopyText(String.raw`\101\7\0618\x41\x9g\xz` + '\n', 1)).toEqual(['A\x07' + '18' + 'A\x09gxz']);
    expect(() => parseCopyText(String.raw`\303\251` + '\n', 1)).toThrow(/escaped byte 0xc3/);
  });

  it('keeps unicode as decoded text, escapes next to multi-byte characters included', () => {
    expect(parseCopyText('héllo 世界 🎉\t' + String.raw`🎉\t🎉\\` + '\n', 2)).toEqual(['héllo 世界 🎉', '🎉\t🎉\\']);
  });

  it('passes array, composite, hstore and bytea text through for the value decoders, only the COPY escapes undone', () => {
    // SELECT ARRAY['a b', 'q"t', 'back\slash', NULL], ROW(1, 'x	y'), '"k"=>"v\"'::hstore, '\xdead'::bytea as COPY writes them
    const wire = String.raw`{"a b","q\\"t","back\\\\slash",NULL}` + '\t' + String.raw`(1,"x\ty")` + '\t' + String.raw`"k"=>"v\\""` + '\t' + String.raw`\\xdead` + '\n';
    expect(parseCopyText(wire, 4)).toEqual([
      String.raw`{"a b","q\"t","back\\slash",NULL}`,
      '(1,"x\ty")',
      String.raw`"k"=>"v\""`,
      String.raw`\xdead`,
    ]);
  });

  it('refuses text that is not COPY output of that many columns', () => {
    expect(() => parseCopyText('1\t2\n', 3)).toThrow(/row 1: 2 fields where 3 were expected/);
    expect(() => parseCopyText('1\t2\t3\n', 2)).toThrow(/row 1: more than 2 fields/);
    expect(() => parseCopyText('1\t2', 2)).toThrow(/row without its newline/);
    expect(() => parseCopyText('a\\\n', 1)).toThrow(/lone backslash/);
  });

  it('parses a 10,000-row chunk with sparse escapes exactly', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [String(i), i % 97 === 0 ? `x\ty\\${i}` : `v${i}`, i % 5 === 0 ? null : 'ü']);
    const escape = (v: string | null) => (v === null ? '\\N' : v.replaceAll('\\', '\\\\').replaceAll('\t', '\\t'));
    const wire = rows.map((r) => r.map(escape).join('\t') + '\n').join('');
    expect(parseCopyText(wire, 3)).toEqual(rows.flat());
    const keys = Array.from({ length: 10_000 }, (_, i) => String(i)); // one column: no tab at all, found once, not per row
    expect(parseCopyText(keys.join('\n') + '\n', 1)).toEqual(keys);
  });
});
