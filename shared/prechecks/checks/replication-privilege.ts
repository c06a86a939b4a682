import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';

// Creating a slot and streaming need the REPLICATION attribute or superuser;
// on Amazon RDS / Aurora membership in rds_replication grants it.
export const replicationPrivilege: Precheck = {
  id: 'replication-privilege',
  title: 'Account has REPLICATION (or is superuser)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const client = await ctx.source();
    const { rows } = await client.query(
      `SELECT r.rolname, r.rolsuper, r.rolreplication,
              EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' AND pg_has_role(r.oid, g.oid, 'MEMBER')) AS rds_replication,
              EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication') AS on_rds
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const r = rows[0];
    const user = quoteIdent(r.rolname);
    if (r.rolsuper) return pass(`${user} is a superuser`);
    if (r.rolreplication) return pass(`${user} has the REPLICATION attribute`);
    if (r.rds_replication) return pass(`${user} is a member of rds_replication`);
    return error(
      `${user} is neither superuser nor has REPLICATION${r.on_rds ? ' nor rds_replication' : ''}: it cannot create a replication slot or stream`,
      r.on_rds ? `GRANT rds_replication TO ${user};` : `ALTER ROLE ${user} WITH REPLICATION;`,
    );
  },
};
