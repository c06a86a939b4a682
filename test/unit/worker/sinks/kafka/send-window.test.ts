import { describe, expect, it } from 'vitest';
import { SendWindow } from '../../../../../worker/sinks/kafka/send-window.ts';

const deferred = () => {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('SendWindow', () => {
  it('starts sends in order, keeps at most `depth` in flight, and drains', async () => {
    const window = new SendWindow(2);
    const started: number[] = [];
    const sends = [deferred(), deferred(), deferred()];
    await window.add(() => (started.push(0), sends[0].promise), false);
    let third = false;
    const adding = window.add(() => (started.push(1), sends[1].promise), false).then(() => (third = true));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(third).toBe(false); // two in flight: the window is full
    sends[0].resolve();
    await adding;
    const adding2 = window.add(() => (started.push(2), sends[2].promise), false);
    expect(started).toEqual([0, 1, 2]); // started at once, beside send 1
    sends[1].resolve();
    await adding2; // room again once send 1 is done
    let drained = false;
    const draining = window.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    sends[2].resolve();
    await draining;
  });

  it('runs a send that must not be overtaken only after the earlier ones, and nothing beside it', async () => {
    const window = new SendWindow(3);
    const log: string[] = [];
    const first = deferred();
    await window.add(() => (log.push('a'), first.promise.then(() => void log.push('a done'))), false);
    const alone = window.add(async () => void log.push('alone'), true);
    await Promise.resolve();
    expect(log).toEqual(['a']);
    first.resolve();
    await alone;
    expect(log).toEqual(['a', 'a done', 'alone']);
  });

  it('reports the first failure and never leaves a rejection unhandled', async () => {
    const window = new SendWindow(3);
    const a = deferred();
    const b = deferred();
    await window.add(() => a.promise, false);
    await window.add(() => b.promise, false);
    b.reject(new Error('second'));
    a.reject(new Error('first'));
    await expect(window.drain()).rejects.toThrow(/second|first/);
  });

  it('refuses every send after a failure, including one that ran alone, so no later record overtakes a lost one', async () => {
    const window = new SendWindow(3);
    await expect(window.add(async () => { throw new Error('init failed'); }, true)).rejects.toThrow('init failed');
    let started = false;
    await expect(window.add(async () => void (started = true), false)).rejects.toThrow('init failed');
    expect(started).toBe(false);
  });

  it('answers each send\'s own completion, so a write can wait for its sends while later ones are in flight', async () => {
    const window = new SendWindow(3);
    const a = deferred();
    const b = deferred();
    const { done: aDone } = await window.add(() => a.promise, false);
    await window.add(() => b.promise, false);
    let aSettled = false;
    void aDone.then(() => (aSettled = true));
    a.resolve();
    await aDone;
    expect(aSettled).toBe(true); // b is still in flight
    b.resolve();
    await window.drain();
  });
});
