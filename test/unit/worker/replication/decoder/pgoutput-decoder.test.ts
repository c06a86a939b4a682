import { describe, expect, it } from 'vitest';
import { createPgoutputDecoder, UNCHANGED_TOAST, pgMicrosToUnixMs } from '../../../../../worker/replication/decoder/pgoutput-decoder.ts';
import { parseLsn } from '../../../../../shared/lsn.ts';
import { bytes, cell } from '../../../../support/pgoutput-bytes.ts';
import { RawTuple } from '../../../../../worker/replication/decoder/raw-tuple.ts';

// 2024-01-02 03:04:05.123456 UTC, in µs since 2000-01-01.
const TS = 757_479_845_123_456n;
const TS_MS = Date.UTC(2024, 0, 2, 3, 4, 5, 123);
const LSN1 = parseLsn('16/B374D848');
const LSN2 = parseLsn('16/B374D900');
const HIGH_LSN = 0xfedcba9876543210n; // above 2^63: must be read unsigned
const HIGH_XID = 0xfffffff0; // above 2^31: must be read unsigned

const decode = (buf: Buffer) => createPgoutputDecoder().decode(buf);

describe('pgoutput decoder: transaction framing', () => {
  it('decodes Begin', () => {
    const buf = bytes().tag('B').i64(LSN1).i64(TS).i32(HIGH_XID).build();
    expect(decode(buf)).toEqual({ tag: 'begin', finalLsn: LSN1, commitTime: TS, commitTimeMs: TS_MS, xid: HIGH_XID });
  });

  it('decodes Commit', () => {
    const buf = bytes().tag('C').u8(0).i64(LSN1).i64(HIGH_LSN).i64(TS).build();
    expect(decode(buf)).toEqual({ tag: 'commit', flags: 0, commitLsn: LSN1, endLsn: HIGH_LSN, commitTime: TS, commitTimeMs: TS_MS });
  });

  it('decodes Origin', () => {
    const buf = bytes().tag('O').i64(LSN2).cstr('pg_16384').build();
    expect(decode(buf)).toEqual({ tag: 'origin', originLsn: LSN2, name: 'pg_16384' });
  });

  it('converts PostgreSQL-epoch microseconds to unix ms, flooring', () => {
    expect(pgMicrosToUnixMs(0n)).toBe(Date.UTC(2000, 0, 1));
    expect(pgMicrosToUnixMs(1999n)).toBe(Date.UTC(2000, 0, 1) + 1);
    expect(pgMicrosToUnixMs(-1n)).toBe(Date.UTC(2000, 0, 1) - 1);
  });
});

describe('pgoutput decoder: Relation and Type', () => {
  it('decodes Relation with key flags, replica identity and an empty pg_catalog namespace', () => {
    const buf = bytes().tag('R').i32(16384).cstr('public').cstr('crème').tag('d').i16(3)
      .u8(1).cstr('id').i32(20).i32(-1)
      .u8(0).cstr('name').i32(1043).i32(104)
      .u8(0).cstr('données').i32(3802).i32(-1)
      .build();
    expect(decode(buf)).toEqual({
      tag: 'relation', relationId: 16384, namespace: 'public', name: 'crème', replicaIdentity: 'd',
      columns: [
        { name: 'id', isKey: true, typeOid: 20, typeMod: -1 },
        { name: 'name', isKey: false, typeOid: 1043, typeMod: 104 },
        { name: 'données', isKey: false, typeOid: 3802, typeMod: -1 },
      ],
    });
    const full = bytes().tag('R').i32(1).cstr('').cstr('t').tag('f').i16(0).build();
    expect(decode(full)).toMatchObject({ namespace: '', replicaIdentity: 'f', columns: [] });
  });

  it('rejects an unknown replica identity', () => {
    const buf = bytes().tag('R').i32(1).cstr('s').cstr('t').tag('x').i16(0).build();
    expect(() => decode(buf)).toThrow(/malformed 'R' message.*replica identity "x"/);
  });

  it('decodes Type', () => {
    const buf = bytes().tag('Y').i32(16400).cstr('public').cstr('mood').build();
    expect(decode(buf)).toEqual({ tag: 'type', typeOid: 16400, namespace: 'public', name: 'mood' });
  });
});

