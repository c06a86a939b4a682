import { quoteIdent } from '../../source/pg-config.ts';
import { heartbeatTableOf } from '../../source/replication-objects.ts';
import { pass, warning, type Precheck } from '../precheck.ts';
import { qualified } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';

// The worker writes a heartbeat table on the source (SPEC.md §7): its rows
// measure replication lag and keep an idle slot advancing. Without CREATE on
// its schema (PUBLIC lost CREATE on "public" in PostgreSQL 15) the job still
// streams, unmeasured, so this is an ignorable warning. A standby source is
// read-only: no heartbeat can be written there whatever exists (a table made
// on the primary would replicate, but nothing would write its rows).
export const heartbeatTable: Precheck = {
  id: 'heartbeat-table',
  title: 'The heartbeat table can be created (replication lag measurement)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const t = heartbeatTableOf(ctx.job);
    const name = qualified(t.schema, t.table);
    const [client, facts] = await Promise.all([ctx.source(), sourceFacts(ctx)]);
    if (facts.inRecovery) {
      return warning(
        'the source is a standby (read-only): the job writes no heartbeat rows there, so replication lag is not measured and a lag alarm (alerting.lagThresholdSeconds) never fires; retained WAL is still reported',
        'Acknowledge, or point the job at the primary to measure lag.',
      );
    }
    const { rows } = await client.query(
      `SELECT n.oid IS NOT NULL AS schema_exists, coalesce(has_schema_privilege(n.oid, 'CREATE'), false) AS can_create,
              c.oid IS NOT NULL AS table_exists, CASE WHEN c.oid IS NOT NULL THEN pg_has_role(c.relowner, 'USAGE') END AS owned
         FROM (SELECT 1) AS one
         LEFT JOIN pg_namespace n ON n.nspname = $1
         LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = $2`,
      [t.schema, t.table],
    );
    const r = rows[0];
    const user = quoteIdent(ctx.job.source.user);
    if (r.table_exists && r.owned) return pass(`${name} exists (from an earlier run of this job)`);
    if (r.table_exists) {
      return warning(`${name} exists but belongs to another role: the job cannot publish it, so replication lag will not be measured`, `ALTER TABLE ${name} OWNER TO ${user};`);
    }
    if (r.can_create) return pass(`${name} will be created (CREATE on schema ${quoteIdent(t.schema)})`);
    return warning(
      `${user} cannot create ${name} (${r.schema_exists ? `no CREATE on schema ${quoteIdent(t.schema)}` : `schema ${quoteIdent(t.schema)} does not exist`}): the job streams, but replication lag is not measured and an idle database's slot is not advanced by heartbeats`,
      r.schema_exists ? `GRANT CREATE ON SCHEMA ${quoteIdent(t.schema)} TO ${user};` : `CREATE SCHEMA ${quoteIdent(t.schema)} AUTHORIZATION ${user};`,
    );
  },
};
