// The built-in types of pg_catalog (fixed OIDs, the same in every database
// since PostgreSQL 12; test/integration/pgoutput-real-bytes.test.ts and
// type-round-trip.test.ts check these tables against pg_type and pg_range).
// Everything else — enums, domains, composites, user ranges, extension types —
// has per-database OIDs and is resolved through the type catalog.

export type Kind = 'bool' | 'int' | 'int8' | 'float' | 'numeric' | 'money' | 'bytea' | 'json' | 'date' | 'time' | 'timetz' | 'timestamp' | 'timestamptz' | 'interval' | 'text';

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
  [22, 'int2vector', 1006, 'text'],
  [23, 'int4', 1007, 'int'],
  [24, 'regproc', 1008, 'text'],
  [25, 'text', 1009, 'text'],
  [26, 'oid', 1028, 'int'],
  [27, 'tid', 1010, 'text'],
  [28, 'xid', 1011, 'text'],
  [29, 'cid', 1012, 'text'],
  [30, 'oidvector', 1013, 'text'],
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
  [790, 'money', 791, 'money'],
  [829, 'macaddr', 1040, 'text'],
  [869, 'inet', 1041, 'text'],
  [1033, 'aclitem', 1034, 'text'],
  [1042, 'bpchar', 1014, 'text'],
  [1043, 'varchar', 1015, 'text'],
  [1082, 'date', 1182, 'date'],
  [1083, 'time', 1183, 'time'],
  [1114, 'timestamp', 1115, 'timestamp'],
  [1184, 'timestamptz', 1185, 'timestamptz'],
  [1186, 'interval', 1187, 'interval'],
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

/**
 * Built-in ranges and their multiranges (pg_range; multiranges exist since
 * PostgreSQL 14): [range oid, range array oid, subtype oid, multirange oid, multirange array oid].
 */
export const BUILTIN_RANGES: ReadonlyArray<readonly [oid: number, arrayOid: number, subtype: number, multirangeOid: number, multirangeArrayOid: number]> = [
  [3904, 3905, 23, 4451, 6150], // int4range, int4multirange
  [3906, 3907, 1700, 4532, 6151], // numrange
  [3908, 3909, 1114, 4533, 6152], // tsrange
  [3910, 3911, 1184, 4534, 6153], // tstzrange
  [3912, 3913, 1082, 4535, 6155], // daterange
  [3926, 3927, 20, 4536, 6157], // int8range
];
