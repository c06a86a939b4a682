import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import { producerSettings } from './producer-settings.ts';

/** Connection options shared by the sink's clients and the position reader. */
export function kafkaClientBase(opts: { destination: KafkaDestination; clientId: string }) {
  const settings = producerSettings(opts.destination.properties);
  return {
    clientId: settings.clientId ?? opts.clientId,
    bootstrapBrokers: opts.destination.brokers,
    connectTimeout: 10_000,
    ...(settings.timeoutMs ? { timeout: settings.timeoutMs } : {}),
  };
}
