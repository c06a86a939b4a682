import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteJobStore } from '../../../../shared/storage/local/sqlite-job-store.ts';
import { describeJobStoreContract, sampleJob } from './job-store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'tributary-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeJobStoreContract('sqlite :memory:', () => createSqliteJobStore(':memory:'));
describeJobStoreContract('sqlite file', () => createSqliteJobStore(join(dir, `store-${n++}`, 'tributary.db')));

describe('sqlite job store on a file', () => {
  it('a second store on the same file sees the first one’s writes, and its version checks', async () => {
    const path = join(dir, 'shared', 'tributary.db');
    const a = createSqliteJobStore(path);
    const b = createSqliteJobStore(path);
    try {
      await a.create(sampleJob('j1'));
      const read = (await b.get('j1'))!;
      await a.replace({ ...read, status: 'starting' });
      await expect(b.replace({ ...read, status: 'failed' })).rejects.toThrow(/changed since version 1/);
      expect(await b.get('j1')).toMatchObject({ status: 'starting', version: 2 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the data outlives the store that wrote it', async () => {
    const path = join(dir, 'reopen', 'tributary.db');
    const a = createSqliteJobStore(path);
    await a.create(sampleJob('j1', { ackedLsn: '0/16B3748' }));
    await a.close();
    const b = createSqliteJobStore(path);
    expect(await b.get('j1')).toMatchObject({ ackedLsn: '0/16B3748', version: 1 });
    await b.close();
  });
});
