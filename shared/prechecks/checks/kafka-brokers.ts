import net from 'node:net';
import { classify } from '../../errors/classify.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { isKafka, kafkaOf } from '../kafka-topics-of.ts';

// The bootstrap brokers answer with the addresses every broker advertises,
// and clients then connect to those: a broker advertising an address
// Tributary cannot reach (advertised.listeners) fails later, so each one is
// dialled here.
export const kafkaBrokers: Precheck = {
  id: 'kafka-brokers',
  title: 'Kafka brokers are reachable',
  appliesTo: isKafka,
  async run(ctx) {
    const brokers = kafkaOf(ctx.job).brokers.join(', ');
    let cluster;
    try {
      cluster = await (await ctx.kafkaAdmin()).describeCluster();
    } catch (err) {
      const c = classify(err, 'sink');
      return error(`could not reach the Kafka cluster at ${brokers}: ${c.message}`, `Check destination.brokers (host:port of the listener Tributary can reach), that the brokers run, and that security groups allow Tributary's address. ${c.remedy}`);
    }
    const advertised = cluster.brokers.map((b) => `${b.host}:${b.port}`);
    const unreachable = (await Promise.all(cluster.brokers.map(async (b) => ((await dial(b.host, b.port)) ? undefined : `${b.nodeId} at ${b.host}:${b.port}`)))).filter(Boolean);
    if (unreachable.length) {
      return error(
        `the cluster answered at ${brokers} but broker(s) ${unreachable.join(', ')} advertise an address Tributary cannot connect to`,
        'Set advertised.listeners on those brokers to an address reachable from Tributary (e.g. advertised.listeners=PLAINTEXT://<reachable host>:<port>) and restart them.',
      );
    }
    return pass(`cluster ${cluster.clusterId}: ${cluster.brokers.length} broker(s) (${advertised.join(', ')}), controller ${cluster.controller ?? 'unknown'}`);
  },
};

function dial(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3_000 });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