describe('pgoutput decoder: row changes and TupleData', () => {
  it('decodes Insert with text, NULL, unchanged-TOAST, empty, multibyte and binary values', () => {
    const buf = bytes().tag('I').i32(16384).tag('N').tuple([
      cell.text('42'), cell.null, cell.unchanged, cell.text(''), cell.text('héllo 世界 🎉'), cell.binary(Buffer.from([0, 1, 255])),
    ]).build();
    const msg = decode(buf);
    expect(msg).toEqual({ tag: 'insert', relationId: 16384, new: ['42', null, UNCHANGED_TOAST, '', 'héllo 世界 🎉', Buffer.from([0, 1, 255])] });
    expect(msg).toHaveProperty('xid', undefined);
  });

  it('copies binary values out of the input buffer', () => {
    const buf = bytes().tag('I').i32(1).tag('N').tuple([cell.binary(Buffer.from([7, 8]))]).build();
    const msg = decode(buf);
    buf.fill(0);
    expect(msg).toMatchObject({ new: [Buffer.from([7, 8])] });
  });

  it('with rawTuples, keeps a tuple as a copy of its bytes that decodes to the same values', () => {
    const cells = [cell.text('42'), cell.null, cell.unchanged, cell.text(''), cell.text('héllo 世界 🎉'), cell.binary(Buffer.from([0, 1, 255]))];
    const buf = bytes().tag('I').i32(16384).tag('N').tuple(cells).build();
    const raw = createPgoutputDecoder({ rawTuples: true }).decode(buf) as { new: RawTuple };
    buf.fill(0); // the socket's buffer is reused: the tuple must not point into it
    expect(raw.new).toBeInstanceOf(RawTuple);
    expect(raw.new.values()).toEqual(['42', null, UNCHANGED_TOAST, '', 'héllo 世界 🎉', Buffer.from([0, 1, 255])]);
    expect(raw.new.unusual).toBe(true); // unchanged TOAST and binary values take the decoded path
    const plain = createPgoutputDecoder({ rawTuples: true }).decode(bytes().tag('I').i32(1).tag('N').tuple([cell.text('1'), cell.null]).build()) as { new: RawTuple };
    expect(plain.new.unusual).toBe(false);
    const truncated = bytes().tag('I').i32(1).tag('N').i16(2).u8(0x74).i32(1).raw(Buffer.from('x')).build();
    expect(() => createPgoutputDecoder({ rawTuples: true }).decode(truncated)).toThrow(/tuple truncated at column 1 of 2/);
    const overrun = bytes().tag('I').i32(1).tag('N').i16(1).u8(0x74).i32(99).raw(Buffer.from('x')).build();
    expect(() => createPgoutputDecoder({ rawTuples: true }).decode(overrun)).toThrow(/overruns/);
  });

  it('UNCHANGED_TOAST is a registered symbol, distinct from null', () => {
    expect(typeof UNCHANGED_TOAST).toBe('symbol');
    expect(UNCHANGED_TOAST).toBe(Symbol.for('tributary.pgoutput.unchangedToast'));
  });

  it('decodes Update without old row (key unchanged, identity default)', () => {
    const buf = bytes().tag('U').i32(16384).tag('N').tuple([cell.text('1'), cell.unchanged]).build();
    const msg = decode(buf);
    expect(msg).toEqual({ tag: 'update', relationId: 16384, new: ['1', UNCHANGED_TOAST] });
    expect(msg).not.toHaveProperty('old');
    expect(msg).not.toHaveProperty('key');
  });

  it("decodes Update with the replica identity key ('K') when the key changed", () => {
    const buf = bytes().tag('U').i32(16384)
      .tag('K').tuple([cell.text('1'), cell.null])
      .tag('N').tuple([cell.text('2'), cell.text('x')]).build();
    const msg = decode(buf);
    expect(msg).toEqual({ tag: 'update', relationId: 16384, key: ['1', null], new: ['2', 'x'] });
    expect(msg).not.toHaveProperty('old');
  });

  it("decodes Update with the whole old row ('O', REPLICA IDENTITY FULL)", () => {
    const buf = bytes().tag('U').i32(16384)
      .tag('O').tuple([cell.text('1'), cell.text('before')])
      .tag('N').tuple([cell.text('1'), cell.text('after')]).build();
    const msg = decode(buf);
    expect(msg).toEqual({ tag: 'update', relationId: 16384, old: ['1', 'before'], new: ['1', 'after'] });
    expect(msg).not.toHaveProperty('key');
  });

  it("decodes Delete with key ('K') or old row ('O')", () => {
    const byKey = bytes().tag('D').i32(5).tag('K').tuple([cell.text('9'), cell.null]).build();
    expect(decode(byKey)).toEqual({ tag: 'delete', relationId: 5, key: ['9', null] });
    const byOld = bytes().tag('D').i32(5).tag('O').tuple([cell.text('9'), cell.text('v')]).build();
    expect(decode(byOld)).toEqual({ tag: 'delete', relationId: 5, old: ['9', 'v'] });
  });

  it('rejects a Delete without K/O and an Update without N', () => {
    expect(() => decode(bytes().tag('D').i32(5).tag('N').tuple([]).build())).toThrow(/expected 'K' or 'O' in delete, got 0x4e/);
    expect(() => decode(bytes().tag('U').i32(5).tag('K').tuple([]).tag('X').build())).toThrow(/expected 'N' in update, got 0x58/);
  });

  it('decodes Truncate with its option bits', () => {
    const plain = bytes().tag('T').i32(2).u8(0).i32(16384).i32(HIGH_XID).build();
    expect(decode(plain)).toEqual({ tag: 'truncate', relationIds: [16384, HIGH_XID], cascade: false, restartIdentity: false });
    const both = bytes().tag('T').i32(1).u8(3).i32(7).build();
    expect(decode(both)).toMatchObject({ cascade: true, restartIdentity: true });
    const restart = bytes().tag('T').i32(1).u8(2).i32(7).build();
    expect(decode(restart)).toMatchObject({ cascade: false, restartIdentity: true });
  });

  it('decodes a logical decoding Message', () => {
    const content = Buffer.from('hé\u0000llo', 'utf8');
    const tx = bytes().tag('M').u8(1).i64(LSN1).cstr('tributary').i32(content.length).raw(content).build();
    expect(decode(tx)).toEqual({ tag: 'message', transactional: true, lsn: LSN1, prefix: 'tributary', content });
    const nonTx = bytes().tag('M').u8(0).i64(LSN1).cstr('p').i32(0).build();
    expect(decode(nonTx)).toMatchObject({ transactional: false, content: Buffer.alloc(0) });
  });
});

