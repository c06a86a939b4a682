import type { PgoutputMessage, RelationMessage, TupleData, TupleValue } from '../replication/decoder/messages.ts';
import { UNCHANGED_TOAST } from '../replication/decoder/pgoutput-decoder.ts';
import { RawTuple } from '../replication/decoder/raw-tuple.ts';
import { JsonOut } from '../json/json-out.ts';
import { rowLayout, writeKey, writeRawTuple, type RowLayout } from '../json/row-json.ts';
import { createValueDecoders } from '../replication/decoder/value-decoder.ts';
import type { TypeCatalog } from '../replication/type-catalog.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ChangeEvent, RenderedRows, Row, SchemaChange } from '../change-event.ts';
import type { Lsn } from '../../shared/lsn.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';

// Turns decoded pgoutput messages into change events: keeps the relation
// cache and the open transaction, picks key columns, converts values, and
// filters tables and operations the job did not select.

type Operation = 'INSERT' | 'UPDATE' | 'DELETE';
type Relation = {
  schema: string;
  table: string;
  columns: string[];
  decoders: Array<(text: string) => unknown>;
  keyIndexes: number[];
  operations: ReadonlySet<Operation>;
  /** A column named "__proto__" would set a plain object's prototype instead of a field. */
  newRow: () => Row;
  /** With jsonRows: how the relation's rows render as JSON bytes. */
  layout?: RowLayout;
};

export type SelectedTable = { schema: string; table: string; operations: readonly Operation[]; primaryKey?: string[] };

export type BuildResult = { events: ChangeEvent[]; commitEndLsn?: Lsn };

export type ChangeBuilder = {
  /** Handles one message at `lsn`; returns the events it produced and, at a commit, the LSN to acknowledge once they are delivered. */
  handle(message: PgoutputMessage, lsn: Lsn): BuildResult;
  readonly inTransaction: boolean;
};

const NONE: BuildResult = { events: [] };

export type ChangeBuilderOptions = {
  /** Non-built-in column types, loaded at setup (source-setup.ts); without it only built-in types are structured. */
  typeCatalog?: TypeCatalog;
  log?: Pick<Logger, 'warn'>;
  /** The logical-message prefix of this job's DDL capture (shared/source/ddl-capture.ts). */
  ddlPrefix?: string;
  /** Keep values as PostgreSQL's text (a PostgreSQL destination casts them back exactly) instead of converting them to JSON values. */
  rawValues?: boolean;
  /**
   * Render rows that arrive as RawTuples (a decoder made with rawTuples) straight to JSON bytes, `event.json`,
   * for a Kafka destination; a tuple with an unchanged TOAST or binary value still becomes row objects.
   */
  jsonRows?: boolean;
};

// The rendered rows of many changes share one buffer; a new one is started past this much, so growing the current one copies little.
const ARENA_BYTES = 1 << 20;
const ARENA_ROLL = ARENA_BYTES / 2;

const RAW = (text: string): unknown => text;

