import type { ChangeEvent } from '../../change-event.ts';
import type { JsonOut } from '../../json/json-out.ts';

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
  const { source, tail } = envelopeParts(meta);
  const row = (r: ChangeEvent['before']) => (r === null ? 'null' : JSON.stringify(r));
  return (e, nowMs) => '{"before":' + row(e.before) + ',"after":' + row(e.after) + source(e) + e.lsn + tail(e, nowMs);
}

/** The envelope around an event's rows: `source` up to the LSN's value, and what follows it. */
function envelopeParts(meta: { jobName: string; database: string }) {
  const head = `,"source":{"version":${JSON.stringify(CONNECTOR_VERSION)},"connector":"postgresql","name":${JSON.stringify(meta.jobName)},"ts_ms":`;
  const db = `,"db":${JSON.stringify(meta.database)},"sequence":null,"schema":`;
  const tableOf = perTable((schema, table) => `${JSON.stringify(schema)},"table":${JSON.stringify(table)},"txId":`);
  return {
    source: (e: ChangeEvent) => head + e.commitTimeMs + ',"snapshot":' + e.snapshot + db + tableOf(e) + (e.txId === null ? 'null' : e.txId) + ',"lsn":',
    tail: (e: ChangeEvent, nowMs: number) =>
      ',"xmin":null' + (e.unchanged?.length ? ',"unchanged":' + JSON.stringify(e.unchanged) : '') + '},"op":"' + e.op + '","ts_ms":' + nowMs + ',"transaction":null}',
  };
}

const BEFORE = Buffer.from('{"before":');
const AFTER = Buffer.from(',"after":');
const NULL = Buffer.from('null');

/**
 * valueRenderer's bytes for an event whose rows are rendered already
 * (`event.json`), written into `out`: the rows are copied as they are, and
 * the envelope's text is encoded once per transaction and table (`source`),
 * LSN and batch (`tail`), not once per event.
 */
export function valueWriter(meta: { jobName: string; database: string }): (event: ChangeEvent, nowMs: number, out: JsonOut) => void {
  const { source, tail } = envelopeParts(meta);
  // the fields `source` depends on, of the last event it was encoded for (not the event: that would hold its rows' buffer)
  let of: Pick<ChangeEvent, 'txId' | 'commitTimeMs' | 'snapshot' | 'schema' | 'table'> | undefined;
  let sourceBytes = Buffer.alloc(0);
  let lsnOf: bigint | undefined;
  let lsnText = '';
  const tails = new Map<string, Buffer>();
  let tailsAt = -1;
  const span = (out: JsonOut, data: Buffer, at: number, length: number) => (length < 0 ? out.bytes(NULL, 0, 4) : out.bytes(data, at, at + length));
  return (e, nowMs, out) => {
    const j = e.json!;
    out.bytes(BEFORE, 0, BEFORE.length);
    span(out, j.data, j.beforeAt, j.beforeLength);
    out.bytes(AFTER, 0, AFTER.length);
    span(out, j.data, j.afterAt, j.afterLength);
    if (of === undefined || of.txId !== e.txId || of.commitTimeMs !== e.commitTimeMs || of.snapshot !== e.snapshot || of.table !== e.table || of.schema !== e.schema) {
      sourceBytes = Buffer.from(source(e));
      of = { txId: e.txId, commitTimeMs: e.commitTimeMs, snapshot: e.snapshot, schema: e.schema, table: e.table };
    }
    out.bytes(sourceBytes, 0, sourceBytes.length);
    if (e.lsn !== lsnOf) lsnText = (lsnOf = e.lsn).toString();
    out.text(lsnText);
    if (e.unchanged?.length) return out.text(tail(e, nowMs));
    if (tailsAt !== nowMs) {
      tails.clear();
      tailsAt = nowMs;
    }
    let t = tails.get(e.op);
    if (!t) tails.set(e.op, (t = Buffer.from(tail(e, nowMs))));
    out.bytes(t, 0, t.length);
  };
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
