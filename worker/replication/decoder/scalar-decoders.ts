// Decoders for the built-in scalar kinds of builtin-types.ts: PostgreSQL text
// output → a JSON-ready value that loses nothing.
import type { Kind } from './builtin-types.ts';
import { dateToIso, timestampToIso, timestamptzToIso, timetzToIso } from './pg-datetime.ts';
import { intervalToIso } from './pg-interval.ts';

export type ValueDecoder = (text: string) => unknown;

// JSON.rawJSON is in Node 24 (V8 11.4+) but not yet in TypeScript's lib.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

export const identity: ValueDecoder = (text) => text;

function decodeBool(text: string): boolean {
  if (text === 't') return true;
  if (text === 'f') return false;
  throw new Error(`not a boolean: ${JSON.stringify(text)}`);
}

const NEGATIVE_ZERO = rawJSON('-0'); // JSON.stringify(-0) writes 0, losing the sign

function decodeFloat(text: string): unknown {
  // Text output of NaN/±Infinity; JSON has no such numbers.
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return text;
  if (text === '-0') return NEGATIVE_ZERO;
  return Number(text);
}

// cash_out follows the session's lc_monetary. In the C and en_US locales it
// writes '-$1,234.56'; that shape is unambiguous and becomes '-1234.56' (as
// Debezium's decimal.handling.mode=string). Any other locale's text (e.g.
// '1.234,56 €', where ',' is the decimal point) is passed on unchanged rather
// than guessed at.
const MONEY_C = /^(-?)\$(\d{1,3}(?:,\d{3})*)(\.\d+)?$/;

export function decodeMoney(text: string): string {
  const m = MONEY_C.exec(text);
  return m ? `${m[1]}${m[2].replaceAll(',', '')}${m[3] ?? ''}` : text;
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

export const SCALAR: Record<Kind, ValueDecoder> = {
  bool: decodeBool,
  int: Number,
  int8: rawJSON,
  float: decodeFloat,
  numeric: identity,
  money: decodeMoney,
  bytea: decodeBytea,
  json: identity,
  date: dateToIso,
  time: identity,
  timetz: timetzToIso,
  timestamp: timestampToIso,
  timestamptz: timestamptzToIso,
  interval: intervalToIso,
  text: identity,
};