describe('pgoutput decoder: protocol v2 streaming', () => {
  it('reads the xid after the tag only between Stream Start and Stream Stop', () => {
    const d = createPgoutputDecoder();
    expect(d.decode(bytes().tag('S').i32(777).u8(1).build())).toEqual({ tag: 'streamStart', xid: 777, firstSegment: true });
    expect(d.inStream).toBe(true);
    expect(d.decode(bytes().tag('R').i32(777).i32(16384).cstr('public').cstr('t').tag('i').i16(0).build()))
      .toMatchObject({ tag: 'relation', xid: 777, relationId: 16384, replicaIdentity: 'i' });
    expect(d.decode(bytes().tag('Y').i32(777).i32(16400).cstr('public').cstr('mood').build()))
      .toEqual({ tag: 'type', xid: 777, typeOid: 16400, namespace: 'public', name: 'mood' });
    expect(d.decode(bytes().tag('I').i32(777).i32(16384).tag('N').tuple([cell.text('a')]).build()))
      .toEqual({ tag: 'insert', xid: 777, relationId: 16384, new: ['a'] });
    expect(d.decode(bytes().tag('U').i32(777).i32(16384).tag('N').tuple([cell.text('b')]).build()))
      .toEqual({ tag: 'update', xid: 777, relationId: 16384, new: ['b'] });
    expect(d.decode(bytes().tag('D').i32(777).i32(16384).tag('K').tuple([cell.text('b')]).build()))
      .toEqual({ tag: 'delete', xid: 777, relationId: 16384, key: ['b'] });
    expect(d.decode(bytes().tag('T').i32(777).i32(1).u8(1).i32(16384).build()))
      .toEqual({ tag: 'truncate', xid: 777, relationIds: [16384], cascade: true, restartIdentity: false });
    expect(d.decode(bytes().tag('M').i32(777).u8(1).i64(LSN1).cstr('p').i32(2).raw(Buffer.from('hi')).build()))
      .toEqual({ tag: 'message', xid: 777, transactional: true, lsn: LSN1, prefix: 'p', content: Buffer.from('hi') });
    expect(d.decode(bytes().tag('E').build())).toEqual({ tag: 'streamStop' });
    expect(d.inStream).toBe(false);
    // After Stream Stop there is no xid any more.
    expect(d.decode(bytes().tag('I').i32(16384).tag('N').tuple([cell.text('c')]).build()))
      .toEqual({ tag: 'insert', xid: undefined, relationId: 16384, new: ['c'] });
    expect(d.decode(bytes().tag('S').i32(777).u8(0).build())).toEqual({ tag: 'streamStart', xid: 777, firstSegment: false });
  });

  it('decodes Stream Commit', () => {
    const buf = bytes().tag('c').i32(777).u8(0).i64(LSN1).i64(LSN2).i64(TS).build();
    expect(decode(buf)).toEqual({ tag: 'streamCommit', xid: 777, flags: 0, commitLsn: LSN1, endLsn: LSN2, commitTime: TS, commitTimeMs: TS_MS });
  });

  it('decodes Stream Abort with and without the v4 parallel-streaming fields', () => {
    const v2 = decode(bytes().tag('A').i32(777).i32(778).build());
    expect(v2).toEqual({ tag: 'streamAbort', xid: 777, subXid: 778 });
    expect(v2).not.toHaveProperty('abortLsn');
    expect(decode(bytes().tag('A').i32(777).i32(777).i64(LSN2).i64(TS).build()))
      .toEqual({ tag: 'streamAbort', xid: 777, subXid: 777, abortLsn: LSN2, abortTime: TS });
  });
});

