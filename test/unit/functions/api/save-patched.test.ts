import { describe, expect, it } from 'vitest';
import { createSqliteJobStore } from '../../../../shared/storage/local/sqlite-job-store.ts';
import { updateJob } from '../../../../shared/storage/job-store.ts';
import { savePatched } from '../../../../functions/api/save-patched.ts';
import { jobRecord } from '../../shared/prechecks/job-fixture.ts';

// A PATCH races the worker's own writes to a running job; only a change to
// what a user sets may make it fail.
describe('savePatched', () => {
  it('rebases over fields the worker wrote meanwhile, keeping both', async () => {
    const store = createSqliteJobStore(':memory:');
    const base = await store.create({ ...jobRecord(), status: 'streaming' }).then(() => store.get(jobRecord().id)).then((j) => j!);
    await updateJob(store, base.id, () => ({ ackedLsn: '0/AB', metrics: { eventsDelivered: 5, eventsPerSecond: 1, at: '2026-11-23T00:00:00.000Z' } }));
    const saved = await savePatched(store, base, { ...base, name: 'renamed' });
    expect(saved).toMatchObject({ name: 'renamed', ackedLsn: '0/AB', status: 'streaming', metrics: { eventsDelivered: 5 } });
    expect((await store.get(base.id))?.name).toBe('renamed');
  });

  it('gives up when someone else changed a field a user sets', async () => {
    const store = createSqliteJobStore(':memory:');
    const base = await store.create({ ...jobRecord(), status: 'streaming' }).then(() => store.get(jobRecord().id)).then((j) => j!);
    await updateJob(store, base.id, () => ({ tags: { team: 'other' } }));
    expect(await savePatched(store, base, { ...base, name: 'renamed' })).toBeUndefined();
    expect((await store.get(base.id))?.name).toBe(base.name);
  });
});
