import type { PgoutputMessage, RelationMessage, TupleData } from '../replication/decoder/messages.ts';
import { UNCHANGED_TOAST } from '../replication/decoder/pgoutput-decoder.ts';
import { createValueDecoders } from '../replication/decoder/value-decoder.ts';
import type { TypeCatalog } from '../replication/type-catalog.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ChangeEvent, Row, SchemaChange } from '../change-event.ts';
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
};

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
    });
  };

  const relationFor = (id: number): Relation | null => {
    const rel = relations.get(id);
    if (rel === undefined) throw new TributaryError('DecodeFailed', `change for relation ${id} arrived before its Relation message`);
    return rel;
  };

  const toRow = (rel: Relation, tuple: TupleData, unchanged?: string[], fallback?: Row | null): Row => {
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
          return { events: [event(rel, 'c', lsn, null, toRow(rel, m.new))] };
        }
        case 'update': {
          const rel = relationFor(m.relationId);
          if (!rel || !rel.operations.has('UPDATE')) return NONE;
          const before = m.old ? toRow(rel, m.old) : m.key ? toRow(rel, m.key) : null;
          const unchanged: string[] = [];
          const after = toRow(rel, m.new, unchanged, m.old ? before : null);
          return { events: [event(rel, 'u', lsn, before, after, unchanged)] };
        }
        case 'delete': {
          const rel = relationFor(m.relationId);
          if (!rel || !rel.operations.has('DELETE')) return NONE;
          const old = m.old ?? m.key;
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
