import { afterEach, describe, expect, it } from 'vitest';
import { updateJob, VersionConflict, type JobStore } from '../../../../shared/storage/job-store.ts';
import type { JobRecord } from '../../../../shared/job/job-record.ts';

// What every JobStore must do, whatever is behind it (SQLite locally,
// DynamoDB on AWS): run this suite against each implementation.

export function sampleJob(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    tenantId: 'tenant-a',
    name: `job-${id}`,
    source: { type: 'postgresql', host: 'db.internal', port: 5432, database: 'shop', user: 'cdc', sslmode: 'prefer', passwordRef: `local:${id}/source-password` },
    destination: {
      type: 'kafka', brokers: ['b1:9092'], topicRule: '#{source_db_name}.#{source_schema_name}.#{source_table_name}',
      partitionPolicy: 'hash-primary-key', newTopicPartitions: 3, deliveryGuarantee: 'at-least-once', tombstonesOnDelete: true, properties: {},
    },
    objects: { tables: [{ schema: 'public', table: 'orders', operations: ['INSERT', 'UPDATE', 'DELETE'] }] },
    connectionRetryMinutes: 720,
    otherRetryMinutes: 10,
    resources: { cpuCores: 2 },
    slotPrefix: 'tributary_',
    tags: {},
    status: 'created',
    slotName: `tributary_${id}`,
    publicationName: `tributary_${id}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
    ...over,
  };
}

export function describeJobStoreContract(name: string, makeStore: () => JobStore | Promise<JobStore>) {
  describe(`JobStore contract: ${name}`, () => {
    const opened: JobStore[] = [];
    const fresh = async () => {
      const store = await makeStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('get returns what create stored, and undefined for an unknown id', async () => {
      const store = await fresh();
      const job = sampleJob('j1', { ackedLsn: '16/B374D848', tags: { team: 'data' } });
      await store.create(job);
      expect(await store.get('j1')).toEqual(job);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('create refuses an id that exists', async () => {
      const store = await fresh();
      await store.create(sampleJob('j1'));
      await expect(store.create(sampleJob('j1', { name: 'other' }))).rejects.toThrow();
      expect((await store.get('j1'))?.name).toBe('job-j1');
    });

    it('list returns every job', async () => {
      const store = await fresh();
      expect(await store.list()).toEqual([]);
      for (const id of ['jb', 'ja', 'jc']) await store.create(sampleJob(id));
      expect((await store.list()).map((j) => j.id).sort()).toEqual(['ja', 'jb', 'jc']);
    });

    it("listByTenant returns one tenant's jobs in id order, and nothing of others", async () => {
      const store = await fresh();
      for (const id of ['jc', 'ja']) await store.create(sampleJob(id));
      for (const id of ['jb', 'jd']) await store.create(sampleJob(id, { tenantId: 'tenant-b' }));
      expect((await store.listByTenant('tenant-a')).map((j) => j.id)).toEqual(['ja', 'jc']);
      expect((await store.listByTenant('tenant-b')).map((j) => j.id)).toEqual(['jb', 'jd']);
      expect(await store.listByTenant('nobody')).toEqual([]);
      expect((await store.listByTenant('tenant-a', { limit: 1 })).map((j) => j.id)).toEqual(['ja']);
      expect((await store.listByTenant('tenant-a', { after: 'ja', limit: 5 })).map((j) => j.id)).toEqual(['jc']);
      expect(await store.listByTenant('tenant-a', { after: 'jc' })).toEqual([]);
    });

    it('replace stores the change and bumps the version', async () => {
      const store = await fresh();
      await store.create(sampleJob('j1'));
      const v1 = (await store.get('j1'))!;
      const v2 = await store.replace({ ...v1, status: 'starting' });
      expect(v2).toMatchObject({ status: 'starting', version: 2 });
      expect(await store.get('j1')).toEqual(v2);
      expect((await store.replace({ ...v2, status: 'streaming' })).version).toBe(3);
    });

    it('replace with a stale version throws VersionConflict and changes nothing', async () => {
      const store = await fresh();
      await store.create(sampleJob('j1'));
      const read = (await store.get('j1'))!;
      await store.replace({ ...read, status: 'starting' });
      await expect(store.replace({ ...read, status: 'failed' })).rejects.toBeInstanceOf(VersionConflict);
      expect(await store.get('j1')).toMatchObject({ status: 'starting', version: 2 });
    });

    it('replace of a job that does not exist throws VersionConflict', async () => {
      const store = await fresh();
      await expect(store.replace(sampleJob('ghost'))).rejects.toBeInstanceOf(VersionConflict);
      expect(await store.get('ghost')).toBeUndefined();
    });

    it('updateJob retries after a conflict and applies the change to the newer version', async () => {
      const store = await fresh();
      await store.create(sampleJob('j1'));
      // a store whose first replace loses a race: someone else writes just before it
      let raced = false;
      const racing: JobStore = {
        create: (j) => store.create(j),
        get: (id) => store.get(id),
        list: () => store.list(),
        listByTenant: (t, p) => store.listByTenant(t, p),
        close: () => store.close(),
        async replace(job) {
          if (!raced) {
            raced = true;
            const current = (await store.get(job.id))!;
            await store.replace({ ...current, tags: { by: 'other' } });
          }
          return store.replace(job);
        },
      };
      let calls = 0;
      const updated = await updateJob(racing, 'j1', () => {
        calls++;
        return { status: 'starting' };
      });
      expect(calls).toBe(2);
      expect(updated).toMatchObject({ status: 'starting', tags: { by: 'other' }, version: 3 });
      expect(await store.get('j1')).toEqual(updated);
    });

    it('two concurrent updateJob calls on one job both land', async () => {
      const store = await fresh();
      await store.create(sampleJob('j1'));
      await Promise.all([
        updateJob(store, 'j1', (j) => ({ tags: { ...j.tags, a: '1' } })),
        updateJob(store, 'j1', (j) => ({ tags: { ...j.tags, b: '2' } })),
      ]);
      expect(await store.get('j1')).toMatchObject({ tags: { a: '1', b: '2' }, version: 3 });
    });

    it('updateJob leaves the job alone when the change returns undefined', async () => {
      const store = await fresh();
      await store.create(sampleJob('j1'));
      expect(await updateJob(store, 'j1', () => undefined)).toMatchObject({ version: 1 });
      expect((await store.get('j1'))?.version).toBe(1);
      await expect(updateJob(store, 'nope', () => ({}))).rejects.toThrow(/not found/);
    });
  });
}
