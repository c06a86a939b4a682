// Up to `depth` sends in flight at once, across sink writes, so the records
// of the next send are encoded while the broker answers the last one (one send
// at a time left the worker idle half the time: bench/RESULTS.md). Sends are
// issued in order and the client keeps one request in flight per connection,
// so they reach the broker in order; a send that must not be overtaken (the
// producer's first, which initialises it, or one adding partitions to a Kafka
// transaction) runs alone. A failure is sticky: every later send is refused
// (and the sequence check rejects any already on the wire, fast-producer.ts),
// so a gap is never skipped: the write fails and the stream resumes from its
// checkpoint.
export class SendWindow {
  #pending: Promise<void>[] = [];
  #failure: { error: unknown } | undefined;

  readonly #depth: number;

  constructor(depth: number) {
    this.#depth = depth;
  }

  /**
   * Starts `send` now; resolves, once the window has room for the next one,
   * to `done`: settles with the send (never rejects; `check` reports failures).
   */
  async add(send: () => Promise<void>, alone: boolean): Promise<{ done: Promise<void> }> {
    this.check();
    if (alone) await this.drain();
    const done = send().catch((error: unknown) => {
      this.#failure ??= { error };
    });
    if (alone) {
      await done;
      this.check();
      return { done };
    }
    this.#pending.push(done);
    while (this.#pending.length >= this.#depth) await this.#pending.shift();
    this.check();
    return { done };
  }

  /** Resolves when every send has; throws the first failure. */
  async drain(): Promise<void> {
    while (this.#pending.length) await this.#pending.shift();
    this.check();
  }

  /** Throws the first failure of any send so far. */
  check(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
