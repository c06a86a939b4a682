import type { Lsn } from '../../shared/lsn.ts';

// THE ordering of Tributary's delivery guarantee, in one place:
//   1. the sink has durably accepted every change up to a commit   (delivered)
//   2. that position is saved to storage                           (save)
//   3. only then is it acknowledged to PostgreSQL                  (ack)
// PostgreSQL discards WAL before the acknowledged LSN, so acknowledging
// before 1 or 2 could lose changes after a crash; doing it after costs at
// most a re-send of changes the sink already has (at-least-once).

export type Checkpointer = {
  /** The sink acknowledged every change of every transaction ending at or before `lsn`. */
  delivered(lsn: Lsn): void;
  /** Saves and acknowledges what was delivered, now. */
  flush(): Promise<void>;
  readonly ackedLsn: Lsn;
  close(): Promise<void>;
};

export type CheckpointerDeps = {
  startLsn: Lsn;
  /** Must be durable when it resolves. */
  save(lsn: Lsn): Promise<void>;
  ack(lsn: Lsn): void;
  /** Bounds storage writes; the slot keeps WAL a little longer in exchange. */
  intervalMs?: number;
  onError(err: unknown): void;
};

export function createCheckpointer(deps: CheckpointerDeps): Checkpointer {
  let deliveredLsn = deps.startLsn;
  let ackedLsn = deps.startLsn;
  let running: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    while (running) await running; // one save at a time, in LSN order
    const target = deliveredLsn;
    if (target <= ackedLsn) return;
    running = (async () => {
      await deps.save(target); // must: durable before PostgreSQL may discard WAL
      deps.ack(target);
      ackedLsn = target;
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };

  const timer = setInterval(() => flush().catch(deps.onError), deps.intervalMs ?? 1000);
  timer.unref();

  return {
    delivered(lsn) {
      if (lsn > deliveredLsn) deliveredLsn = lsn;
    },
    flush,
    get ackedLsn() {
      return ackedLsn;
    },
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
