import type { ChangeEvent, Row } from '../../change-event.ts';
import { quoteIdent } from '../../../shared/source/pg-config.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import type { TargetTable } from '../../../shared/destination/target-names.ts';
import type { TargetInfo } from './target-catalog.ts';

// Turns a batch of change events (values as PostgreSQL text) into as few
// statements as keep their order: consecutive events of one table and one
// kind become one multi-row statement whose values are text arrays, one
// parameter per column, unnested and cast on the server. Identifiers are
// quoted, values are parameters, so no input ever becomes SQL text.
//
//   c, u (full row, same key)   → INSERT … ON CONFLICT (key) DO UPDATE (an upsert; the last change per key wins)
//   r (snapshot row)            → the same, or DO NOTHING with conflictMode "ignore-and-proceed"
//   u with unchanged TOAST      → UPDATE … FROM unnest(…) WHERE key = old key, those columns left out
//   u changing the key          → one UPDATE by the old key (order matters: k1→k2 after k2→k3)
//   d                           → DELETE … USING unnest(…) WHERE key = old key
//   t                           → TRUNCATE
//   ddl                         → handed back to the sink (apply-ddl.ts)

export type TableWriter = { target: TargetTable; key: string[]; info: TargetInfo };
export type Statement = { text: string; values: unknown[]; /** run when the statement changed no row (a key-changing UPDATE of a row the destination lacks) */ orElse?: Statement };
export type Step = { statement: Statement } | { ddl: ChangeEvent };

type Kind = 'upsert' | 'insert-ignore' | 'insert' | 'update' | 'update-key' | 'delete' | 'truncate';
type Run = { kind: Kind; writer: TableWriter; events: ChangeEvent[]; signature: string; keys: Set<string>; /** upserts: the last full row per key */ latest?: Map<string, ChangeEvent> };

const q = quoteIdent;

export function planWrites(events: ChangeEvent[], writerOf: (e: ChangeEvent) => TableWriter, opts: { keepExisting: boolean }): Step[] {
  const steps: Step[] = [];
  let run: Run | undefined;
  const flush = () => {
    if (run?.latest) run.events = [...run.latest.values()];
    if (run) steps.push(...statementsOf(run).map((statement) => ({ statement })));
    run = undefined;
  };
  for (const event of events) {
    if (event.op === 'ddl') {
      flush();
      steps.push({ ddl: event });
      continue;
    }
    const writer = writerOf(event);
    const { kind, signature } = kindOf(event, writer, opts.keepExisting);
    const keyText = kind === 'truncate' || kind === 'insert' ? '' : JSON.stringify(keyValues(writer, event, kind === 'upsert' || kind === 'insert-ignore' ? 'after' : 'old'));
    const extendable = run && run.writer === writer && run.kind === kind && run.signature === signature && kind !== 'update-key' && kind !== 'truncate';
    // an UPDATE … FROM applies one source row per target row, so a key seen twice starts a new statement
    if (!extendable || (kind === 'update' && run!.keys.has(keyText))) {
      flush();
      run = { kind, writer, events: [], signature, keys: new Set(), ...(kind === 'upsert' ? { latest: new Map() } : {}) };
    }
    if (run!.latest) {
      // the last full row of a key is its state: an earlier one in the same statement is dropped
      run!.latest.delete(keyText);
      run!.latest.set(keyText, event);
      continue;
    }
    run!.keys.add(keyText);
    run!.events.push(event);
  }
  flush();
  return steps;
}

function kindOf(e: ChangeEvent, w: TableWriter, keepExisting: boolean): { kind: Kind; signature: string } {
  const columns = (row: Row | null) => (row ? Object.keys(row).join('\u0000') : '');
  const keyless = w.key.length === 0;
  switch (e.op) {
    case 't':
      return { kind: 'truncate', signature: '' };
    case 'r':
      return { kind: keyless ? 'insert' : keepExisting ? 'insert-ignore' : 'upsert', signature: columns(e.after) };
    case 'c':
      return { kind: keyless ? 'insert' : 'upsert', signature: columns(e.after) };
    case 'u': {
      if (keyless) throw noKey(w, 'an UPDATE');
      const keyChanged = JSON.stringify(keyValues(w, e, 'old')) !== JSON.stringify(keyValues(w, e, 'after'));
      if (keyChanged) return { kind: 'update-key', signature: '' };
      if (e.unchanged?.length) return { kind: 'update', signature: `${columns(e.after)}\u0001${e.unchanged.join('\u0000')}` };
      return { kind: 'upsert', signature: columns(e.after) };
    }
    case 'd':
      if (keyless) throw noKey(w, 'a DELETE');
      return { kind: 'delete', signature: '' };
    default:
      throw new TributaryError('Internal', `unexpected change event op "${e.op}"`);
  }
}

const noKey = (w: TableWriter, what: string) =>
  new TributaryError('DestinationWriteFailed', `${what} on ${w.target.schema}.${w.target.table} cannot be applied: the table has no primary key or UNIQUE key over NOT NULL columns to find the row by`);

/** Key values as text: the old key (before image, else the after image) or the new one. */
function keyValues(w: TableWriter, e: ChangeEvent, which: 'old' | 'after'): unknown[] {
  const row = which === 'old' ? (e.before ?? e.key ?? e.after) : (e.after ?? e.key);
  return w.key.map((k) => (row ? row[k] : undefined) ?? (e.key ? e.key[k] : null));
}

