import { isUtf8 } from 'node:buffer';
import { identity, SCALAR, type ValueDecoder } from '../replication/decoder/scalar-decoders.ts';
import type { JsonOut } from './json-out.ts';

// PostgreSQL text output (UTF-8 bytes, as COPY and pgoutput hand it over)
// rendered straight to JSON bytes, without a JavaScript string per value.
// Each renderer writes exactly what JSON.stringify(decoder(text)) would for
// the column's value decoder (value-decoder.ts), which stays the definition:
// the types whose JSON is the text itself, quoted or not, are done here byte
// by byte; every other type, and any text outside the common shape (years
// BC, time zones other than UTC), goes through its decoder. A test holds
// both paths equal on edge values of every built-in type.

export type TextToJson = (src: Buffer, start: number, end: number, out: JsonOut) => void;

/** The JSON of `decoder`'s value for the text in src[start, end). */
export function textJsonFor(decoder: ValueDecoder): TextToJson {
  const viaDecoder: TextToJson = (src, start, end, out) => out.text(JSON.stringify(decoder(src.toString('utf8', start, end))));
  if (decoder === identity) return jsonString; // text, numeric, json, time, enums, uuid, …: the text as a JSON string
  if (decoder === SCALAR.int || decoder === SCALAR.int8) return verbatim; // PostgreSQL writes integers as plain decimal digits: the same text as JSON
  if (decoder === SCALAR.bool) return (src, start, end, out) => (end - start === 1 && (src[start] === 0x74 || src[start] === 0x66) ? out.text(src[start] === 0x74 ? 'true' : 'false') : viaDecoder(src, start, end, out));
  if (decoder === SCALAR.timestamptz) return (src, start, end, out) => (isoUtc(src, start, end, out) ? undefined : viaDecoder(src, start, end, out));
  if (decoder === SCALAR.timestamp) return (src, start, end, out) => (isoLocal(src, start, end, out) ? undefined : viaDecoder(src, start, end, out));
  if (decoder === SCALAR.date) return (src, start, end, out) => (end - start === 10 && src[start + 4] === 0x2d ? jsonString(src, start, end, out) : viaDecoder(src, start, end, out));
  return viaDecoder;
}

const verbatim: TextToJson = (src, start, end, out) => out.bytes(src, start, end);

const HEX = '0123456789abcdef';

/** A JSON string of UTF-8 text, escaped as JSON.stringify escapes: ", \, and controls below 0x20. */
export function jsonString(src: Buffer, start: number, end: number, out: JsonOut): void {
  const n = end - start;
  out.ensure(n + 2);
  let buf = out.buf;
  let p = out.pos;
  const from = p;
  let high = false;
  buf[p++] = 0x22;
  for (let i = start; i < end; i++) {
    const c = src[i];
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
      if (c >= 0x80) high = true;
      buf[p++] = c;
      continue;
    }
    out.pos = p;
    out.ensure(6 + (end - i)); // the escape, and the rest unescaped
    buf = out.buf;
    buf[p++] = 0x5c;
    switch (c) {
      case 0x22: buf[p++] = 0x22; break;
      case 0x5c: buf[p++] = 0x5c; break;
      case 0x08: buf[p++] = 0x62; break; // b
      case 0x0c: buf[p++] = 0x66; break; // f
      case 0x0a: buf[p++] = 0x6e; break; // n
      case 0x0d: buf[p++] = 0x72; break; // r
      case 0x09: buf[p++] = 0x74; break; // t
      default:
        buf[p++] = 0x75; // u00XX
        buf[p++] = 0x30;
        buf[p++] = 0x30;
        buf[p++] = HEX.charCodeAt(c >> 4);
        buf[p++] = HEX.charCodeAt(c & 15);
    }
  }
  buf[p++] = 0x22;
  out.pos = p;
  // Not UTF-8 (a SQL_ASCII database passes bytes through unconverted): rendered as a string decode would, replacement characters and all.
  if (high && !isUtf8(src.subarray(start, end))) {
    out.pos = from;
    out.text(JSON.stringify(src.toString('utf8', start, end)));
  }
}

/** 'YYYY-MM-DD HH:MM:SS[.f]+00' → "YYYY-MM-DDTHH:MM:SS[.f]Z" (timestamptzToIso's own fast path); false for any other shape. */
function isoUtc(src: Buffer, start: number, end: number, out: JsonOut): boolean {
  if (end - start < 22 || src[start + 4] !== 0x2d || src[start + 10] !== 0x20 || src[end - 3] !== 0x2b || src[end - 2] !== 0x30 || src[end - 1] !== 0x30) return false;
  out.byte(0x22);
  out.bytes(src, start, start + 10);
  out.byte(0x54); // T
  out.bytes(src, start + 11, end - 3);
  out.byte(0x5a); // Z
  out.byte(0x22);
  return true;
}

/** 'YYYY-MM-DD HH:MM:SS[.f]' → "YYYY-MM-DDTHH:MM:SS[.f]" (timestampToIso's fast path); false for any other shape. */
function isoLocal(src: Buffer, start: number, end: number, out: JsonOut): boolean {
  if (end - start < 19 || src[start + 4] !== 0x2d || src[start + 10] !== 0x20 || src[end - 1] === 0x43 /* 'C' of ' BC' */) return false;
  out.byte(0x22);
  out.bytes(src, start, start + 10);
  out.byte(0x54);
  out.bytes(src, start + 11, end);
  out.byte(0x22);
  return true;
}
