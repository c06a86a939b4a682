import { ConditionalCheckFailedException, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { UsageRecord, UsageStore } from './usage.ts';

// Usage in the single table: pk = USAGE#<tenant>, sk = <hour>#<job>#<run>#<phase>,
// so a tenant's month is one Query on a key range. The write is conditional
// on not lowering the stored totals: a replayed report is a no-op.
export function createDynamoUsageStore(opts: { client: DynamoDBClient; tableName: string }): UsageStore {
  return {
    async report(r) {
      try {
        await opts.client.send(
          new UpdateItemCommand({
            TableName: opts.tableName,
            Key: { pk: { S: `USAGE#${r.tenantId}` }, sk: { S: `${r.hour}#${r.jobId}#${r.runId}#${r.phase}` } },
            UpdateExpression: 'SET jobId = :job, runId = :run, hourStart = :hour, phase = :phase, seconds = :s, cpuCores = :c, #rows = :r, #bytes = :b',
            ConditionExpression: 'attribute_not_exists(pk) OR (seconds <= :s AND #rows <= :r AND #bytes <= :b)',
            ExpressionAttributeNames: { '#rows': 'rows', '#bytes': 'bytes' },
            ExpressionAttributeValues: {
              ':job': { S: r.jobId }, ':run': { S: r.runId }, ':hour': { S: r.hour }, ':phase': { S: r.phase },
              ':s': { N: String(r.seconds) }, ':c': { N: String(r.cpuCores) }, ':r': { N: String(r.rows) }, ':b': { N: String(r.bytes) },
            },
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err; // an older report than the one stored
      }
    },
    async list(f) {
      const out: UsageRecord[] = [];
      let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
      do {
        const page = await opts.client.send(
          new QueryCommand({
            TableName: opts.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': { S: `USAGE#${f.tenantId}` }, ':from': { S: f.from }, ':to': { S: `${f.to}\uffff` } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const i of page.Items ?? []) {
          const rec: UsageRecord = {
            tenantId: f.tenantId, jobId: i.jobId.S!, runId: i.runId.S!, hour: i.hourStart.S!, phase: i.phase.S as UsageRecord['phase'],
            seconds: Number(i.seconds.N), cpuCores: Number(i.cpuCores.N), rows: Number(i.rows.N), bytes: Number(i.bytes.N),
          };
          if ((!f.jobId || rec.jobId === f.jobId) && rec.hour >= f.from && rec.hour < f.to) out.push(rec);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
}
