import { afterEach, describe, expect, it } from 'vitest';
import { createCheckpointer } from '../../../../worker/checkpoint/checkpointer.ts';
import { waitFor } from '../../../support/wait-for.ts';

// Fakes that write every call into one ordered log, so the tests can read the
// interleaving of save and ack directly.
function harness(opts: { startLsn?: bigint; intervalMs?: number } = {}) {
  const calls: string[] = [];
  const errors: unknown[] = [];
  const pendingSaves: Array<{ lsn: bigint; resolve(): void; reject(e: unknown): void }> = [];
  let manual = false;
  let failNext: Error | undefined;
  const cp = createCheckpointer({
    startLsn: opts.startLsn ?? 100n,
    intervalMs: opts.intervalMs ?? 3_600_000, // the timer stays out of the way unless a test wants it
    save: (lsn) => {
      calls.push(`save ${lsn}`);
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        return Promise.reject(e);
      }
      if (!manual) return Promise.resolve();
      return new Promise<void>((resolve, reject) => pendingSaves.push({ lsn, resolve: () => { calls.push(`saved ${lsn}`); resolve(); }, reject }));
    },
    ack: (lsn) => calls.push(`ack ${lsn}`),
    onError: (e) => errors.push(e),
  });
  return {
    cp, calls, errors, pendingSaves,
    holdSaves: () => (manual = true),
    releaseSaves: () => (manual = false),
    failNextSave: (e: Error) => (failNext = e),
  };
}

const open: Array<ReturnType<typeof harness>> = [];
const make = (opts?: Parameters<typeof harness>[0]) => {
  const h = harness(opts);
  open.push(h);
  return h;
};
afterEach(async () => {
  for (const h of open.splice(0)) {
    h.releaseSaves(); // close() flushes: let that last save complete
    await h.cp.close().catch(() => undefined);
  }
});

describe('checkpointer', () => {
  it('saves before it acks, for the same LSN', async () => {
    const { cp, calls } = make();
    cp.delivered(200n);
    await cp.flush();
    expect(calls).toEqual(['save 200', 'ack 200']);
    expect(cp.ackedLsn).toBe(200n);
  });

  it('never acks while the save is still pending', async () => {
    const { cp, calls, pendingSaves, holdSaves } = make();
    holdSaves();
    cp.delivered(200n);
    const flushing = cp.flush();
    await waitFor('save called', () => pendingSaves.length === 1, 1000, 1);
    expect(calls).toEqual(['save 200']);
    expect(cp.ackedLsn).toBe(100n);
    pendingSaves[0].resolve();
    await flushing;
    expect(calls).toEqual(['save 200', 'saved 200', 'ack 200']);
  });

  it('a failing save never acks, keeps the old position, and the timer reports it via onError', async () => {
    const { cp, calls, errors, failNextSave } = make({ intervalMs: 5 });
    const boom = new Error('storage down');
    failNextSave(boom);
    cp.delivered(200n);
    await waitFor('onError called', () => errors.length > 0, 2000, 5);
    expect(errors[0]).toBe(boom);
    expect(calls.filter((c) => c.startsWith('ack'))).toEqual([]);
    expect(cp.ackedLsn).toBe(100n);
    // the next tick retries and then acks
    await waitFor('acked after retry', () => cp.ackedLsn === 200n, 2000, 5);
    expect(calls.slice(-2)).toEqual(['save 200', 'ack 200']);
  });

  it('a direct flush rejects with the save error and does not ack', async () => {
    const { cp, calls, failNextSave } = make();
    failNextSave(new Error('disk full'));
    cp.delivered(300n);
    await expect(cp.flush()).rejects.toThrow('disk full');
    expect(calls).toEqual(['save 300']);
    expect(cp.ackedLsn).toBe(100n);
  });

  it('a flush with nothing new does nothing', async () => {
    const { cp, calls } = make({ startLsn: 500n });
    await cp.flush();
    cp.delivered(500n); // not beyond the start
    await cp.flush();
    expect(calls).toEqual([]);
    cp.delivered(600n);
    await cp.flush();
    await cp.flush();
    expect(calls).toEqual(['save 600', 'ack 600']);
  });

  it('LSNs only move forward: a lower delivered after a higher one is ignored', async () => {
    const { cp, calls } = make();
    cp.delivered(300n);
    cp.delivered(200n);
    await cp.flush();
    cp.delivered(250n);
    await cp.flush();
    expect(calls).toEqual(['save 300', 'ack 300']);
    expect(cp.ackedLsn).toBe(300n);
  });

  it('concurrent flushes run their save/ack pairs one after another, in LSN order', async () => {
    const { cp, calls, pendingSaves, holdSaves } = make();
    holdSaves();
    cp.delivered(200n);
    const first = cp.flush();
    await waitFor('first save', () => pendingSaves.length === 1, 1000, 1);
    cp.delivered(300n);
    const second = cp.flush();
    const third = cp.flush();
    pendingSaves[0].resolve();
    await waitFor('second save', () => pendingSaves.length === 2, 1000, 1);
    expect(pendingSaves[1].lsn).toBe(300n);
    pendingSaves[1].resolve();
    await Promise.all([first, second, third]);
    expect(calls).toEqual(['save 200', 'saved 200', 'ack 200', 'save 300', 'saved 300', 'ack 300']);
  });

  it('ack never goes beyond what was saved, whatever was delivered meanwhile', async () => {
    const { cp, calls, pendingSaves, holdSaves } = make();
    holdSaves();
    cp.delivered(200n);
    const flushing = cp.flush();
    await waitFor('save called', () => pendingSaves.length === 1, 1000, 1);
    cp.delivered(900n); // arrives while 200 is being saved
    pendingSaves[0].resolve();
    await flushing;
    expect(calls).toEqual(['save 200', 'saved 200', 'ack 200']);
    expect(cp.ackedLsn).toBe(200n);
  });

  it('the timer flushes on its own, and close flushes the rest', async () => {
    const { cp, calls } = make({ intervalMs: 5 });
    cp.delivered(200n);
    await waitFor('timer flush', () => cp.ackedLsn === 200n, 2000, 5);
    cp.delivered(300n);
    await cp.close();
    expect(calls.slice(-2)).toEqual(['save 300', 'ack 300']);
    expect(cp.ackedLsn).toBe(300n);
  });
});
