import { quoteIdent } from '../../source/pg-config.ts';
import { pass, type Precheck } from '../precheck.ts';
import { listSome, qualified, quoteLiteral } from '../fix-sql.ts';
import { ownedSequences } from '../owned-sequences.ts';

// Logical replication does not carry sequence values, so after cut-over the
// destination's sequences would restart below the source's (DTS asks users to
// do this by hand). The statements are as of this precheck: run it again at
// cut-over for current values.
export const sequences: Precheck = {
  id: 'sequences',
  title: 'Sequence values to set at cut-over',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const all = await ownedSequences(ctx);
    const readable = all.filter((s) => s.canSelect);
    if (!all.length) return pass('no sequences are owned by the selected tables');
    const statements = readable.map((s) => {
      const name = quoteLiteral(qualified(s.schema, s.name));
      return s.lastValue === null ? `SELECT setval(${name}, ${s.startValue ?? 1}, false);` : `SELECT setval(${name}, ${s.lastValue}, true);`;
    });
    const unreadable = all.length - readable.length;
    return {
      ...pass(
        `${all.length} sequence(s) owned by the selected tables (${listSome(all.map((s) => `${qualified(s.schema, s.name)} → ${qualified(s.table.schema, s.table.table)}.${quoteIdent(s.column)}`))})` +
          (statements.length ? '; run the statements in fix on the destination at cut-over, after the stream has caught up (values as of this precheck)' : '') +
          (unreadable ? `; ${unreadable} could not be read (see sequence-select-privilege)` : ''),
      ),
      fix: statements.join('\n') || undefined,
    };
  },
};
