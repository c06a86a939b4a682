import { describe, expect, it } from 'vitest';
import pg from 'pg';
import net from 'node:net';
import { lookup } from 'node:dns/promises';
import kafkajs from 'kafkajs';
import { classify } from '../../../../shared/errors/classify.ts';
import { TributaryError } from '../../../../shared/errors/tributary-error.ts';
import { freePort } from '../../../../scripts/services/postgres.ts';

const { KafkaJSConnectionError, KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded } = kafkajs;

/** What pg's DatabaseError carries: a message and the server's SQLSTATE. */
const sqlError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('classify: real socket errors', () => {
  it('pg dialling a closed port → SourceUnreachable, a connection-class error', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await freePort(), user: 'u', password: 'p', database: 'd' });
    const err = await client.connect().then(() => undefined, (e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    const c = classify(err);
    expect(c).toMatchObject({ code: 'SourceUnreachable', errorClass: 'connection' });
    expect(c.message).toMatch(/ECONNREFUSED/);
    expect(c.cause).toBe(err);
  });

  it('a net socket to a closed port, on the sink side → SinkUnreachable', async () => {
    const port = await freePort();
    const err = await new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').on('error', resolve));
    expect(classify(err, 'sink')).toMatchObject({ code: 'SinkUnreachable', errorClass: 'connection' });
    expect(classify(err, 'source').code).toBe('SourceUnreachable');
  });

  it('getaddrinfo of a host that cannot exist → SourceUnreachable', async () => {
    const err = await lookup('no-such-host.invalid').then(() => undefined, (e: unknown) => e);
    // ENOTFOUND with a resolver; EAI_AGAIN on a machine without one: both are "unreachable"
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain((err as { code?: string }).code);
    expect(classify(err)).toMatchObject({ code: 'SourceUnreachable', errorClass: 'connection' });
    expect(classify(err, 'sink').code).toBe('SinkUnreachable');
  });

  it('an errno buried in the cause chain is found', () => {
    const inner = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classify(new Error('query failed', { cause: inner })).code).toBe('SourceConnectionLost');
  });

  // EPIPE has the shape of a SQLSTATE (five capitals) but is a socket errno.
  it('EPIPE (a write to a closed socket) → SourceConnectionLost, not a SQLSTATE', () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' });
    expect(classify(epipe).code).toBe('SourceConnectionLost');
  });
});

describe("classify: node-postgres' messages for a dead socket", () => {
  it.each([
    'Client has encountered a connection error and is not queryable',
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
  ])('%s → a connection-class error', (message) => {
    expect(classify(new Error(message)).errorClass).toBe('connection');
  });
});

describe('classify: @platformatic/kafka', () => {
  it('a network error nested in an aggregate → SinkUnreachable', () => {
    const inner = Object.assign(new Error('Connection to 127.0.0.1:9 failed.'), { code: 'PLT_KFK_NETWORK', canRetry: true });
    const outer = Object.assign(new AggregateError([Object.assign(new AggregateError([inner], 'metadata failed 4 times.'), { code: 'PLT_KFK_MULTIPLE' })], 'Listing topics failed.'), { code: 'PLT_KFK_MULTIPLE' });
    const e = classify(outer, 'sink');
    expect(e.code).toBe('SinkUnreachable');
    expect(e.message).toContain('Connection to 127.0.0.1:9 failed.');
  });

  it('a fenced transactional producer → ProducerFenced (fatal: never retried, never writes again)', () => {
    const fenced = Object.assign(new Error('There is a newer producer with the same transactionalId which fences the current one.'), { code: 'PLT_KFK_PROTOCOL', apiId: 'PRODUCER_FENCED', canRetry: false });
    const response = Object.assign(new AggregateError([fenced], 'Received response with error while executing API EndTxn(v3)'), { code: 'PLT_KFK_RESPONSE' });
    expect(classify(response, 'sink')).toMatchObject({ code: 'ProducerFenced', errorClass: 'fatal' });
    const oldEpoch = Object.assign(new Error('Producer attempted to produce with an old epoch.'), { code: 'PLT_KFK_PROTOCOL', apiId: 'INVALID_PRODUCER_EPOCH', canRetry: false });
    expect(classify(oldEpoch, 'sink').code).toBe('ProducerFenced');
  });

  it('a broker answer that cannot be retried → SinkRejected; authentication → SinkAuthFailed (fatal)', () => {
    expect(classify(Object.assign(new Error('Record too large'), { code: 'PLT_KFK_PROTOCOL', canRetry: false }), 'sink').code).toBe('SinkRejected');
    expect(classify(Object.assign(new Error('SASL failed'), { code: 'PLT_KFK_AUTHENTICATION' }), 'sink')).toMatchObject({ code: 'SinkAuthFailed', errorClass: 'fatal' });
  });
});

