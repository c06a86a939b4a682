import {
  GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, type AttributeValue, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { JobRecord } from '../../job/job-record.ts';
import { VersionConflict, type JobStore } from '../job-store.ts';
import { createDynamoClient, type DynamoConnection } from './dynamo-client.ts';
import { TENANT_INDEX } from './create-tables.ts';

// Key design: one table with string keys pk/sk (infra/stacks/state-stack.ts, create-tables.ts).
//   job   pk = JOB#<id>   sk = JOB
// Runs, the checkpoint and usage (later issues) go in the same partition under other sort keys
// (RUN#…, CHECKPOINT, USAGE#<hour>), so one Query reads all of a job and nothing spans jobs.
// Tenants: a job id is unique across tenants, so the worker can address a job by id alone and the
// key needs no tenant; the tenant is an attribute of the record that the tenant-scoped API checks
// on every read and write (404 on mismatch), and the partition key of a GSI when jobs are listed
// per tenant. The record is stored as native attributes, not a JSON string, so conditions
// (`version`) and such GSIs (tenant, status) can use its fields as they are.
// list() Scans the table, page by page: fine for an operator's view of a few thousand jobs; a
// GSI replaces it when the API lists per tenant or the control plane lists by status.
// Items are capped at 400 KB, which a job selecting several thousand tables would approach.

export const jobKey = (id: string): Record<string, AttributeValue> => ({ pk: { S: `JOB#${id}` }, sk: { S: 'JOB' } });

export type DynamoJobStoreOptions = DynamoConnection & {
  tableName: string;
  /** Shared client; close() leaves it open. Without one the store builds (and closes) its own. */
  client?: DynamoDBClient;
  /** Scan Limit per page of list(); DynamoDB's own 1 MB page when unset. */
  scanPageSize?: number;
};

export function createDynamoJobStore(opts: DynamoJobStoreOptions): JobStore {
  const { tableName: TableName } = opts;
  const client = opts.client ?? createDynamoClient(opts);
  const toItem = (job: JobRecord) => {
    assertNoPassword(job, job.id);
    return { ...marshall(job, { removeUndefinedValues: true }), ...jobKey(job.id) };
  };
  const fromItem = (item: Record<string, AttributeValue>): JobRecord => {
    const { pk: _pk, sk: _sk, ...job } = unmarshall(item);
    return job as JobRecord;
  };

  return {
    async create(job) {
      try {
        // Never overwrite: an id that exists is a bug upstream, not a write to absorb.
        await client.send(new PutItemCommand({ TableName, Item: toItem(job), ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (err) {
        if (isConditionFailed(err)) throw new Error(`job ${job.id} already exists`, { cause: err });
        throw err;
      }
    },
    async get(id) {
      // Strongly consistent, so a read-modify-write (updateJob) starts from the latest version.
      const { Item } = await client.send(new GetItemCommand({ TableName, Key: jobKey(id), ConsistentRead: true }));
      return Item ? fromItem(Item) : undefined;
    },
    async list() {
      const jobs: JobRecord[] = [];
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({
          TableName, ConsistentRead: true, Limit: opts.scanPageSize, ExclusiveStartKey,
          FilterExpression: 'sk = :job', ExpressionAttributeValues: { ':job': { S: 'JOB' } },
        }));
        for (const item of page.Items ?? []) jobs.push(fromItem(item));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return jobs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async listByTenant(tenantId, wanted = {}) {
      const jobs: JobRecord[] = [];
      const limit = wanted.limit ?? Infinity;
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        // the index sorts by pk = JOB#<id>, so "after an id" is a key range, not a filter
        const page = await client.send(new QueryCommand({
          TableName, IndexName: TENANT_INDEX, ExclusiveStartKey,
          Limit: Number.isFinite(limit) ? Math.min(limit - jobs.length, opts.scanPageSize ?? 1000) : opts.scanPageSize,
          KeyConditionExpression: wanted.after ? 'tenantId = :t AND pk BETWEEN :from AND :to' : 'tenantId = :t AND begins_with(pk, :job)',
          ExpressionAttributeValues: wanted.after
            ? { ':t': { S: tenantId }, ':from': { S: `JOB#${wanted.after}\u0000` }, ':to': { S: 'JOB#\uffff' } }
            : { ':t': { S: tenantId }, ':job': { S: 'JOB#' } },
        }));
        for (const item of page.Items ?? []) if (item.sk?.S === 'JOB') jobs.push(fromItem(item));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && jobs.length < limit);
      return jobs;
    },
    async replace(job) {
      const next = { ...job, version: job.version + 1 };
      try {
        await client.send(new PutItemCommand({
          TableName, Item: toItem(next),
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': { N: String(job.version) } },
        }));
      } catch (err) {
        if (isConditionFailed(err)) throw new VersionConflict(job.id, job.version);
        throw err;
      }
      return next;
    },
    async close() {
      if (!opts.client) client.destroy();
    },
  };
}

const isConditionFailed = (err: unknown) => (err as Error | undefined)?.name === 'ConditionalCheckFailedException';

// SPEC §8: passwords live in the secret store only. JobRecord's type already says so; this catches
// a record built at run time from a spec (a spread that kept `password`) before it is written.
function assertNoPassword(value: unknown, id: string, path = ''): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (key.toLowerCase() === 'password') {
      throw new Error(`refusing to store job ${id}: it has a "${at}" field; passwords belong in the secret store, referenced by passwordRef`);
    }
    assertNoPassword(inner, id, at);
  }
}
