import { TributaryError } from '../../../shared/errors/tributary-error.ts';

// The job's `properties.*` keys (SPEC.md §2, prefix removed) mapped onto the
// client's options. Only settings that cannot weaken delivery are accepted:
// acks, idempotence and in-flight limits are fixed by the sink, not the job.
export type ProducerSettings = { compression?: 'gzip' | 'snappy' | 'lz4' | 'zstd'; timeoutMs?: number; retryDelayMs?: number; clientId?: string; transactionTimeoutMs?: number };

const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const SUPPORTED = ['compression.type', 'request.timeout.ms', 'retry.backoff.ms', 'client.id', 'transaction.timeout.ms'];

export function producerSettings(properties: Record<string, string>): ProducerSettings {
  const settings: ProducerSettings = {};
  for (const [prefixed, value] of Object.entries(properties)) {
    const key = prefixed.replace(/^properties\./, '');
    const field = `destination.properties["${prefixed}"]`;
    switch (key) {
      case 'compression.type':
        if (!(COMPRESSIONS as readonly string[]).includes(value)) throw new TributaryError('SinkRejected', `${field}: "${value}" is not one of ${COMPRESSIONS.join(', ')}`);
        if (value !== 'none') settings.compression = value as ProducerSettings['compression'];
        break;
      case 'request.timeout.ms':
      case 'retry.backoff.ms':
      case 'transaction.timeout.ms': {
        const ms = Number(value);
        if (!Number.isInteger(ms) || ms < 1) throw new TributaryError('SinkRejected', `${field}: expected a whole number of milliseconds, got "${value}"`);
        if (key === 'request.timeout.ms') settings.timeoutMs = ms;
        else if (key === 'retry.backoff.ms') settings.retryDelayMs = ms;
        else settings.transactionTimeoutMs = ms; // exactly-once only; the broker caps it at transaction.max.timeout.ms (15 min by default)
        break;
      }
      case 'client.id':
        settings.clientId = value;
        break;
      default:
        throw new TributaryError('SinkRejected', `${field} is not supported; supported: ${SUPPORTED.map((k) => `properties.${k}`).join(', ')} (acks, idempotence and in-flight limits are fixed for safe delivery)`);
    }
  }
  return settings;
}
