import { error, pass, warning, type Finding, type Precheck } from '../precheck.ts';
import { major, sourceFacts } from '../source-facts.ts';

// SPEC.md §2: PostgreSQL 12–17 (pgoutput protocol 1, and 2+ streaming from 14; pg_stat_activity columns,
// logical decoding of the catalogs we read). Newer majors usually work but are
// untested, so they warn instead of failing.
export const SUPPORTED_MAJORS = { min: 12, max: 17 } as const;

export function assessVersion(versionNum: number, version: string): Finding {
  const m = major(versionNum);
  if (m < SUPPORTED_MAJORS.min) {
    return error(`PostgreSQL ${version} is older than ${SUPPORTED_MAJORS.min}, the oldest supported major`, `Upgrade the source to PostgreSQL ${SUPPORTED_MAJORS.min}–${SUPPORTED_MAJORS.max} (pg_upgrade, or a managed major version upgrade).`);
  }
  if (m > SUPPORTED_MAJORS.max) {
    return warning(`PostgreSQL ${version} is newer than ${SUPPORTED_MAJORS.max}, the newest major Tributary is tested on`, `Acknowledge to proceed untested, or use a PostgreSQL ${SUPPORTED_MAJORS.min}–${SUPPORTED_MAJORS.max} source.`);
  }
  return pass(`PostgreSQL ${version} (supported: ${SUPPORTED_MAJORS.min}–${SUPPORTED_MAJORS.max})`);
}

export const sourceVersion: Precheck = {
  id: 'source-version',
  title: 'Source PostgreSQL version is supported',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const facts = await sourceFacts(ctx);
    return assessVersion(facts.versionNum, facts.version);
  },
};
