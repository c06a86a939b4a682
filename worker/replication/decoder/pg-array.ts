// Parser for PostgreSQL's array output syntax (docs: "Arrays", section
// "Array Input and Output Syntax"): `{1,2,NULL,"a,b","x\"y"}`, nested braces
// for each dimension (`{{1,2},{3,4}}`), and an optional `[lo:hi]=` dimension
// decoration when a lower bound is not 1 (dropped: JSON arrays start at 0).
// Output quotes an element when it is empty, equals NULL, or holds braces,
// quotes, backslashes, whitespace or the delimiter; an unquoted NULL is SQL
// NULL. Elements are passed to `elem` after unquoting.

const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Cursor {
  s: string;
  i: number;
  delim: number;
  elem: (text: string) => unknown;
}

/** `delim` is the element type's typdelim: ',' for every built-in type but box (';'). */
export function parsePgArray(text: string, elem: (text: string) => unknown, delim = ','): unknown[] {
  let start = 0;
  if (text.charCodeAt(0) === 0x5b /* [ */) start = text.indexOf('=') + 1;
  if (text.charCodeAt(start) !== LBRACE) throw arrayError(text, start, "expected '{'");
  const c: Cursor = { s: text, i: start, delim: delim.charCodeAt(0), elem };
  const out = level(c);
  if (c.i !== text.length) throw arrayError(text, c.i, 'trailing characters');
  return out;
}

/** Parses one `{...}` starting at c.i, leaving c.i after the closing brace. */
function level(c: Cursor): unknown[] {
  const { s, delim } = c;
  const out: unknown[] = [];
  c.i++; // '{'
  if (s.charCodeAt(c.i) === RBRACE) {
    c.i++;
    return out;
  }
  for (;;) {
    const ch = s.charCodeAt(c.i);
    if (ch === LBRACE) out.push(level(c));
    else if (ch === QUOTE) out.push(c.elem(quoted(c)));
    else out.push(unquoted(c));
    const sep = s.charCodeAt(c.i++);
    if (sep === delim) continue;
    if (sep === RBRACE) return out;
    throw arrayError(s, c.i - 1, `expected '${String.fromCharCode(delim)}' or '}'`);
  }
}

function quoted(c: Cursor): string {
  const s = c.s;
  let i = c.i + 1;
  let from = i;
  let acc = '';
  for (;;) {
    const ch = s.charCodeAt(i);
    if (ch === QUOTE) break;
    if (ch === BACKSLASH) {
      acc += s.slice(from, i); // drop the backslash, keep what it escapes
      from = ++i;
    } else if (Number.isNaN(ch)) {
      throw arrayError(s, c.i, 'unterminated quoted element');
    }
    i++;
  }
  c.i = i + 1;
  return acc + s.slice(from, i);
}

function unquoted(c: Cursor): unknown {
  const { s, delim } = c;
  let i = c.i;
  let escaped = false;
  for (; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === delim || ch === RBRACE) break;
    if (ch === BACKSLASH) {
      escaped = true;
      i++;
    }
  }
  if (i === c.i) throw arrayError(s, i, 'empty element');
  let raw = s.slice(c.i, i);
  c.i = i;
  if (!escaped) {
    if (raw.length === 4 && raw.toUpperCase() === 'NULL') return null;
  } else {
    raw = raw.replace(/\\(.)/gs, '$1'); // input syntax only: the server's output quotes instead
  }
  return c.elem(raw);
}

function arrayError(s: string, at: number, what: string): Error {
  return new Error(`malformed array literal at position ${at} (${what}): ${JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s)}`);
}
