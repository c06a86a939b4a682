import net from 'node:net';
import { error, pass, type Precheck } from '../precheck.ts';
import { isPostgresDestination, postgresDestinationOf } from '../destination-targets.ts';

// A bare TCP connect to a PostgreSQL destination, so "nothing listens there"
// is told apart from "it answered but refused us" (destination-authentication).
export const destinationReachable: Precheck = {
  id: 'destination-reachable',
  title: 'Destination PostgreSQL is reachable',
  appliesTo: isPostgresDestination,
  async run({ job }) {
    const { host, port } = postgresDestinationOf(job);
    const started = Date.now();
    const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const socket = net.connect({ host, port, timeout: 5_000 });
      socket.once('connect', () => (socket.destroy(), resolve(undefined)));
      socket.once('timeout', () => (socket.destroy(), resolve(Object.assign(new Error('no answer within 5 s'), { code: 'ETIMEDOUT' }))));
      socket.once('error', (err) => (socket.destroy(), resolve(err)));
    });
    if (!failure) return pass(`${host}:${port} accepted a TCP connection in ${Date.now() - started} ms`);
    const code = failure.code ?? 'error';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return error(`the destination host name "${host}" does not resolve (${code})`, 'Correct destination.host, or make the name resolvable from where Tributary runs (DNS, VPC resolver).');
    }
    return error(
      `could not open a TCP connection to the destination ${host}:${port}: ${code} (${failure.message})`,
      `Make the destination PostgreSQL listen on that address (listen_addresses, port = ${port}) and allow Tributary's address to reach ${host}:${port} (security group, firewall, network ACL).`,
    );
  },
};
