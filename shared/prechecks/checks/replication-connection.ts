import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { sourceFacts } from '../source-facts.ts';
import { alterSystemRestart } from '../fix-sql.ts';

// The only sure test that pg_hba.conf and max_wal_senders admit a logical
// replication connection is to open one. Note that for logical replication
// (replication=database) pg_hba.conf matches the database name; the
// "replication" keyword the seeds mention matches physical replication only.
export const replicationConnection: Precheck = {
  id: 'replication-connection',
  title: 'A logical replication connection is accepted',
  requires: ['replication-privilege'],
  appliesTo: () => true,
  async run(ctx) {
    const facts = await sourceFacts(ctx);
    let client;
    try {
      client = await ctx.openReplication();
      const { rows } = await client.query('IDENTIFY_SYSTEM');
      return pass(`replication connection accepted (system ${rows[0].systemid}, timeline ${rows[0].timeline}, WAL at ${rows[0].xlogpos})`);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const detail = `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ''}`;
      if (e.code === '53300') {
        const senders = Number(facts.settings.get('max_wal_senders') ?? 0);
        return error(detail, `-- every WAL sender is in use: stop an unused replication connection, or raise the limit\n${alterSystemRestart('max_wal_senders', String(senders + 1))}`);
      }
      if (e.code?.startsWith('28')) {
        const database = quoteIdent(facts.database);
        const user = quoteIdent(ctx.job.source.user);
        const cidr = facts.clientAddress ? `${facts.clientAddress}/${facts.clientAddress.includes(':') ? 128 : 32}` : '<tributary address>/32';
        return error(detail, `Add this line to pg_hba.conf (logical replication connections match the database name), then reload:\nhost ${database} ${user} ${cidr} scram-sha-256\nSELECT pg_reload_conf();`);
      }
      return error(detail, 'See the server log for why the replication connection was refused.');
    } finally {
      await client?.end().catch(() => undefined);
    }
  },
};
