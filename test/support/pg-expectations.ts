import type pg from 'pg';

// What a column's JSON value must be, derived from PostgreSQL itself rather
// than hard-coded: each type says which SQL gives its expected JSON (to_jsonb,
// extract/to_char parts, encode(…, 'base64'), hstore_to_jsonb, …), and
// containers are taken apart by SQL too (array → array_lower/array_upper per
// dimension and x[i][j] per element; composite → (x).field; range →
// lower/upper/lower_inc/upper_inc/isempty; multirange → unnest). The client
// must run with IntervalStyle=iso_8601, so that PostgreSQL writes intervals
// the way Tributary emits them.

export type Spec = { type: string } & (
  | { kind: 'scalar'; sql: (e: string) => string; map?: (v: any) => unknown }
  | { kind: 'array'; element: Spec }
  | { kind: 'composite'; fields: Array<[string, Spec]> }
  | { kind: 'range'; subtype: Spec }
  | { kind: 'multirange'; range: Spec }
);

const scalar = (type: string, sql: (e: string) => string, map?: (v: any) => unknown): Spec => ({ type, kind: 'scalar', sql, map });

/** Integers beyond 2^53 are compared as BigInt: the reader parses them so (see parseExact). */
const exactInt = (t: string) => (Number.isSafeInteger(Number(t)) ? Number(t) : BigInt(t));
const SPECIAL_FLOATS = new Set(['NaN', 'Infinity', '-Infinity']);

/** ISO 8601 year from extract(year …), which has no year 0 (-1 is 1 BC). */
function isoYear(extracted: number): string {
  const y = extracted < 0 ? extracted + 1 : extracted;
  return y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : `${y < 0 ? '-' : '+'}${String(Math.abs(y)).padStart(6, '0')}`;
}
const fraction = (us: string) => (/^0+$/.test(us) ? '' : `.${us.replace(/0+$/, '')}`);
const datetimeSql = (e: string, rest: string) =>
  `CASE WHEN isfinite(${e}) THEN jsonb_build_array(extract(year FROM ${e})::int, to_char(${e}, '${rest}'), to_char(${e}, 'US')) ELSE to_jsonb((${e})::text) END`;
const datetime = (suffix: string) => (v: string | [number, string, string]) =>
  (typeof v === 'string' ? v : `${isoYear(v[0])}-${v[1]}${fraction(v[2])}${suffix}`);

export const S = {
  /** Output text as a JSON string, through to_jsonb. */
  json: (type: string) => scalar(type, (e) => `to_jsonb(${e})`),
  int: (type: string) => scalar(type, (e) => `to_jsonb((${e})::text)`, exactInt),
  text: (type: string) => scalar(type, (e) => `to_jsonb((${e})::text)`),
  float: (type: string) => scalar(type, (e) => `to_jsonb((${e})::text)`, (t: string) => (SPECIAL_FLOATS.has(t) ? t : Number(t))),
  money: scalar('money', (e) => `to_jsonb((${e})::numeric::text)`),
  bytea: scalar('bytea', (e) => `to_jsonb(translate(encode(${e}, 'base64'), E'\\n', ''))`),
  // (to_char would cast a date to timestamp, whose range is narrower)
  date: scalar('date', (e) => `CASE WHEN isfinite(${e}) THEN jsonb_build_array(extract(year FROM ${e})::int, to_char(extract(month FROM ${e}), 'FM00') || '-' || to_char(extract(day FROM ${e}), 'FM00'), '0') ELSE to_jsonb((${e})::text) END`, datetime('')),
  timestamp: scalar('timestamp', (e) => datetimeSql(e, 'MM-DD"T"HH24:MI:SS'), datetime('')),
  timestamptz: scalar('timestamptz', (e) => datetimeSql(`(${e} AT TIME ZONE 'UTC')`, 'MM-DD"T"HH24:MI:SS'), datetime('Z')),
  timetz: scalar('timetz', (e) => `to_jsonb(((${e}) AT TIME ZONE 'UTC')::text)`, (t: string) => t.replace(/\+00$/, 'Z')),
  hstore: scalar('hstore', (e) => `hstore_to_jsonb(${e})`),
  array: (element: Spec, type = `${element.type}[]`): Spec => ({ type, kind: 'array', element }),
  range: (type: string, subtype: Spec): Spec => ({ type, kind: 'range', subtype }),
  multirange: (type: string, range: Spec): Spec => ({ type, kind: 'multirange', range }),
  composite: (type: string, fields: Array<[string, Spec]>): Spec => ({ type, kind: 'composite', fields }),
};

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function one(db: pg.Client, sql: string, params: unknown[]): Promise<any> {
  const { rows } = await db.query(sql, params);
  return rows[0];
}

