// PostgreSQL text output of built-in types → JSON-ready values, without loss,
// following Debezium's JSON conventions where they are lossless.
//
// Preconditions on the replication session (pgoutput formats values with the
// walsender's settings; PostgreSQL's own subscriber sets the first three the
// same way): DateStyle=ISO, extra_float_digits=3 (shortest exact floats; the
// default since PG 12), IntervalStyle of your choice (interval stays a string),
// bytea_output hex or escape (both handled), TimeZone anything (timestamptz
// offsets are parsed and normalised to UTC).
//
// Representation choices:
// - int8 → JSON.rawJSON(text): a value that JSON.stringify writes as the exact
//   64-bit number (Node 24); JS arithmetic on it is not possible.
// - float4/float8 → number; 'NaN', 'Infinity', '-Infinity' stay strings.
// - numeric → the exact decimal string (like Debezium decimal.handling.mode=string).
// - bytea → base64, as Debezium's JsonConverter writes BYTES.
// - json/jsonb → the JSON text as a string (Debezium io.debezium.data.Json).
// - timestamp → 'YYYY-MM-DDTHH:MM:SS.ffffff'; timestamptz → same in UTC + 'Z';
//   timetz → UTC 'HH:MM:SS.ffffff' + 'Z' (Debezium ZonedTime); time and date
//   as PostgreSQL writes them; 'infinity'/'-infinity' kept.
// - arrays → JS arrays (nested for more dimensions), elements by element type.
// - everything else, including unknown OIDs → the text as is.
import { parsePgArray } from './pg-array.ts';
import { timestampToIso, timestamptzToIso, timetzToIso } from './pg-datetime.ts';

export type ValueDecoder = (text: string) => unknown;

type Kind = 'bool' | 'int' | 'int8' | 'float' | 'numeric' | 'bytea' | 'json' | 'date' | 'time' | 'timetz' | 'timestamp' | 'timestamptz' | 'text';

/**
 * Built-in types (pg_catalog.pg_type, PostgreSQL 17):
 * [type oid, type name, array type oid, kind, array delimiter if not ','].
 */
export const BUILTIN_TYPES: ReadonlyArray<readonly [oid: number, name: string, arrayOid: number, kind: Kind, delim?: string]> = [
  [16, 'bool', 1000, 'bool'],
  [17, 'bytea', 1001, 'bytea'],
  [18, 'char', 1002, 'text'],
  [19, 'name', 1003, 'text'],
  [20, 'int8', 1016, 'int8'],
  [21, 'int2', 1005, 'int'],
  [23, 'int4', 1007, 'int'],
  [24, 'regproc', 1008, 'text'],
  [25, 'text', 1009, 'text'],
  [26, 'oid', 1028, 'int'],
  [27, 'tid', 1010, 'text'],
  [28, 'xid', 1011, 'text'],
  [29, 'cid', 1012, 'text'],
  [114, 'json', 199, 'json'],
  [142, 'xml', 143, 'text'],
  [600, 'point', 1017, 'text'],
  [601, 'lseg', 1018, 'text'],
  [602, 'path', 1019, 'text'],
  [603, 'box', 1020, 'text', ';'],
  [604, 'polygon', 1027, 'text'],
  [628, 'line', 629, 'text'],
  [650, 'cidr', 651, 'text'],
  [700, 'float4', 1021, 'float'],
  [701, 'float8', 1022, 'float'],
  [718, 'circle', 719, 'text'],
  [774, 'macaddr8', 775, 'text'],
  [790, 'money', 791, 'text'],
  [829, 'macaddr', 1040, 'text'],
  [869, 'inet', 1041, 'text'],
  [1033, 'aclitem', 1034, 'text'],
  [1042, 'bpchar', 1014, 'text'],
  [1043, 'varchar', 1015, 'text'],
  [1082, 'date', 1182, 'date'],
  [1083, 'time', 1183, 'time'],
  [1114, 'timestamp', 1115, 'timestamp'],
  [1184, 'timestamptz', 1185, 'timestamptz'],
  [1186, 'interval', 1187, 'text'],
  [1266, 'timetz', 1270, 'timetz'],
  [1560, 'bit', 1561, 'text'],
  [1562, 'varbit', 1563, 'text'],
  [1700, 'numeric', 1231, 'numeric'],
  [1790, 'refcursor', 2201, 'text'],
  [2202, 'regprocedure', 2207, 'text'],
  [2203, 'regoper', 2208, 'text'],
  [2204, 'regoperator', 2209, 'text'],
  [2205, 'regclass', 2210, 'text'],
  [2206, 'regtype', 2211, 'text'],
  [2950, 'uuid', 2951, 'text'],
  [2970, 'txid_snapshot', 2949, 'text'],
  [3220, 'pg_lsn', 3221, 'text'],
  [3614, 'tsvector', 3643, 'text'],
  [3615, 'tsquery', 3645, 'text'],
  [3734, 'regconfig', 3735, 'text'],
  [3769, 'regdictionary', 3770, 'text'],
  [3802, 'jsonb', 3807, 'json'],
  [4072, 'jsonpath', 4073, 'text'],
  [4089, 'regnamespace', 4090, 'text'],
  [4096, 'regrole', 4097, 'text'],
  [4191, 'regcollation', 4192, 'text'],
  [5038, 'pg_snapshot', 5039, 'text'],
  [5069, 'xid8', 271, 'text'],
];

// JSON.rawJSON is in Node 24 (V8 11.4+) but not yet in TypeScript's lib.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

const identity: ValueDecoder = (text) => text;

function decodeBool(text: string): boolean {
  if (text === 't') return true;
  if (text === 'f') return false;
  throw new Error(`not a boolean: ${JSON.stringify(text)}`);
}

function decodeFloat(text: string): number | string {
  // Text output of NaN/±Infinity; JSON has no such numbers.
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return text;
  return Number(text);
}

/** bytea → base64. Hex output is '\x' + 2 hex digits a byte; escape output uses \\ and \ooo. */
export function decodeBytea(text: string): string {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex').toString('base64');
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 0x5c /* \ */) {
      out[n++] = ch; // printable ASCII stands for itself
    } else if (text.charCodeAt(i + 1) === 0x5c) {
      out[n++] = 0x5c;
      i += 1;
    } else {
      out[n++] = parseInt(text.slice(i + 1, i + 4), 8);
      i += 3;
    }
  }
  return out.subarray(0, n).toString('base64');
}

const SCALAR: Record<Kind, ValueDecoder> = {
  bool: decodeBool,
  int: Number,
  int8: rawJSON,
  float: decodeFloat,
  numeric: identity,
  bytea: decodeBytea,
  json: identity,
  date: identity,
  time: identity,
  timetz: timetzToIso,
  timestamp: timestampToIso,
  timestamptz: timestamptzToIso,
  text: identity,
};

const DECODERS = new Map<number, ValueDecoder>();
for (const [oid, , arrayOid, kind, delim] of BUILTIN_TYPES) {
  const elem = SCALAR[kind];
  DECODERS.set(oid, elem);
  DECODERS.set(arrayOid, (text) => parsePgArray(text, elem, delim));
}

/**
 * The decoder for a column of the given type; look it up once per column (when
 * the Relation message arrives) and call it per value. Unknown OIDs decode to
 * the text itself.
 */
export function valueDecoderFor(typeOid: number): ValueDecoder {
  return DECODERS.get(typeOid) ?? identity;
}

/** One-off form of valueDecoderFor(typeOid)(text). */
export function decodeValue(typeOid: number, text: string): unknown {
  return valueDecoderFor(typeOid)(text);
}
