// Composite (row type) text output → a JSON object keyed by field name.
// record_out writes '(f1,f2,…)' over the type's live attributes in attnum
// order (dropped ones are skipped), a NULL field as nothing, and quotes a
// field that is empty or holds '"', '\', '(', ')', ',' or whitespace. Each
// field is then decoded by its own type, so nested composites, arrays and
// ranges come out structured too.
import { literalError, readField, setField } from './pg-field.ts';

export type CompositeField = { name: string; decode: (text: string) => unknown };

export function parseComposite(text: string, fields: readonly CompositeField[]): Record<string, unknown> {
  if (text.charCodeAt(0) !== 0x28 /* ( */) throw literalError(text, 0, "expected '('");
  const out: Record<string, unknown> = {};
  if (fields.length === 0) {
    if (text !== '()') throw literalError(text, 1, 'a composite with no fields');
    return out;
  }
  let i = 1;
  for (let f = 0; ; f++) {
    const [value, end] = readField(text, i, ',)');
    if (f >= fields.length) throw mismatch(text, fields);
    setField(out, fields[f].name, value === null ? null : fields[f].decode(value));
    i = end + 1;
    if (text[end] === ')') {
      if (f !== fields.length - 1) throw mismatch(text, fields);
      if (i !== text.length) throw literalError(text, i, 'trailing characters');
      return out;
    }
  }
}

// PostgreSQL refuses to add or drop attributes of a composite type that a
// table column uses, so a count mismatch means the catalog is not this
// type's: an error is better than values under the wrong names.
function mismatch(text: string, fields: readonly CompositeField[]): Error {
  return new Error(`composite value ${JSON.stringify(text.slice(0, 200))} does not have the ${fields.length} fields (${fields.map((f) => f.name).join(', ')}) the type catalog lists`);
}
