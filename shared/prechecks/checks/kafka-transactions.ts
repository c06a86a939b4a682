import { error, pass, type Precheck } from '../precheck.ts';
import { bootstrap, isAuthorizationError, kafkaErrorTypes, PROBE_TOPIC } from '../kafka-topics-of.ts';
import { classify } from '../../errors/classify.ts';

// exactly-once commits a Kafka transaction per checkpoint. A transactional
// producer needs the transaction coordinator (whose __transaction_state
// topic needs transaction.state.log.replication.factor brokers) and, on a
// secured cluster, Write on its transactional id. Initialising one and
// aborting a probe transaction proves both without a visible record.
export const kafkaTransactions: Precheck = {
  id: 'kafka-transactions',
  title: 'Kafka allows transactions (exactly-once)',
  requires: ['kafka-write'],
  appliesTo: (job) => job.destination.type === 'kafka' && job.destination.deliveryGuarantee === 'exactly-once',
  async run(ctx) {
    const transactionalId = `tributary-precheck-${ctx.job.id}`;
    const producer = ctx.kafka().producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 1 } });
    try {
      await producer.connect();
      const tx = await producer.transaction();
      await tx.send({ topic: PROBE_TOPIC, acks: -1, messages: [{ key: ctx.job.id, value: JSON.stringify({ probe: 'tributary-precheck transaction (aborted)' }) }] });
      await tx.abort();
      return pass(`a transactional producer (${transactionalId}) began, wrote and aborted a transaction on ${PROBE_TOPIC}`);
    } catch (err) {
      if (isAuthorizationError(err)) {
        return error(
          `Kafka refused the transaction: ${kafkaErrorTypes(err).join(', ')}`,
          `kafka-acls.sh --bootstrap-server ${bootstrap(ctx.job)} --add --allow-principal 'User:<tributary principal>' --operation Write --operation Describe --transactional-id 'tributary-' --resource-pattern-type prefixed`,
        );
      }
      const c = classify(err, 'sink');
      return error(
        `a transactional producer could not complete a probe transaction: ${c.message}`,
        'Check that the transaction coordinator is available: transaction.state.log.replication.factor and transaction.state.log.min.isr must not exceed the number of live brokers (server.properties).',
      );
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  },
};
