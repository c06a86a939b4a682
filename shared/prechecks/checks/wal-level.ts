import { alterSystemRestart } from '../fix-sql.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { sourceFacts } from '../source-facts.ts';

// Logical decoding needs wal_level = logical; it is a postmaster setting, so
// the fix needs a restart.
export const walLevel: Precheck = {
  id: 'wal-level',
  title: 'wal_level is logical',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const level = (await sourceFacts(ctx)).settings.get('wal_level');
    if (level === 'logical') return pass('wal_level = logical');
    return error(`wal_level = ${level}; logical decoding needs wal_level = logical`, alterSystemRestart('wal_level', 'logical'));
  },
};
