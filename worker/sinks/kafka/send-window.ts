// Up to `depth` sends of one sink write in flight at once, so the records of
// the next send are encoded while the broker answers the last one (one send
// at a time left the worker idle half the time: bench/RESULTS.md). Sends are
// issued in order and the client keeps one request in flight per connection,
// so they reach the broker in order; a send that must not be overtaken (the
// producer's first, which initialises it, or one adding partitions to a Kafka
// transaction) runs alone. If the broker refuses one and a later one follows,
// the sequence check rejects the later one too (fast-producer.ts), so a gap is
// never skipped: the write fails and the stream resumes from its checkpoint.
export class SendWindow {
  #pending: Promise<void>[] = [];
  #failure: { error: unknown } | undefined;

  readonly #depth: number;

  constructor(depth: number) {
    this.#depth = depth;
  }

  /** Starts `send` now; resolves when the window has room for the next one. */
  async add(send: () => Promise<void>, alone: boolean): Promise<void> {
    if (alone) {
      await this.drain();
      await send();
      return;
    }
    this.#pending.push(
      send().catch((error: unknown) => {
        this.#failure ??= { error };
      }),
    );
    while (this.#pending.length >= this.#depth) await this.#pending.shift();
    this.#throwIfFailed();
  }

  /** Resolves when every send has; throws the first failure. */
  async drain(): Promise<void> {
    while (this.#pending.length) await this.#pending.shift();
    this.#throwIfFailed();
  }

  #throwIfFailed() {
    if (this.#failure) throw this.#failure.error;
  }
}
