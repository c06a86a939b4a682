import { skipped, type Precheck } from '../precheck.ts';
import { destinationFacts, isPostgresDestination } from '../destination-targets.ts';
import { existing, selectedTables } from '../selected-tables.ts';

// SPEC.md §5: "enough free space where it can be known". PostgreSQL does not
// report free disk space over SQL (only a superuser could read files, and a
// managed service hides the volume anyway), so this check is always skipped —
// with the figures a person needs to compare against the volume's free space
// (on RDS: the FreeStorageSpace metric).
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const destinationFreeSpace: Precheck = {
  id: 'destination-free-space',
  title: 'Destination has room for the full synchronization',
  requires: ['destination-authentication', 'source-authentication'],
  appliesTo: isPostgresDestination,
  async run(ctx) {
    const facts = await destinationFacts(ctx);
    const tables = existing(await selectedTables(ctx));
    const bytes = tables.reduce((sum, t) => sum + t.relation.totalBytes, 0);
    return skipped(
      `free disk space cannot be read over SQL, so it was not checked: the full synchronization writes about ${mb(bytes)} (the ${tables.length} selected table(s) with their indexes on the source); ` +
        `the destination database uses ${mb(facts.databaseBytes)} now. Compare with the destination volume's free space (on RDS: FreeStorageSpace).`,
    );
  },
};
