// Range and multirange text output → JSON.
//
// A range becomes {"lower", "upper", "lowerInclusive", "upperInclusive",
// "empty"}, every key always present so that the shape does not vary:
// bounds are decoded by the subtype's decoder, null means unbounded (a bound
// can never be SQL NULL), and the empty range is
// {"lower":null,"upper":null,"lowerInclusive":false,"upperInclusive":false,"empty":true}.
// 'infinity' as a date/timestamp bound is a value, not unbounded, and stays
// "infinity". A multirange becomes a JSON array of such ranges ([] when empty).
//
// range_out writes 'empty' or '[lo,hi)' with each bracket showing
// inclusivity, nothing for an unbounded side, and a bound quoted when it is
// empty or holds '"', '\', '(', ')', '[', ']', ',' or whitespace; canonical
// discrete ranges (int4, int8, date) always come out as '[lo,hi)'.
// multirange_out writes '{' + its ranges joined by ',' + '}'.
import { literalError, readField } from './pg-field.ts';

export type RangeValue = { lower: unknown; upper: unknown; lowerInclusive: boolean; upperInclusive: boolean; empty: boolean };

const EMPTY = 'empty';

export function parseRange(text: string, bound: (text: string) => unknown): RangeValue {
  const [range, end] = rangeAt(text, 0, bound);
  if (end !== text.length) throw literalError(text, end, 'trailing characters');
  return range;
}

export function parseMultirange(text: string, bound: (text: string) => unknown): RangeValue[] {
  if (text.charCodeAt(0) !== 0x7b /* { */) throw literalError(text, 0, "expected '{'");
  const out: RangeValue[] = [];
  let i = skipSpaces(text, 1);
  if (text[i] === '}') i++;
  else {
    for (;;) {
      const [range, end] = rangeAt(text, i, bound);
      out.push(range);
      i = skipSpaces(text, end);
      const sep = text[i++];
      if (sep === '}') break;
      if (sep !== ',') throw literalError(text, i - 1, "expected ',' or '}'");
      i = skipSpaces(text, i);
    }
  }
  if (i !== text.length) throw literalError(text, i, 'trailing characters');
  return out;
}

/** One range starting at `at`; returns it and the index after it. */
function rangeAt(s: string, at: number, bound: (text: string) => unknown): [RangeValue, number] {
  if (s.startsWith(EMPTY, at)) {
    return [{ lower: null, upper: null, lowerInclusive: false, upperInclusive: false, empty: true }, at + EMPTY.length];
  }
  const open = s[at];
  if (open !== '[' && open !== '(') throw literalError(s, at, "expected '[', '(' or 'empty'");
  const [lower, comma] = readField(s, at + 1, ',)]');
  if (s[comma] !== ',') throw literalError(s, comma, "expected ','");
  const [upper, close] = readField(s, comma + 1, ',)]');
  if (s[close] !== ']' && s[close] !== ')') throw literalError(s, close, "expected ']' or ')'");
  return [{
    lower: lower === null ? null : bound(lower),
    upper: upper === null ? null : bound(upper),
    lowerInclusive: open === '[',
    upperInclusive: s[close] === ']',
    empty: false,
  }, close + 1];
}

function skipSpaces(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}
