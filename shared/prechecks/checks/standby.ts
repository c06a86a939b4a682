import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { alterSystemReload } from '../fix-sql.ts';
import { major, sourceFacts } from '../source-facts.ts';
import { phasesOf } from '../../job/job-spec.ts';

// Logical decoding on a standby exists from PostgreSQL 16, and needs
// hot_standby_feedback so that the primary's vacuum does not remove catalog
// rows the standby's slot still needs (which would invalidate the slot).
// A standby writes no WAL, so the full phase, which reads each chunk between
// two pg_logical_emit_message watermarks, cannot run there: a job on a standby
// streams only (the worker refuses it too, worker/replication/standby-source.ts).
export function assessStandby(i: { inRecovery: boolean; major: number; hotStandbyFeedback: string | undefined; fullPhase: boolean }): Finding {
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
  if (i.fullPhase) {
    problems.push('the job has a full synchronization, whose watermarks (pg_logical_emit_message) a standby cannot write');
    fixes.push('Set startMode to {"type": "incremental"} (or syncTypes.full to false) and copy the existing rows another way, or point the job at the primary.');
  }
  if (!problems.length) {
    return pass(`the source is a standby on PostgreSQL ${i.major} with hot_standby_feedback = on; it is read-only, so schema, role and grant fixes in this report run on the primary`);
  }
  return error(`the source is a standby: ${problems.join('; ')}`, fixes.join('\n'));
}

export const standby: Precheck = {
  id: 'standby',
  title: 'On a standby: PostgreSQL 16+, hot_standby_feedback = on, no full synchronization',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const facts = await sourceFacts(ctx);
    return assessStandby({ inRecovery: facts.inRecovery, major: major(facts.versionNum), hotStandbyFeedback: facts.settings.get('hot_standby_feedback'), fullPhase: phasesOf(ctx.job).full });
  },
};
