// hstore (contrib extension) text output → a JSON object of string values
// (null for a NULL value). hstore_out writes '"k"=>"v", "k2"=>NULL' with
// every key and value quoted and '"' and '\' backslash-escaped; the reader
// also takes hstore_in's unquoted words (a bare NULL value is SQL NULL) so a
// hand-written literal decodes the same way.
import { literalError, setField } from './pg-field.ts';

export function parseHstore(text: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  let i = skipSpaces(text, 0);
  while (i < text.length) {
    const [key, afterKey] = token(text, i, true);
    i = skipSpaces(text, afterKey);
    if (!text.startsWith('=>', i)) throw literalError(text, i, "expected '=>'");
    const [value, afterValue, valueQuoted] = token(text, skipSpaces(text, i + 2), false);
    setField(out, key, !valueQuoted && value.toUpperCase() === 'NULL' ? null : value);
    i = skipSpaces(text, afterValue);
    if (i < text.length) {
      if (text[i] !== ',') throw literalError(text, i, "expected ','");
      i = skipSpaces(text, i + 1);
    }
  }
  return out;
}

/** A quoted or bare word at `at`: [text, index after it, was quoted]. A bare key ends at '=', a bare value does not. */
function token(s: string, at: number, isKey: boolean): [string, number, boolean] {
  const quoted = s[at] === '"';
  let out = '';
  let i = quoted ? at + 1 : at;
  for (;;) {
    if (quoted && i >= s.length) throw literalError(s, at, 'unterminated quoted string');
    const ch = s[i];
    if (quoted && ch === '"') return [out, i + 1, true];
    if (!quoted && (i >= s.length || (isKey && ch === '=') || ch === ',' || isSpace(ch))) {
      if (i === at) throw literalError(s, at, isKey ? 'missing key' : 'missing value');
      return [out, i, false];
    }
    if (ch === '\\') {
      if (i + 1 >= s.length) throw literalError(s, i, 'backslash at end');
      out += s[i + 1];
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i++;
  return i;
}