/** The JSON value Tributary must emit for the SQL expression `expr` of type `spec`. */
export async function expectedJson(db: pg.Client, spec: Spec, expr: string, params: unknown[] = []): Promise<unknown> {
  // num_nulls, not IS NULL: a composite whose fields are all NULL IS NULL too, yet is a value.
  if ((await one(db, `SELECT num_nulls(${expr}) = 1 AS v`, params)).v) return null;
  switch (spec.kind) {
    case 'scalar': {
      const { v } = await one(db, `SELECT ${spec.sql(expr)} AS v`, params);
      return spec.map ? spec.map(v) : v;
    }
    case 'array': {
      // Elements by subscript, not through a text[] cast: bpchar, inet and bool cast to text differently from how they print.
      const { dims } = await one(db, `SELECT (SELECT array_agg(jsonb_build_array(array_lower(a, d), array_upper(a, d)) ORDER BY d)
                                                FROM generate_series(1, array_ndims(a)) AS d) AS dims FROM (SELECT ${expr} AS a) s`, params);
      const walk = async (subscripts: number[]): Promise<unknown> => {
        const depth = subscripts.length;
        if (depth === (dims?.length ?? 0) && depth > 0) return expectedJson(db, spec.element, `(${expr})${subscripts.map((i) => `[${i}]`).join('')}`, params);
        const out: unknown[] = [];
        if (!dims) return out; // empty array: no dimensions
        for (let i = dims[depth][0]; i <= dims[depth][1]; i++) out.push(await walk([...subscripts, i]));
        return out;
      };
      return walk([]);
    }
    case 'composite': {
      const out: Record<string, unknown> = {};
      for (const [name, field] of spec.fields) {
        Object.defineProperty(out, name, { value: await expectedJson(db, field, `(${expr}).${quoteIdent(name)}`, params), enumerable: true });
      }
      return out;
    }
    case 'range': {
      const r = await one(db, `SELECT isempty(x) AS empty, lower_inf(x) AS li, upper_inf(x) AS ui, lower_inc(x) AS linc, upper_inc(x) AS uinc FROM (SELECT ${expr} AS x) s`, params);
      const bound = async (fn: string, unbounded: boolean) => (r.empty || unbounded ? null : expectedJson(db, spec.subtype, `${fn}(${expr})`, params));
      return { lower: await bound('lower', r.li), upper: await bound('upper', r.ui), lowerInclusive: r.linc, upperInclusive: r.uinc, empty: r.empty };
    }
    case 'multirange': {
      const { rows } = await db.query(`SELECT r::text AS t FROM unnest(${expr}) WITH ORDINALITY AS u(r, n) ORDER BY n`, params);
      const out: unknown[] = [];
      for (const row of rows) out.push(await expectedJson(db, spec.range, `$1::${spec.range.type}`, [row.t]));
      return out;
    }
  }
}

/** JSON.parse that keeps integers past 2^53 exact (as BigInt), using the source text the reviver sees in Node 24. */
export function parseExact(text: string): any {
  return JSON.parse(text, ((_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source) ? BigInt(context.source) : value) as never);
}