describe('pgoutput decoder: protocol v3 two-phase commit', () => {
  it('decodes Begin Prepare, Prepare, Stream Prepare, Commit Prepared and Rollback Prepared', () => {
    expect(decode(bytes().tag('b').i64(LSN1).i64(LSN2).i64(TS).i32(9).cstr('gid-1').build()))
      .toEqual({ tag: 'beginPrepare', prepareLsn: LSN1, endLsn: LSN2, prepareTime: TS, prepareTimeMs: TS_MS, xid: 9, gid: 'gid-1' });
    expect(decode(bytes().tag('P').u8(0).i64(LSN1).i64(LSN2).i64(TS).i32(9).cstr('gid-1').build()))
      .toEqual({ tag: 'prepare', flags: 0, prepareLsn: LSN1, endLsn: LSN2, prepareTime: TS, prepareTimeMs: TS_MS, xid: 9, gid: 'gid-1' });
    expect(decode(bytes().tag('p').u8(0).i64(LSN1).i64(LSN2).i64(TS).i32(9).cstr('g').build()))
      .toMatchObject({ tag: 'streamPrepare', xid: 9, gid: 'g' });
    expect(decode(bytes().tag('K').u8(0).i64(LSN1).i64(LSN2).i64(TS).i32(9).cstr('gid-1').build()))
      .toEqual({ tag: 'commitPrepared', flags: 0, commitLsn: LSN1, endLsn: LSN2, commitTime: TS, commitTimeMs: TS_MS, xid: 9, gid: 'gid-1' });
    expect(decode(bytes().tag('r').u8(0).i64(LSN1).i64(LSN2).i64(0n).i64(TS).i32(9).cstr('gid-1').build()))
      .toEqual({
        tag: 'rollbackPrepared', flags: 0, prepareEndLsn: LSN1, rollbackEndLsn: LSN2,
        prepareTime: 0n, rollbackTime: TS, rollbackTimeMs: TS_MS, xid: 9, gid: 'gid-1',
      });
  });
});

describe('pgoutput decoder: errors are loud', () => {
  it('names an unknown tag in hex and as a character', () => {
    expect(() => decode(bytes().tag('z').i32(1).build())).toThrow("pgoutput: unknown message tag 0x7a ('z')");
    expect(() => decode(Buffer.from([0x01]))).toThrow('pgoutput: unknown message tag 0x01 (not printable)');
  });

  it('rejects an empty message', () => {
    expect(() => decode(Buffer.alloc(0))).toThrow('pgoutput: empty message');
  });

  it('rejects truncated messages', () => {
    const full = bytes().tag('I').i32(1).tag('N').tuple([cell.text('hello')]).build();
    for (let len = 1; len < full.length; len++) {
      expect(() => decode(full.subarray(0, len)), `length ${len}`).toThrow(/pgoutput: malformed 'I' message/);
    }
    expect(() => decode(bytes().tag('O').i64(1n).raw(Buffer.from('no-nul')).build())).toThrow(/unterminated string/);
  });

  it('rejects trailing bytes and unknown tuple column kinds', () => {
    expect(() => decode(bytes().tag('E').u8(0).build())).toThrow("pgoutput: 1 unexpected trailing bytes after 'E' message");
    const badKind = bytes().tag('I').i32(1).tag('N').i16(1).tag('x').build();
    expect(() => decode(badKind)).toThrow(/unknown tuple column kind 0x78 at column 0/);
  });
});
