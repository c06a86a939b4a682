import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, warning, type Precheck } from '../precheck.ts';
import { plural } from '../fix-sql.ts';

// Creating a logical slot waits until every transaction that holds a
// transaction id when it starts has ended (the snapshot builder needs a
// consistent point), cluster-wide; seed 000 warns that a long transaction
// blocks slot creation. Old transactions without an xid do not block it but
// hold back the xmin horizon, so they only warn. Query text is not shown: it
// may hold literals nobody meant to share.
export const longTransactions: Precheck = {
  id: 'long-transactions',
  title: 'No long-running transaction blocks slot creation',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const threshold = ctx.options.longTransactionSeconds;
    const client = await ctx.source();
    const { rows } = await client.query(
      `SELECT pid, datname, usename, state, backend_xid IS NOT NULL AS has_xid,
              round(extract(epoch FROM now() - xact_start))::int AS age_s,
              to_char(xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS xact_start,
              to_char(query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS query_start
         FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
          AND xact_start < now() - make_interval(secs => $1)
        ORDER BY xact_start`,
      [threshold],
    );
    const hidden = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND query = '<insufficient privilege>'`,
    );
    const describe = (r: (typeof rows)[number]) =>
      `pid ${r.pid} (${quoteIdent(r.usename ?? '?')} on ${quoteIdent(r.datname ?? '?')}, ${r.state}${r.has_xid ? ', holds an xid' : ''}): open ${r.age_s} s since ${r.xact_start}, last query started ${r.query_start}`;
    const terminate = (list: typeof rows) => `${list.map((r) => `SELECT pg_terminate_backend(${r.pid});`).join('\n')}\n-- or wait for ${list.length === 1 ? 'it' : 'them'} to commit`;
    const blocking = rows.filter((r) => r.has_xid);
    if (blocking.length) {
      return error(`${plural(blocking.length, 'transaction')} older than ${threshold} s would block slot creation: ${blocking.map(describe).join('; ')}`, terminate(blocking));
    }
    if (rows.length) {
      return warning(`${plural(rows.length, 'transaction')} older than ${threshold} s without an xid (they do not block slot creation but hold back vacuum): ${rows.map(describe).join('; ')}`, terminate(rows));
    }
    if (hidden.rows[0].n > 0) {
      // Informational: an unseen transaction only delays slot creation, it cannot lose data.
      return {
        ...pass(`no visible transaction is older than ${threshold} s; ${plural(hidden.rows[0].n, 'session')} of other roles cannot be inspected by this account`),
        fix: `GRANT pg_read_all_stats TO ${quoteIdent(ctx.job.source.user)};`,
      };
    }
    return pass(`no transaction is older than ${threshold} s`);
  },
};