export function createChangeBuilder(selected: SelectedTable[], opts: ChangeBuilderOptions = {}): ChangeBuilder {
  // A type unknown to the catalog (created after it was loaded) is emitted as
  // its text rather than reloaded mid-stream: handle() is synchronous, and
  // one column must not change shape between rows of one run.
  const decoders = createValueDecoders(opts.typeCatalog, {
    onUnknownType: (type) => opts.log?.warn('column type not in the type catalog: its values are emitted as PostgreSQL text until the worker restarts', { type }),
  });
  const bySchemaTable = new Map(selected.map((t) => [`${t.schema}.${t.table}`, t]));
  const relations = new Map<number, Relation | null>(); // null: a relation we do not stream
  let tx: { xid: number; commitTimeMs: number; commitLsn: Lsn; index: number } | undefined;

  const defineRelation = (m: RelationMessage) => {
    const sel = bySchemaTable.get(`${m.namespace}.${m.name}`);
    if (!sel) return void relations.set(m.relationId, null);
    const columns = m.columns.map((c) => c.name);
    // With REPLICA IDENTITY FULL pgoutput flags every column as key; the
    // table's primary key, read from the catalog at start, is the real key.
    const keyIndexes = sel.primaryKey?.length
      ? sel.primaryKey.map((k) => columns.indexOf(k)).filter((i) => i >= 0)
      : m.columns.flatMap((c, i) => (c.isKey && m.replicaIdentity !== 'f' ? [i] : []));
    relations.set(m.relationId, {
      schema: m.namespace,
      table: m.name,
      columns,
      decoders: m.columns.map((c) => (opts.rawValues ? RAW : decoders.decoderFor(c.typeOid))),
      keyIndexes,
      operations: new Set(sel.operations),
      // null-prototype objects are slower in V8, so only such a table pays for them
      newRow: columns.includes('__proto__') ? () => Object.create(null) as Row : () => ({}),
      ...(opts.jsonRows && !opts.rawValues ? { layout: rowLayout(columns, m.columns.map((c) => decoders.decoderFor(c.typeOid)), keyIndexes) } : {}),
    });
  };

  let out = new JsonOut(ARENA_BYTES);
  let valueAt = new Int32Array(0);
  let valueEnd = new Int32Array(0);
  /** A row rendered into `out`; its key, when `keyed`, right after it. */
  const render = (layout: RowLayout, t: RawTuple, keyed: boolean): { at: number; length: number; keyAt: number; keyLength: number } => {
    if (valueAt.length < layout.width) {
      valueAt = new Int32Array(layout.width);
      valueEnd = new Int32Array(layout.width);
    }
    const at = writeRawTuple(layout, t, out, valueAt, valueEnd);
    const length = out.pos - at;
    if (!keyed || layout.keyIndexes.length === 0) return { at, length, keyAt: 0, keyLength: -1 };
    const keyAt = writeKey(layout, out, valueAt, valueEnd);
    return { at, length, keyAt, keyLength: out.pos - keyAt };
  };
  const plain = (rel: Relation, t: TupleData | undefined) => t === undefined || (t instanceof RawTuple && !t.unusual && t.columns === rel.layout!.width);
  /** The change's tuples can be rendered as bytes (no array per call: this runs per change). */
  const renderable = (rel: Relation, a: TupleData | undefined, b?: TupleData, c?: TupleData): rel is Relation & { layout: RowLayout } =>
    rel.layout !== undefined && plain(rel, a) && plain(rel, b) && plain(rel, c);
  /** The change's rows as JSON: `before` (if any) first, then the row the key is taken from. */
  const rendered = (layout: RowLayout, before: RawTuple | undefined, after: RawTuple | undefined): RenderedRows => {
    if (out.pos > ARENA_ROLL) out = new JsonOut(ARENA_BYTES);
    const b = before && render(layout, before, after === undefined);
    const a = after && render(layout, after, true);
    const k = a ?? b!;
    return {
      data: out.buf, // after the last write: a grown buffer holds the earlier spans too
      keyAt: k.keyAt, keyLength: k.keyLength,
      beforeAt: b?.at ?? 0, beforeLength: b ? b.length : -1,
      afterAt: a?.at ?? 0, afterLength: a ? a.length : -1,
    };
  };
  const jsonEvent = (rel: Relation, op: ChangeEvent['op'], lsn: Lsn, json: RenderedRows): ChangeEvent => {
    if (!tx) throw new TributaryError('DecodeFailed', `row change at ${lsn} outside a transaction`);
    return { op, schema: rel.schema, table: rel.table, key: null, before: null, after: null, commitTimeMs: tx.commitTimeMs, txId: tx.xid, lsn, commitLsn: tx.commitLsn, index: tx.index++, snapshot: false, json };
  };

  const relationFor = (id: number): Relation | null => {
    const rel = relations.get(id);
    if (rel === undefined) throw new TributaryError('DecodeFailed', `change for relation ${id} arrived before its Relation message`);
    return rel;
  };

  const toRow = (rel: Relation, data: TupleData, unchanged?: string[], fallback?: Row | null): Row => {
    const tuple: TupleValue[] = data instanceof RawTuple ? data.values() : data;
    const row = rel.newRow();
    for (let i = 0; i < rel.columns.length; i++) {
      const v = tuple[i];
      const name = rel.columns[i];
      if (v === UNCHANGED_TOAST) {
        if (fallback && name in fallback) row[name] = fallback[name];
        else unchanged?.push(name);
      } else if (v === null || v === undefined) row[name] = null;
      else row[name] = typeof v === 'string' ? rel.decoders[i](v) : v.toString('base64');
    }
    return row;
  };

  const keyOf = (rel: Relation, row: Row | null): Row | null => {
    if (!row || rel.keyIndexes.length === 0) return null;
    const key = rel.newRow();
    for (const i of rel.keyIndexes) key[rel.columns[i]] = row[rel.columns[i]];
    return key;
  };

  const event = (rel: Relation, op: ChangeEvent['op'], lsn: Lsn, before: Row | null, after: Row | null, unchanged?: string[]): ChangeEvent => {
    if (!tx) throw new TributaryError('DecodeFailed', `row change at ${lsn} outside a transaction`);
    return {
      op, schema: rel.schema, table: rel.table,
      key: keyOf(rel, after ?? before), before, after,
      commitTimeMs: tx.commitTimeMs, txId: tx.xid, lsn, commitLsn: tx.commitLsn, index: tx.index++, snapshot: false,
      ...(unchanged?.length ? { unchanged } : {}),
    };
  };

  return {
    get inTransaction() {
      return tx !== undefined;
    },
    handle(m, lsn) {
      switch (m.tag) {
        case 'begin':
          tx = { xid: m.xid, commitTimeMs: m.commitTimeMs, commitLsn: m.finalLsn, index: 0 };
          return NONE;
        case 'commit': {
          tx = undefined;
          return { events: [], commitEndLsn: m.endLsn };
        }
        case 'relation':
          defineRelation(m);
          return NONE;
        case 'insert': {
          const rel = relationFor(m.relationId);
          if (!rel || !rel.operations.has('INSERT')) return NONE;
          if (renderable(rel, m.new)) return { events: [jsonEvent(rel, 'c', lsn, rendered(rel.layout, undefined, m.new as RawTuple))] };
          return { events: [event(rel, 'c', lsn, null, toRow(rel, m.new))] };
        }
        case 'update': {
          const rel = relationFor(m.relationId);
          if (!rel || !rel.operations.has('UPDATE')) return NONE;
          if (renderable(rel, m.new, m.old, m.key)) return { events: [jsonEvent(rel, 'u', lsn, rendered(rel.layout, (m.old ?? m.key) as RawTuple | undefined, m.new as RawTuple))] };
          const before = m.old ? toRow(rel, m.old) : m.key ? toRow(rel, m.key) : null;
          const unchanged: string[] = [];
          const after = toRow(rel, m.new, unchanged, m.old ? before : null);
          return { events: [event(rel, 'u', lsn, before, after, unchanged)] };
        }
        case 'delete': {
          const rel = relationFor(m.relationId);
          if (!rel || !rel.operations.has('DELETE')) return NONE;
          const old = m.old ?? m.key;
          if (old && renderable(rel, old)) return { events: [jsonEvent(rel, 'd', lsn, rendered(rel.layout, old as RawTuple, undefined))] };
          return { events: [event(rel, 'd', lsn, old ? toRow(rel, old) : null, null)] };
        }
        case 'truncate': {
          const events: ChangeEvent[] = [];
          for (const id of m.relationIds) {
            const rel = relationFor(id);
            if (rel) events.push(event(rel, 't', lsn, null, null));
          }
          return { events };
        }
        case 'type':
          decoders.noteType(m);
          return NONE;
        case 'message': {
          if (!opts.ddlPrefix || m.prefix !== opts.ddlPrefix || !tx) return NONE; // other jobs' and tools' messages
          const ddl = JSON.parse(m.content.toString('utf8')) as SchemaChange;
          const [schema, table] = splitIdentity(ddl.identity);
          return { events: [{ op: 'ddl', schema: ddl.schema ?? schema, table, key: null, before: null, after: null,
            commitTimeMs: tx.commitTimeMs, txId: tx.xid, lsn, commitLsn: tx.commitLsn, index: tx.index++, snapshot: false, ddl }] };
        }
        case 'origin':
          return NONE;
        default:
          throw new TributaryError('DecodeFailed', `pgoutput message "${m.tag}" at ${lsn} is not expected here: streamed transactions are replayed before the change builder (stream-changes.ts) and two-phase decoding is never enabled`);
      }
    },
  };
}

/** "public.orders" → ["public", "orders"]; an identity without a dot (a schema, an extension) → ["", identity]. */
function splitIdentity(identity: string): [string, string] {
  const dot = identity.indexOf('.');
  return dot < 0 ? ['', identity] : [identity.slice(0, dot).replaceAll('"', ''), identity.slice(dot + 1).replaceAll('"', '')];
}
