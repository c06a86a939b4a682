import { describe, expect, it } from 'vitest';
import { createReplayDecoder, createStreamDecoder } from '../../../../../worker/replication/decoder/stream-decode.ts';
import { bytes, cell } from '../../../../support/pgoutput-bytes.ts';
import { parseLsn } from '../../../../../shared/lsn.ts';

const LSN1 = parseLsn('16/B374D848');
const LSN2 = parseLsn('16/B374D900');
const TS = 757_479_845_123_456n;
const HIGH_XID = 0xfffffff0;

const insert = (xid: number, v: string) => bytes().tag('I').i32(xid).i32(16384).tag('N').tuple([cell.text(v)]).build();

describe('stream decoder (protocol v2+)', () => {
  it('keeps the changes between Stream Start and Stream Stop as bytes with their (sub)transaction xid, decodes the rest', () => {
    const d = createStreamDecoder();
    expect(d.decode(bytes().tag('S').i32(HIGH_XID).u8(1).build())).toEqual({ tag: 'streamStart', xid: HIGH_XID, firstSegment: true });
    const relation = bytes().tag('R').i32(HIGH_XID).i32(16384).cstr('public').cstr('t').tag('d').i16(1).u8(1).cstr('id').i32(23).i32(-1).build();
    const sub = insert(HIGH_XID + 1, 'x');
    for (const [buf, xid] of [[relation, HIGH_XID], [sub, HIGH_XID + 1]] as const) {
      const input = Buffer.from(buf);
      const got = d.decode(input);
      expect(got).toEqual({ tag: 'streamedChange', xid, bytes: buf });
      input.fill(0); // node-postgres reuses its read buffer: the kept bytes are a copy
      expect(got).toMatchObject({ bytes: buf });
    }
    // Origin has no xid even inside a stream: decoded as usual.
    expect(d.decode(bytes().tag('O').i64(LSN1).cstr('pg_1').build())).toEqual({ tag: 'origin', originLsn: LSN1, name: 'pg_1' });
    expect(d.decode(bytes().tag('E').build())).toEqual({ tag: 'streamStop' });
    // Outside a stream an insert has no xid and is decoded at once.
    expect(d.decode(bytes().tag('I').i32(16384).tag('N').tuple([cell.text('y')]).build())).toEqual({ tag: 'insert', xid: undefined, relationId: 16384, new: ['y'] });
    expect(d.decode(bytes().tag('c').i32(HIGH_XID).u8(0).i64(LSN1).i64(LSN2).i64(TS).build())).toMatchObject({ tag: 'streamCommit', xid: HIGH_XID, commitLsn: LSN1, endLsn: LSN2 });
    expect(d.decode(bytes().tag('A').i32(HIGH_XID).i32(HIGH_XID + 1).build())).toEqual({ tag: 'streamAbort', xid: HIGH_XID, subXid: HIGH_XID + 1 });
  });

  it('refuses an unknown message inside a stream at once, and a streamed change too short to hold its xid', () => {
    const d = createStreamDecoder();
    d.decode(bytes().tag('S').i32(5).u8(1).build());
    expect(() => d.decode(bytes().tag('Z').i32(5).build())).toThrow(/unknown message tag 0x5a \('Z'\)/);
    expect(() => d.decode(bytes().tag('I').u8(0).build())).toThrow(/malformed streamed 'I' message \(2 bytes\): no xid/);
  });

  it('replays kept bytes with their xid', () => {
    const replay = createReplayDecoder();
    expect(replay(insert(7, 'a'))).toEqual({ tag: 'insert', xid: 7, relationId: 16384, new: ['a'] });
    expect(replay(insert(8, 'b'))).toEqual({ tag: 'insert', xid: 8, relationId: 16384, new: ['b'] });
    expect(() => replay(bytes().tag('I').i32(7).i32(16384).tag('X').build())).toThrow(/malformed 'I' message/);
  });
});
