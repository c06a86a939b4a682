// One field of a composite literal '(a,"b c",)' or one bound of a range
// literal '[a,"b c")', read as record_in and range_parse_bound read them
// (src/backend/utils/adt/rowtypes.c, rangetypes.c): nothing at all before the
// terminator means NULL (an unbounded range bound); double quotes group,
// '""' inside quotes is one '"', and a backslash takes the next character
// literally. An empty string is therefore written '""', never as nothing.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Reads from `s[at]` up to an unquoted character in `stops`; returns the value (null: empty) and the terminator's index. */
export function readField(s: string, at: number, stops: string): [value: string | null, end: number] {
  if (at >= s.length) throw literalError(s, at, 'unexpected end');
  if (stops.includes(s[at])) return [null, at];
  let out = '';
  let inQuote = false;
  let i = at;
  for (;;) {
    if (i >= s.length) throw literalError(s, at, inQuote ? 'unterminated quoted value' : 'unexpected end');
    const ch = s.charCodeAt(i);
    if (!inQuote && stops.includes(s[i])) return [out, i];
    if (ch === BACKSLASH) {
      if (i + 1 >= s.length) throw literalError(s, i, 'backslash at end');
      out += s[i + 1];
      i += 2;
    } else if (ch === QUOTE) {
      if (!inQuote) inQuote = true;
      else if (s.charCodeAt(i + 1) === QUOTE) {
        out += '"';
        i++;
      } else inQuote = false;
      i++;
    } else {
      // copy the run of plain characters in one slice
      let j = i + 1;
      while (j < s.length) {
        const c = s.charCodeAt(j);
        if (c === QUOTE || c === BACKSLASH || (!inQuote && stops.includes(s[j]))) break;
        j++;
      }
      out += s.slice(i, j);
      i = j;
    }
  }
}

export function literalError(s: string, at: number, what: string): Error {
  return new Error(`malformed literal at position ${at} (${what}): ${JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s)}`);
}

/**
 * Sets obj[key] as an own property even for '__proto__' (a legal field name
 * and hstore key), which plain assignment would turn into a prototype change.
 */
export function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
