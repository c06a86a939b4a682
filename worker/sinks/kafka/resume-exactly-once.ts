import type { JobRecord } from '../../../shared/job/job-record.ts';
import { formatLsn, type Lsn } from '../../../shared/lsn.ts';
import type { Logger } from '../../../shared/logger.ts';
import { classify } from '../../../shared/errors/classify.ts';
import { producerSettings } from './producer-settings.ts';
import { kafkaClientBase } from './kafka-client-base.ts';

export type Resumed = {
  /** The job with the position to resume from (ackedLsn, snapshot progress). */
  job: JobRecord;
  exactlyOnce: boolean;
  /** Exactly-once: source transactions committed before this LSN are in Kafka already and are skipped. */
  skipBefore?: Lsn;
};

// Where an exactly-once run starts. The job store is saved after the Kafka
// commit, so Kafka's position is never behind it for long, but it can be
// ahead: a worker killed between the Kafka commit and the save leaves the
// store (and the slot) one checkpoint behind. Whichever is later says
// "everything up to here is in Kafka", with the snapshot progress at it.
export async function resumeExactlyOnce(job: JobRecord, stored: JobRecord, log: Logger): Promise<Resumed> {
  const destination = job.destination;
  if (destination.type !== 'kafka' || destination.deliveryGuarantee !== 'exactly-once') return { job: stored, exactlyOnce: false };
  // Loaded here: the Kafka client costs ~65 MB of RSS, and an at-least-once worker's main thread never needs it.
  const { DEFAULT_TRANSACTION_TIMEOUT_MS, fenceAndReadPosition, laterPosition } = await import('./kafka-position.ts');
  const base = kafkaClientBase({ destination, clientId: `tributary-${job.id}` });
  const transactionTimeoutMs = producerSettings(destination.properties).transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
  const inKafka = await fenceAndReadPosition({ base, jobId: job.id, transactionTimeoutMs }).catch((err) => {
    throw classify(err, 'sink');
  });
  const later = laterPosition(stored, inKafka);
  if (!later) return { job: stored, exactlyOnce: true };
  log.info('exactly-once: resuming from the committed position', {
    kafka: inKafka ? formatLsn(inKafka.lsn) : null,
    stored: stored.ackedLsn ?? null,
    from: formatLsn(later.lsn),
  });
  return { job: { ...stored, ackedLsn: formatLsn(later.lsn), snapshot: later.snapshot ?? stored.snapshot }, exactlyOnce: true, skipBefore: later.lsn };
}
