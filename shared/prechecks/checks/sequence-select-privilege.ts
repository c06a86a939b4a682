import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { ownedSequences } from '../owned-sequences.ts';

// Reading a sequence's value (for the cut-over setval statements) needs
// SELECT on it; the seeds list it among the source account's privileges.
export const sequenceSelectPrivilege: Precheck = {
  id: 'sequence-select-privilege',
  title: "Account has SELECT on the selected tables' sequences",
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const sequences = await ownedSequences(ctx);
    const missing = sequences.filter((s) => !s.canSelect);
    if (!missing.length) return pass(`SELECT on all ${sequences.length} sequence(s) owned by the selected tables`);
    const user = quoteIdent(ctx.job.source.user);
    return error(
      `no SELECT on ${missing.length} of ${sequences.length} sequence(s): ${listSome(missing.map((s) => qualified(s.schema, s.name)))}`,
      missing.map((s) => `GRANT SELECT ON SEQUENCE ${qualified(s.schema, s.name)} TO ${user};`).join('\n'),
    );
  },
};
