import type { ChangeEvent } from '../../change-event.ts';

// Debezium's JSON (JsonConverter, schemas.enable=false) is what Flink's
// debezium-json format and Kafka Connect's ExtractNewRecordState expect, so
// the value is that envelope field for field. lsn is an exact 64-bit number.
export const CONNECTOR_VERSION = 'tributary-0.1.0';

export function renderKey(event: ChangeEvent): string | null {
  return event.key ? JSON.stringify(event.key) : null;
}

export function renderValue(event: ChangeEvent, meta: { jobName: string; database: string }, nowMs: number): string {
  const source: Record<string, unknown> = {
    version: CONNECTOR_VERSION,
    connector: 'postgresql',
    name: meta.jobName,
    ts_ms: event.commitTimeMs,
    snapshot: event.snapshot,
    db: meta.database,
    sequence: null,
    schema: event.schema,
    table: event.table,
    txId: event.txId,
    lsn: JSON.rawJSON(event.lsn.toString()),
    xmin: null,
  };
  if (event.unchanged?.length) source.unchanged = event.unchanged;
  return JSON.stringify({ before: event.before, after: event.after, source, op: event.op, ts_ms: nowMs, transaction: null });
}

/**
 * A captured DDL command, shaped like Debezium's schema-change record
 * (databaseName, schemaName, ddl, source, ts_ms) with the event trigger's own
 * facts beside it; `tableChanges` stays empty: PostgreSQL reports no column
 * model with the command.
 */
export function renderSchemaChange(event: ChangeEvent, meta: { jobName: string; database: string }, nowMs: number): string {
  const ddl = event.ddl!;
  return JSON.stringify({
    source: {
      version: CONNECTOR_VERSION, connector: 'postgresql', name: meta.jobName, ts_ms: event.commitTimeMs, snapshot: false,
      db: meta.database, schema: event.schema, table: event.table, txId: event.txId, lsn: JSON.rawJSON(event.lsn.toString()),
    },
    ts_ms: nowMs,
    databaseName: meta.database,
    schemaName: event.schema,
    ddl: ddl.statement,
    tableChanges: [],
    tributary: { commandTag: ddl.commandTag, objectType: ddl.objectType, objectIdentity: ddl.identity },
  });
}
