import type { Row } from '../change-event.ts';
import type { ValueDecoder } from '../replication/decoder/value-decoder.ts';

// Turns a chunk's flat COPY fields into rows. The function is generated once
// per table from its column names: an object literal with fixed keys gets its
// final shape at once, where assigning row[name] column by column goes
// through V8's megamorphic keyed stores — that loop was about half of the
// snapshot reader's own CPU. The rows are the stream's rows (change-builder.ts)
// property for property, in column order, so they render to the same JSON.

export type BuiltRow = { key: Row; after: Row };
export type RowBuilder = (fields: Array<string | null>, offset: number) => BuiltRow;

export function rowBuilder(names: readonly string[], decoders: readonly ValueDecoder[], keyIndexes: readonly number[]): RowBuilder {
  // A name is written as a JSON string literal (valid JavaScript, nothing of it runs);
  // "__proto__" as a plain literal key would set the prototype, so it is computed, which defines a property.
  const prop = (name: string) => (name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name));
  const value = (i: number) => `f[o + ${i}] === null ? null : d[${i}](f[o + ${i}])`;
  const after = names.map((n, i) => `${prop(n)}: ${value(i)}`).join(', ');
  const key = keyIndexes.map((i) => `${prop(names[i])}: a[${JSON.stringify(names[i])}]`).join(', ');
  const build = new Function('d', `return (f, o) => { const a = { ${after} }; return { key: { ${key} }, after: a }; };`) as (d: readonly ValueDecoder[]) => RowBuilder;
  return build(decoders);
}
