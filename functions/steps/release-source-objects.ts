import pg from 'pg';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { pgConfig } from '../../shared/source/pg-config.ts';
import { dropReplicationObjects, heartbeatTableOf } from '../../shared/source/replication-objects.ts';
import { ddlCaptureOf } from '../../shared/source/ddl-capture.ts';
import { classify } from '../../shared/errors/classify.ts';

export type ReleasedObjects = { slot: boolean; publication: boolean; heartbeatTable?: boolean; ddlCapture?: boolean; /** A standby source: statements only the primary can run. */ leftOnPrimary?: string[] };

// Release's source-side work: after the worker has stopped, remove the slot
// (so the source stops retaining WAL for us) and the publication; on a
// standby source only the slot is its own and `leftOnPrimary` says what to
// drop on the primary. Its own
// module, apart from the ReleaseSource step (release-source.ts), because
// aws-step-deps.ts, which every step function bundles, needs this and not the
// Kafka client that step carries.
export async function releaseSource(job: JobRecord, password: string): Promise<ReleasedObjects> {
  const client = new pg.Client(pgConfig(job.source, password));
  try {
    await client.connect();
    return await dropReplicationObjects(client, { slot: job.slotName, publication: job.publicationName, heartbeatTable: heartbeatTableOf(job), ddlCapture: ddlCaptureOf(job) });
  } catch (err) {
    throw classify(err, 'source');
  } finally {
    await client.end().catch(() => undefined);
  }
}
