import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { alterSystemReload } from '../fix-sql.ts';
import { major, sourceFacts } from '../source-facts.ts';

// Logical decoding on a standby exists from PostgreSQL 16, and needs
// hot_standby_feedback so that the primary's vacuum does not remove catalog
// rows the standby's slot still needs (which would invalidate the slot).
export function assessStandby(i: { inRecovery: boolean; major: number; hotStandbyFeedback: string | undefined }): Finding {
  if (!i.inRecovery) return pass('the source is a primary');
  const problems: string[] = [];
  const fixes: string[] = [];
  if (i.major < 16) {
    problems.push(`PostgreSQL ${i.major} cannot decode on a standby (16+ can)`);
    fixes.push('Point the job at the primary, or upgrade to PostgreSQL 16 or later.');
  }
  if (i.hotStandbyFeedback !== 'on') {
    problems.push(`hot_standby_feedback = ${i.hotStandbyFeedback}: the primary may vacuum catalog rows the slot needs and invalidate it`);
    fixes.push(alterSystemReload('hot_standby_feedback', 'on'));
  }
  if (!problems.length) return pass(`the source is a standby on PostgreSQL ${i.major} with hot_standby_feedback = on`);
  return error(`the source is a standby: ${problems.join('; ')}`, fixes.join('\n'));
}

export const standby: Precheck = {
  id: 'standby',
  title: 'On a standby: PostgreSQL 16+ and hot_standby_feedback = on',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const facts = await sourceFacts(ctx);
    return assessStandby({ inRecovery: facts.inRecovery, major: major(facts.versionNum), hotStandbyFeedback: facts.settings.get('hot_standby_feedback') });
  },
};
