import { describe, expect, it } from 'vitest';
import { classifyDestination } from '../../../../../worker/sinks/postgres/classify-destination.ts';
import { TributaryError } from '../../../../../shared/errors/tributary-error.ts';

// A failure on the destination database is named for the destination and
// put in the retry class that can fix it.
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('classifyDestination', () => {
  it.each([
    [pgError('28P01', 'password authentication failed for user "loader"'), 'DestinationAuthFailed', 'fatal'],
    [pgError('3D000', 'database "warehouse" does not exist'), 'DestinationAuthFailed', 'fatal'],
    [pgError('08006', 'connection failure'), 'DestinationUnreachable', 'connection'],
    [pgError('57P01', 'terminating connection due to administrator command'), 'DestinationUnreachable', 'connection'],
    [pgError('42501', 'permission denied for table orders'), 'DestinationPrivilegeMissing', 'fatal'],
    [pgError('23505', 'duplicate key value violates unique constraint "orders_code_key"'), 'DestinationWriteFailed', 'other'],
    [pgError('22001', 'value too long for type character varying(5)'), 'DestinationWriteFailed', 'other'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }), 'DestinationUnreachable', 'connection'],
    [Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 'DestinationUnreachable', 'connection'],
    [new Error('Connection terminated unexpectedly'), 'DestinationUnreachable', 'connection'],
  ])('%s → %s (%s)', (err, code, errorClass) => {
    const classified = classifyDestination(err);
    expect(classified).toMatchObject({ code, errorClass });
    expect(classified.message).toMatch(/^destination: /);
  });

  it('keeps a TributaryError as it is', () => {
    const err = new TributaryError('DestinationSchemaMismatch', 'no column');
    expect(classifyDestination(err)).toBe(err);
  });
});
