import { createAPI, findErrorBy, GenericError, kGetApi, Producer, produceV9, produceV10, produceV11, Writer, type ProducerOptions } from '@platformatic/kafka';
import { encodeProduceRequest, type ProduceMessage, type ProduceOptions } from './produce-request.ts';
import { BatchRecord, IDEMPOTENCY_HEADER, spanOf } from './record-batch.ts';

// The client's Producer with one change: the Produce request's bytes come
// from `encodeProduceRequest`. Version negotiation, idempotent sequences,
// transactions, retries and the response parser stay the client's, so its
// delivery guarantees are unchanged. Versions it cannot encode (pre-9, or a
// compressed batch) go through the client's own encoder. No serializers:
// keys, values and headers (a BatchRecord's bytes, Buffers or strings) are copied into place.
const PARSERS = new Map<number, typeof produceV11.parseResponse>([
  [9, produceV9.parseResponse],
  [10, produceV10.parseResponse],
  [11, produceV11.parseResponse],
]);
const ACKS_NONE = 0;
/** The code of the error that replaces a lost-sequence answer (see `guarded`). */
export const OUT_OF_SEQUENCE = 'TRIBUTARY_OUT_OF_SEQUENCE';

type Api = ((...args: unknown[]) => void) & { key: number; version: number };
type Callback = (error: Error | null, response?: unknown) => void;
type ApiCallback = (error: Error | null, api?: Api) => void;

export class FastProducer<K = string, V = string, HK = string, HV = string> extends Producer<K, V, HK, HV> {
  readonly #apis = new Map<Api, Api>();

  constructor(options: ProducerOptions<K, V, HK, HV>) {
    super(options);
  }

  // @ts-expect-error the client types this generic over request and response; the override passes both through unchanged
  override [kGetApi](name: string, callback: ApiCallback): void {
    if (name !== 'Produce') return void super[kGetApi](name, callback as never);
    super[kGetApi](name, ((error: Error | null, api?: Api) => {
      if (error || !api) return callback(error);
      let fast = this.#apis.get(api);
      if (!fast) this.#apis.set(api, (fast = fastProduceApi(api)));
      callback(null, fast);
    }) as never);
  }
}

function fastProduceApi(library: Api): Api {
  const parse = PARSERS.get(library.version);
  if (!parse) return library;
  const fast = createAPI(library.key, library.version, (acks: number, timeout: number, messages: ProduceMessage[], options: ProduceOptions & { compression?: string }) => {
    const writer = Writer.create().append(encodeProduceRequest(acks, timeout, messages, options));
    if (acks === ACKS_NONE) writer.context.noResponse = true;
    return writer;
  }, parse) as unknown as Api;
  // A compressed batch is the client's to build, from Buffers only.
  const api = ((connection: unknown, acks: number, timeout: number, messages: ProduceMessage[], options: { compression?: string }, callback: Callback) =>
    options?.compression && options.compression !== 'none'
      ? library(connection, acks, timeout, messages.map(asBuffers), options, guarded(callback))
      : fast(connection, acks, timeout, messages, options, guarded(callback))) as Api;
  api.key = library.key;
  api.version = library.version;
  return api;
}

const buffer = <T>(v: string | T) => (typeof v === 'string' ? Buffer.from(v) : v);

function asBuffers(m: ProduceMessage): ProduceMessage {
  if (m.value instanceof BatchRecord) {
    const { batch, index } = m.value;
    return { ...m, key: spanOf(batch, index, 0) ?? null, value: spanOf(batch, index, 2) ?? null, headers: new Map([[Buffer.from(IDEMPOTENCY_HEADER), spanOf(batch, index, 4)!]]) };
  }
  return { ...m, key: buffer(m.key), value: buffer(m.value as string | Buffer | null | undefined), headers: m.headers && new Map([...m.headers].map(([k, v]) => [buffer(k), buffer(v)])) };
}

// The broker answers OUT_OF_ORDER_SEQUENCE_NUMBER when a batch arrives after
// an earlier one of the same producer failed (several sends in flight:
// send-window.ts), and UNKNOWN_PRODUCER_ID when it lost the producer's state.
// The client would then take a new producer id and send the batch again,
// ahead of the earlier one's retry: a reordering. Answered as a final error
// instead, the write fails and the stream resumes from its checkpoint.
export function guarded(callback: Callback): Callback {
  return (error, response) => {
    if (error && (findErrorBy(error, 'apiId', 'OUT_OF_ORDER_SEQUENCE_NUMBER') || findErrorBy(error, 'apiId', 'UNKNOWN_PRODUCER_ID'))) {
      return callback(new GenericError(OUT_OF_SEQUENCE as never, 'Kafka lost this producer\'s sequence', { cause: error, canRetry: false }), response);
    }
    callback(error, response);
  };
}
