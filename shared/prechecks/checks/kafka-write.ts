import { error, pass, type Precheck } from '../precheck.ts';
import { bootstrap, isAuthorizationError, isKafka, kafkaErrorTypes, PROBE_TOPIC } from '../kafka-topics-of.ts';
import { classify } from '../../errors/classify.ts';

// One record through the same kind of producer the sink uses (idempotent,
// acks=all), to a dedicated topic: writing a probe into the job's own topics
// would reach its consumers. The probe topic is created once, keeps records
// for an hour and is left in place on purpose (docs/prechecks.md).
export const kafkaWrite: Precheck = {
  id: 'kafka-write',
  title: `Kafka accepts writes (a probe record to ${PROBE_TOPIC})`,
  requires: ['kafka-brokers'],
  appliesTo: isKafka,
  async run(ctx) {
    const admin = await ctx.kafkaAdmin();
    const producer = ctx.kafka().producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 1 } });
    const acl = (ops: string) => `kafka-acls.sh --bootstrap-server ${bootstrap(ctx.job)} --add --allow-principal 'User:<tributary principal>' ${ops} --topic '${PROBE_TOPIC}'`;
    try {
      await admin.createTopics({
        topics: [{ topic: PROBE_TOPIC, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
        waitForLeaders: true,
      });
    } catch (err) {
      const fix = isAuthorizationError(err) ? acl('--operation Create --operation Describe --operation Write') : `kafka-topics.sh --bootstrap-server ${bootstrap(ctx.job)} --create --topic '${PROBE_TOPIC}' --partitions 1 --config retention.ms=3600000`;
      return error(`could not create the probe topic ${PROBE_TOPIC}: ${kafkaErrorTypes(err).join(', ') || (err as Error).message}`, fix);
    }
    try {
      await producer.connect();
      const [ack] = await producer.send({
        topic: PROBE_TOPIC,
        acks: -1,
        messages: [{ key: ctx.job.id, value: JSON.stringify({ probe: 'tributary-precheck', job: ctx.job.id, at: new Date().toISOString() }) }],
      });
      return pass(`an idempotent producer wrote a probe record to ${PROBE_TOPIC} (partition ${ack.partition}, offset ${ack.baseOffset}) with acks=all`);
    } catch (err) {
      const types = kafkaErrorTypes(err);
      if (isAuthorizationError(err)) {
        const cluster = types.includes('CLUSTER_AUTHORIZATION_FAILED') ? `\nkafka-acls.sh --bootstrap-server ${bootstrap(ctx.job)} --add --allow-principal 'User:<tributary principal>' --operation IdempotentWrite --cluster` : '';
        return error(`Kafka refused the probe write: ${types.join(', ')}`, `${acl('--operation Write --operation Describe')}${cluster}`);
      }
      const c = classify(err, 'sink');
      return error(`the probe write failed: ${c.message}`, c.remedy);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  },
};
