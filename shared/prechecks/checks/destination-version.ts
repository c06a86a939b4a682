import { error, pass, warning, type Finding, type Precheck } from '../precheck.ts';
import { major } from '../source-facts.ts';
import { destinationFacts, isPostgresDestination } from '../destination-targets.ts';
import { SUPPORTED_MAJORS } from './source-version.ts';

// The sink writes with INSERT … ON CONFLICT (9.5+) and reads pg_attribute.attgenerated
// (12+); it is tested on the same majors as the source.
export function assessDestinationVersion(versionNum: number, version: string): Finding {
  const m = major(versionNum);
  if (m < SUPPORTED_MAJORS.min) {
    return error(`the destination runs PostgreSQL ${version}, older than ${SUPPORTED_MAJORS.min}`, `Upgrade the destination to PostgreSQL ${SUPPORTED_MAJORS.min}–${SUPPORTED_MAJORS.max}.`);
  }
  if (m > SUPPORTED_MAJORS.max) {
    return warning(`the destination runs PostgreSQL ${version}, newer than ${SUPPORTED_MAJORS.max}, the newest major Tributary is tested on`, `Acknowledge to proceed untested, or use a PostgreSQL ${SUPPORTED_MAJORS.min}–${SUPPORTED_MAJORS.max} destination.`);
  }
  return pass(`destination PostgreSQL ${version} (supported: ${SUPPORTED_MAJORS.min}–${SUPPORTED_MAJORS.max})`);
}

export const destinationVersion: Precheck = {
  id: 'destination-version',
  title: 'Destination PostgreSQL version is supported',
  requires: ['destination-authentication'],
  appliesTo: isPostgresDestination,
  async run(ctx) {
    const facts = await destinationFacts(ctx);
    return assessDestinationVersion(facts.versionNum, facts.version);
  },
};
