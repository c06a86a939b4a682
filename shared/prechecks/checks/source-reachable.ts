import net from 'node:net';
import { error, pass, type Precheck } from '../precheck.ts';

// A bare TCP connect, so "nothing listens there" is told apart from "it
// answered but refused us" (which source-authentication reports).
export const sourceReachable: Precheck = {
  id: 'source-reachable',
  title: 'Source is reachable',
  appliesTo: () => true,
  async run({ job }) {
    const { host, port } = job.source;
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
      return error(`the host name "${host}" does not resolve (${code})`, 'Correct source.host, or make the name resolvable from where Tributary runs (DNS, VPC resolver).');
    }
    return error(
      `could not open a TCP connection to ${host}:${port}: ${code} (${failure.message})`,
      `Make PostgreSQL listen on that address: listen_addresses = '*' in postgresql.conf (then restart), port = ${port}; ` +
        `and allow Tributary's address to reach ${host}:${port} (security group, firewall, network ACL).`,
    );
  },
};
