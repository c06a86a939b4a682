// A growable byte buffer that rows are rendered into as JSON (UTF-8). Rows of
// many changes share one buffer, so a rendered row costs no allocation of its
// own: it is a span of `buf`. The buffer is replaced, never reused, when it
// grows: spans handed out earlier keep pointing into the old one.

export class JsonOut {
  buf: Buffer;
  pos = 0;

  constructor(bytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(bytes);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n < 16) {
      // a short field: a loop beats the native call of copy()
      for (let i = start; i < end; i++) this.buf[this.pos++] = src[i];
      return;
    }
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** A string as UTF-8 (JSON text already: no escaping). */
  text(s: string): void {
    this.ensure(s.length * 3); // UTF-8 never takes more than 3 bytes per UTF-16 unit
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
}