function castOf(w: TableWriter, source: string): { name: string; cast: string } {
  const name = w.target.column(source);
  const col = w.info.columns.get(name);
  if (!col) {
    throw new TributaryError(
      'DestinationSchemaMismatch',
      `column ${JSON.stringify(source)} of the source has no column ${JSON.stringify(name)} in ${w.target.schema}.${w.target.table} on the destination`,
    );
  }
  return col;
}

const table = (w: TableWriter) => `${q(w.target.schema)}.${q(w.target.table)}`;
const alias = (i: number) => `c${i}`;

function unnest(columns: Array<{ values: unknown[] }>, offset = 0): string {
  return `unnest(${columns.map((_, i) => `$${offset + i + 1}::text[]`).join(', ')}) AS v(${columns.map((_, i) => alias(offset + i)).join(', ')})`;
}

function statementsOf(run: Run): Statement[] {
  const w = run.writer;
  switch (run.kind) {
    case 'truncate':
      return run.events.map(() => ({ text: `TRUNCATE ${table(w)}`, values: [] }));
    case 'upsert':
    case 'insert-ignore':
    case 'insert':
      return [insertOf(run)];
    case 'update':
      return [updateOf(run)];
    case 'update-key':
      return run.events.map((e) => updateKeyOf(w, e));
    case 'delete': {
      const keys = w.key.map((k) => ({ ...castOf(w, k), values: run.events.map((e) => keyValues(w, e, 'old')[w.key.indexOf(k)]) }));
      const where = keys.map((k, i) => `t.${q(k.name)} = v.${alias(i)}::${k.cast}`).join(' AND ');
      return [{ text: `DELETE FROM ${table(w)} AS t USING ${unnest(keys)} WHERE ${where}`, values: keys.map((k) => k.values) }];
    }
  }
}

function insertOf(run: Run): Statement {
  const w = run.writer;
  const names = Object.keys(run.events[0].after ?? {});
  const cols = names.map((n) => ({ source: n, ...castOf(w, n), values: run.events.map((e) => e.after![n] ?? null) }));
  const select = cols.map((c, i) => `v.${alias(i)}::${c.cast}`).join(', ');
  let text = `INSERT INTO ${table(w)} (${cols.map((c) => q(c.name)).join(', ')}) SELECT ${select} FROM ${unnest(cols)}`;
  if (run.kind !== 'insert') {
    const key = new Set(w.key);
    const conflict = `ON CONFLICT (${w.key.map((k) => q(castOf(w, k).name)).join(', ')})`;
    const set = cols.filter((c) => !key.has(c.source)).map((c) => `${q(c.name)} = EXCLUDED.${q(c.name)}`);
    text += run.kind === 'insert-ignore' || !set.length ? ` ${conflict} DO NOTHING` : ` ${conflict} DO UPDATE SET ${set.join(', ')}`;
  }
  return { text, values: cols.map((c) => c.values) };
}

function updateOf(run: Run): Statement {
  const w = run.writer;
  const first = run.events[0];
  const skip = new Set([...w.key, ...(first.unchanged ?? [])]);
  const keys = w.key.map((k, i) => ({ ...castOf(w, k), values: run.events.map((e) => keyValues(w, e, 'old')[i]) }));
  const sets = Object.keys(first.after ?? {}).filter((n) => !skip.has(n)).map((n) => ({ ...castOf(w, n), values: run.events.map((e) => e.after![n] ?? null) }));
  if (!sets.length) return { text: 'SELECT 1', values: [] }; // only unchanged TOAST columns besides the key: nothing to write
  const all = [...keys, ...sets];
  const set = sets.map((c, i) => `${q(c.name)} = v.${alias(keys.length + i)}::${c.cast}`).join(', ');
  const where = keys.map((k, i) => `t.${q(k.name)} = v.${alias(i)}::${k.cast}`).join(' AND ');
  return { text: `UPDATE ${table(w)} AS t SET ${set} FROM ${unnest(all)} WHERE ${where}`, values: all.map((c) => c.values) };
}

function updateKeyOf(w: TableWriter, e: ChangeEvent): Statement {
  const unchanged = new Set(e.unchanged ?? []);
  const names = Object.keys(e.after ?? {}).filter((n) => !unchanged.has(n));
  const sets = names.map((n) => castOf(w, n));
  const old = keyValues(w, e, 'old');
  const keys = w.key.map((k) => castOf(w, k));
  const text = `UPDATE ${table(w)} SET ${sets.map((c, i) => `${q(c.name)} = $${i + 1}::text::${c.cast}`).join(', ')} WHERE ${keys.map((k, i) => `${q(k.name)} = $${sets.length + i + 1}::text::${k.cast}`).join(' AND ')}`;
  const statement: Statement = { text, values: [...names.map((n) => e.after![n] ?? null), ...old] };
  // the destination lacks the old row: with the whole new row known, insert it (incremental overwrites, DTS)
  if (!unchanged.size) statement.orElse = insertOf({ kind: 'upsert', writer: w, events: [e], signature: '', keys: new Set() });
  return statement;
}
