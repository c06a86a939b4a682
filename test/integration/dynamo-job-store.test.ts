// The DynamoDB job store against a real engine (DynamoDB Local from the global setup): the
// storage contract every JobStore passes, then what only DynamoDB can get wrong.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../shared/storage/dynamo/dynamo-client.ts';
import { createTables } from '../../shared/storage/dynamo/create-tables.ts';
import { createDynamoJobStore, jobKey } from '../../shared/storage/dynamo/dynamo-job-store.ts';
import { updateJob, type JobStore } from '../../shared/storage/job-store.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { describeJobStoreContract, sampleJob } from '../unit/shared/storage/job-store-contract.ts';

const { endpoint } = inject('services').dynamodb;
const admin = createDynamoClient({ endpoint });
const run = randomUUID().slice(0, 8);
const tables: string[] = [];
const stores: JobStore[] = [];

// The contract expects an empty store each time, so every store gets a table of its own.
async function freshTable(): Promise<string> {
  const name = `tributary-test-${run}-${tables.length}`;
  tables.push(name);
  await createTables(admin, name);
  return name;
}
async function freshStore(extra: { scanPageSize?: number } = {}): Promise<{ store: JobStore; tableName: string }> {
  const tableName = await freshTable();
  const store = createDynamoJobStore({ endpoint, tableName, ...extra });
  stores.push(store);
  return { store, tableName };
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(tables.map((TableName) => admin.send(new DeleteTableCommand({ TableName }))));
  admin.destroy();
});

describeJobStoreContract('dynamodb (DynamoDB Local)', async () => createDynamoJobStore({ endpoint, tableName: await freshTable() }));

/** Every attribute name in a raw item, at any depth. */
function attributeNames(item: Record<string, AttributeValue>): string[] {
  const names: string[] = [];
  const walk = (v: AttributeValue) => {
    if (v.M) for (const [k, inner] of Object.entries(v.M)) names.push(k), walk(inner);
    if (v.L) v.L.forEach(walk);
  };
  for (const [k, v] of Object.entries(item)) names.push(k), walk(v);
  return names;
}

describe('DynamoDB job store', () => {
  it('creates the table with the StateStack key schema, and creating it again is a no-op', async () => {
    const tableName = await freshTable();
    await createTables(admin, tableName);
    const { Table } = await admin.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    expect(Table?.TableStatus).toBe('ACTIVE');

    const odd = `tributary-test-${run}-odd`;
    tables.push(odd);
    await admin.send(new CreateTableCommand({
      TableName: odd, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }));
    await expect(createTables(admin, odd)).rejects.toThrow(/exists with key schema \[\["id","HASH"\]\]/);
  });

  it('stores a job under pk = JOB#<id>, sk = JOB, as native attributes', async () => {
    const { store, tableName } = await freshStore();
    await store.create(sampleJob('k1', { ackedLsn: '0/16B3748' }));
    const { Item } = await admin.send(new GetItemCommand({ TableName: tableName, Key: jobKey('k1') }));
    expect(Item).toMatchObject({ pk: { S: 'JOB#k1' }, sk: { S: 'JOB' }, version: { N: '1' }, status: { S: 'created' } });
  });

  it('a conditional create on an existing id fails, even when two writers race', async () => {
    const { store, tableName } = await freshStore();
    const other = createDynamoJobStore({ endpoint, tableName });
    stores.push(other);
    const results = await Promise.allSettled([
      store.create(sampleJob('race', { name: 'first' })),
      other.create(sampleJob('race', { name: 'second' })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(loser.reason)).toMatch(/job race already exists/);
    const winner = results[0].status === 'fulfilled' ? 'first' : 'second';
    expect((await store.get('race'))?.name).toBe(winner);
    await expect(store.create(sampleJob('race', { name: 'third' }))).rejects.toThrow(/already exists/);
    expect((await other.get('race'))?.name).toBe(winner);
  });

  it('concurrent updateJob calls through two clients (API and worker) all land', async () => {
    const { store, tableName } = await freshStore();
    const worker = createDynamoJobStore({ endpoint, tableName });
    stores.push(worker);
    await store.create(sampleJob('j1'));
    await Promise.all([
      updateJob(store, 'j1', (j) => ({ tags: { ...j.tags, api: '1' } })),
      updateJob(worker, 'j1', (j) => ({ ackedLsn: '0/3000060', tags: { ...j.tags, worker: '1' } })),
      updateJob(store, 'j1', (j) => ({ tags: { ...j.tags, api2: '1' } })),
      updateJob(worker, 'j1', (j) => ({ tags: { ...j.tags, worker2: '1' } })),
    ]);
    expect(await worker.get('j1')).toMatchObject({
      ackedLsn: '0/3000060', tags: { api: '1', worker: '1', api2: '1', worker2: '1' }, version: 5,
    });
  });

  it('list follows pagination past one Scan page and skips items that are not jobs', async () => {
    const { store, tableName } = await freshStore({ scanPageSize: 2 });
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    for (const id of ids) await store.create(sampleJob(id));
    // a later item type in a job's partition (a run) must not come back as a job
    await admin.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'JOB#p1' }, sk: { S: 'RUN#1' } } }));
    let scans = 0;
    const counting = createDynamoClient({ endpoint });
    counting.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'ScanCommand') scans++;
      return next(args);
    }, { step: 'initialize' });
    const paged = createDynamoJobStore({ client: counting, tableName, scanPageSize: 2 });
    try {
      expect((await paged.list()).map((j) => j.id)).toEqual(ids);
      expect(scans).toBeGreaterThanOrEqual(4); // 8 items, 2 per page
    } finally {
      counting.destroy();
    }
  });

  it('a stored item has no password attribute anywhere', async () => {
    const { store, tableName } = await freshStore();
    await store.create(sampleJob('s1'));
    await updateJob(store, 's1', () => ({ status: 'starting' }));
    const { Item } = await admin.send(new GetItemCommand({ TableName: tableName, Key: jobKey('s1') }));
    const names = attributeNames(Item!);
    expect(names).toContain('passwordRef');
    expect(names.filter((n) => /password/i.test(n))).toEqual(['passwordRef']);
  });

  it('refuses a record that carries a password, names the field, not the value, and writes nothing', async () => {
    const { store } = await freshStore();
    const job = sampleJob('leak');
    const leaky = { ...job, source: { ...job.source, password: 'hunter2-secret' } } as unknown as JobRecord;
    const err = await store.create(leaky).catch((e: Error) => e);
    expect(String(err)).toMatch(/"source\.password" field/);
    expect(String(err)).not.toContain('hunter2');
    expect(await store.get('leak')).toBeUndefined();
    await store.create(job);
    await expect(store.replace(leaky)).rejects.toThrow(/passwords belong in the secret store/);
    expect(await store.get('leak')).toEqual(job);
  });

  it('honours AWS_ENDPOINT_URL when no endpoint is given', async () => {
    const { store: seeded, tableName } = await freshStore();
    await seeded.create(sampleJob('env1'));
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    const store = createDynamoJobStore({ tableName });
    try {
      expect((await store.get('env1'))?.id).toBe('env1');
    } finally {
      await store.close();
      for (const k of ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
