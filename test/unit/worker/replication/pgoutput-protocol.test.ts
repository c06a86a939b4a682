import { describe, expect, it } from 'vitest';
import { pgoutputOptions, pgoutputProtocol } from '../../../../worker/replication/pgoutput-protocol.ts';

describe('pgoutput protocol negotiation', () => {
  it('asks for protocol 1 below PostgreSQL 14, 2 with streaming on 14 and 15, 4 with parallel streaming from 16', () => {
    expect(pgoutputProtocol(120_017)).toEqual({ version: 1 });
    expect(pgoutputProtocol(130_020)).toEqual({ version: 1 });
    expect(pgoutputProtocol(139_999)).toEqual({ version: 1 });
    expect(pgoutputProtocol(140_000)).toEqual({ version: 2, streaming: 'on' });
    expect(pgoutputProtocol(150_010)).toEqual({ version: 2, streaming: 'on' });
    expect(pgoutputProtocol(160_000)).toEqual({ version: 4, streaming: 'parallel' });
    expect(pgoutputProtocol(170_006)).toEqual({ version: 4, streaming: 'parallel' });
  });

  it('writes the START_REPLICATION options, quoting the publication as a literal holding an identifier', () => {
    expect(pgoutputOptions({ version: 1 }, 'tributary_j1')).toBe(`proto_version '1', publication_names '"tributary_j1"', messages 'true'`);
    expect(pgoutputOptions({ version: 2, streaming: 'on' }, 'p')).toBe(`proto_version '2', publication_names '"p"', messages 'true', streaming 'on'`);
    expect(pgoutputOptions({ version: 4, streaming: 'parallel' }, `o'd"d`)).toBe(`proto_version '4', publication_names '"o''d""d"', messages 'true', streaming 'parallel'`);
  });
});
