import type { ChangeEvent } from '../../change-event.ts';

// Debezium's JSON (JsonConverter, schemas.enable=false) is what Flink's
// debezium-json format and Kafka Connect's ExtractNewRecordState expect, so
// the value is that envelope field for field. lsn is an exact 64-bit number.
export const CONNECTOR_VERSION = 'tributary-0.1.0';

export function renderKey(event: ChangeEvent): string | null {
  return event.key ? JSON.stringify(event.key) : null;
}

export function renderValue(event: ChangeEvent, meta: { jobName: string; database: string }, nowMs: number): string {
  return valueRenderer(meta)(event, nowMs);
}

/**
 * The envelope as one string concatenation around JSON.stringify of the two
 * rows: the constant parts of `source` are built once per job and table.
 * A generic JSON.stringify of the whole envelope (with `JSON.rawJSON` for the
 * 64-bit LSN) cost ~3× as much and was the sink's largest own cost.
 * Fields and their order are Debezium's; the unit test pins the exact bytes.
 */
export function valueRenderer(meta: { jobName: string; database: string }): (event: ChangeEvent, nowMs: number) => string {
  const head = `,"source":{"version":${JSON.stringify(CONNECTOR_VERSION)},"connector":"postgresql","name":${JSON.stringify(meta.jobName)},"ts_ms":`;
  const db = `,"db":${JSON.stringify(meta.database)},"sequence":null,"schema":`;
  const tableOf = perTable((schema, table) => `${JSON.stringify(schema)},"table":${JSON.stringify(table)},"txId":`);
  const row = (r: ChangeEvent['before']) => (r === null ? 'null' : JSON.stringify(r));
  return (e, nowMs) =>
    '{"before":' + row(e.before) + ',"after":' + row(e.after) + head + e.commitTimeMs + ',"snapshot":' + e.snapshot + db + tableOf(e) +
    (e.txId === null ? 'null' : e.txId) + ',"lsn":' + e.lsn + ',"xmin":null' + (e.unchanged?.length ? ',"unchanged":' + JSON.stringify(e.unchanged) : '') +
    '},"op":"' + e.op + '","ts_ms":' + nowMs + ',"transaction":null}';
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

/**
 * `make(schema, table)` computed once per table and answered without
 * allocating: a batch is mostly one table's events, whose names are the same
 * strings (the relation cache's), so the last answer is checked first; a key
 * built per event (`schema + table`) was 2–4% of the main thread's CPU.
 */
export function perTable<T>(make: (schema: string, table: string) => T): (e: { schema: string; table: string }) => T {
  const bySchema = new Map<string, Map<string, T>>();
  let lastSchema: string | undefined;
  let lastTable: string | undefined;
  let last: T | undefined;
  return (e) => {
    if (e.table === lastTable && e.schema === lastSchema) return last as T;
    let tables = bySchema.get(e.schema);
    if (!tables) bySchema.set(e.schema, (tables = new Map()));
    let value = tables.get(e.table);
    if (value === undefined && !tables.has(e.table)) tables.set(e.table, (value = make(e.schema, e.table)));
    lastSchema = e.schema;
    lastTable = e.table;
    last = value;
    return value as T;
  };
}
