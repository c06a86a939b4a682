import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, warning, type Precheck } from '../precheck.ts';
import { plural, quoteLiteral } from '../fix-sql.ts';

// A prepared (two-phase) transaction holds its xid until COMMIT PREPARED or
// ROLLBACK PREPARED, possibly forever if its coordinator is gone, and slot
// creation waits for it like for any running transaction.
export const preparedTransactions: Precheck = {
  id: 'prepared-transactions',
  title: 'No prepared transaction is pending',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const threshold = ctx.options.longTransactionSeconds;
    const client = await ctx.source();
    const { rows } = await client.query(
      `SELECT gid, owner, database, round(extract(epoch FROM now() - prepared))::int AS age_s,
              to_char(prepared AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS prepared
         FROM pg_prepared_xacts ORDER BY prepared`,
    );
    if (!rows.length) return pass('no prepared transactions');
    const list = rows.map((r) => `${quoteLiteral(r.gid)} (owner ${quoteIdent(r.owner)}, database ${quoteIdent(r.database)}, prepared ${r.age_s} s ago at ${r.prepared})`).join('; ');
    const fix = rows
      .map((r) => `-- in database ${quoteIdent(r.database)}; or COMMIT PREPARED if its transaction manager wants it committed\nROLLBACK PREPARED ${quoteLiteral(r.gid)};`)
      .join('\n');
    const old = rows.filter((r) => r.age_s >= threshold);
    if (old.length) return error(`${plural(rows.length, 'prepared transaction')} pending, ${old.length} older than ${threshold} s; slot creation waits for them: ${list}`, fix);
    return warning(`${plural(rows.length, 'prepared transaction')} pending (younger than ${threshold} s, probably about to finish); slot creation waits for them: ${list}`, fix);
  },
};
