import { createAPI, kGetApi, Producer, produceV9, produceV10, produceV11, Writer, type ProducerOptions } from '@platformatic/kafka';
import { encodeProduceRequest, type ProduceMessage, type ProduceOptions } from './produce-request.ts';

// The client's Producer with one change: the Produce request's bytes come
// from `encodeProduceRequest`. Version negotiation, idempotent sequences,
// transactions, retries and the response parser stay the client's, so its
// delivery guarantees are unchanged. Versions it cannot encode (pre-9, or a
// compressed batch) go through the client's own encoder. No serializers:
// keys, values and headers stay strings until they are written into place.
const PARSERS = new Map<number, typeof produceV11.parseResponse>([
  [9, produceV9.parseResponse],
  [10, produceV10.parseResponse],
  [11, produceV11.parseResponse],
]);
const ACKS_NONE = 0;

type Api = ((...args: unknown[]) => void) & { key: number; version: number };
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
  // A compressed batch is the client's to build, from Buffers: the sink hands over strings.
  const api = ((connection: unknown, acks: number, timeout: number, messages: ProduceMessage[], options: { compression?: string }, callback: unknown) =>
    options?.compression && options.compression !== 'none'
      ? library(connection, acks, timeout, messages.map(asBuffers), options, callback)
      : fast(connection, acks, timeout, messages, options, callback)) as Api;
  api.key = library.key;
  api.version = library.version;
  return api;
}

const buffer = <T>(v: string | T) => (typeof v === 'string' ? Buffer.from(v) : v);

function asBuffers(m: ProduceMessage): ProduceMessage {
  return { ...m, key: buffer(m.key), value: buffer(m.value), headers: m.headers && new Map([...m.headers].map(([k, v]) => [buffer(k), buffer(v)])) };
}
