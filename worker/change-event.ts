import type { Lsn } from '../shared/lsn.ts';

// A change event: one row change of one table, as the stream and the snapshot
// produce it and every sink consumes it. It carries no WAL framing and no
// Kafka framing, so decoder and sinks stay independent of each other.
export type Row = Record<string, unknown>;

export type ChangeEvent = {
  /** Debezium's row operations, plus 'ddl' for a captured schema change (sinks route it apart). */
  op: 'c' | 'u' | 'd' | 'r' | 't' | 'ddl';
  schema: string;
  table: string;
  /** Primary-key (or replica-identity) columns; null for a table without one. */
  key: Row | null;
  before: Row | null;
  after: Row | null;
  /** Commit time of the transaction, ms since the epoch. */
  commitTimeMs: number;
  txId: number | null;
  /** LSN of the change itself and of its transaction's commit. */
  lsn: Lsn;
  commitLsn: Lsn;
  /** Position within the transaction: commitLsn + index is unique per change (the idempotency key). */
  index: number;
  snapshot: boolean;
  /** Columns left out because PostgreSQL sent "unchanged TOAST" and the old value is unknown. */
  unchanged?: string[];
  /** For op 'ddl': the command as the event trigger saw it. */
  ddl?: SchemaChange;
  /**
   * The key and rows already rendered as JSON bytes (for a Kafka
   * destination, by the snapshot reader and the change builder): `key`,
   * `before` and `after` are then null and these stand for them.
   */
  json?: RenderedRows;
};

/** Spans of `data` holding the JSON of an event's key and rows: the same text as JSON.stringify of the row objects; a length of −1 is null. */
export type RenderedRows = { data: Buffer; keyAt: number; keyLength: number; beforeAt: number; beforeLength: number; afterAt: number; afterLength: number };

/** The JSON text of an event's key, which snapshot windows compare keys by; undefined for none. */
export function keyText(e: ChangeEvent): string | undefined {
  if (e.json) return e.json.keyLength < 0 ? undefined : e.json.data.toString('utf8', e.json.keyAt, e.json.keyAt + e.json.keyLength);
  return e.key ? JSON.stringify(e.key) : undefined;
}

/**
 * An event's row before the change, as an object: parsed from its JSON when
 * rendered (for the rare reader that needs one, not the hot path), numbers
 * kept as their exact text so that JSON.stringify writes them back unchanged.
 */
export function beforeRow(e: ChangeEvent): Row | null {
  if (!e.json) return e.before;
  return parsed(e.json.data, e.json.beforeAt, e.json.beforeLength);
}

/** The row after the change, as an object: see beforeRow. */
export function afterRow(e: ChangeEvent): Row | null {
  if (!e.json) return e.after;
  return parsed(e.json.data, e.json.afterAt, e.json.afterLength);
}

function parsed(data: Buffer, at: number, length: number): Row | null {
  return length < 0 ? null : (JSON.parse(data.toString('utf8', at, at + length), exactNumbers) as Row);
}

// JSON.parse's source text access and JSON.rawJSON are in Node 24 (V8 11.4+) but not yet in TypeScript's lib.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
function exactNumbers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && context?.source !== undefined ? rawJSON(context.source) : value;
}

export type SchemaChange = { commandTag: string; objectType: string; schema: string | null; identity: string; statement: string };