describe('classify: SQLSTATE from PostgreSQL', () => {
  it.each([
    ['28P01', 'SourceAuthFailed', 'fatal'], // invalid_password
    ['28000', 'SourceAuthFailed', 'fatal'], // invalid_authorization_specification (pg_hba)
    ['08006', 'SourceUnreachable', 'connection'], // connection_failure
    ['57P01', 'SourceConnectionLost', 'connection'], // admin_shutdown
    ['57P03', 'SourceConnectionLost', 'connection'], // cannot_connect_now
    ['55006', 'SlotInUse', 'connection'], // object_in_use
    ['53300', 'SourceResourcesExhausted', 'other'], // too_many_connections
    ['53400', 'SlotLimitReached', 'fatal'], // configuration_limit_exceeded
    ['42501', 'InsufficientPrivilege', 'fatal'],
    ['42P01', 'TableNotFound', 'fatal'],
    ['57014', 'SourceQueryFailed', 'other'], // query_canceled: 57 but not 57P0x
    ['XX000', 'SourceQueryFailed', 'other'], // internal_error: no rule of its own
  ])('%s → %s (%s)', (sqlstate, code, errorClass) => {
    const err = sqlError(sqlstate, 'the server said no');
    const c = classify(err);
    expect(c).toMatchObject({ code, errorClass });
    expect(c.message).toBe(`the server said no (SQLSTATE ${sqlstate})`);
    expect(c.cause).toBe(err);
  });
});

describe('classify: kafkajs', () => {
  it('a connection error → SinkUnreachable', () => {
    const c = classify(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'sink');
    expect(c).toMatchObject({ code: 'SinkUnreachable', errorClass: 'connection' });
    expect(c.message).toMatch(/^KafkaJSConnectionError: /);
  });

  it('retries exhausted → SinkUnreachable', () => {
    const cause = new KafkaJSConnectionError('down');
    expect(classify(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 }), 'sink').code).toBe('SinkUnreachable');
  });

  it('a protocol error from the broker → SinkRejected', () => {
    const err = new KafkaJSProtocolError({ message: 'The request included a message larger than the max message size the server will accept', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false } as any);
    expect(classify(err, 'sink')).toMatchObject({ code: 'SinkRejected', errorClass: 'other' });
  });
});

describe('classify: everything else', () => {
  it('a TributaryError passes through as the same object', () => {
    const original = new TributaryError('DecodeFailed', 'bad byte at 0/16');
    expect(classify(original)).toBe(original);
    expect(classify(original, 'sink')).toBe(original);
  });

  it('pg timeouts and terminated connections without an errno are unreachable', () => {
    expect(classify(new Error('Connection terminated unexpectedly')).code).toBe('SourceUnreachable');
    expect(classify(new Error('timeout expired'), 'sink').code).toBe('SinkUnreachable');
  });

  it.each([
    ['a plain Error', new Error('boom'), 'boom'],
    ['a thrown string', 'boom', 'boom'],
    ['undefined', undefined, 'undefined'],
  ])('%s → Internal', (_what, err, message) => {
    expect(classify(err)).toMatchObject({ code: 'Internal', errorClass: 'other', message });
  });
});
