import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, existsSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransactionSpool, type TransactionSpool } from '../../../../worker/stream/transaction-spool.ts';

const dirFor = () => join(mkdtempSync(join(tmpdir(), 'spool-test-')), 'job');
const payload = (i: number, size = 40) => Buffer.from(`${i}:`.padEnd(size, String.fromCharCode(97 + (i % 26))));

async function replayAll(spool: TransactionSpool, xid: number) {
  const out: Array<{ lsn: bigint; text: string }> = [];
  for await (const chunk of spool.replay(xid)) for (const e of chunk) out.push({ lsn: e.lsn, text: e.bytes.toString() });
  return out;
}
const expected = (ids: number[], size = 40) => ids.map((i) => ({ lsn: BigInt(1000 + i), text: payload(i, size).toString() }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe('transaction spool', () => {
  it('empties its directory at creation: files of a dead run are worthless', async () => {
    const dir = dirFor();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '99.spill'), 'old');
    const spool = await createTransactionSpool({ dir, memoryBytes: 1 << 20 });
    expect(readdirSync(dir)).toEqual([]);
    await spool.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps a small transaction in memory and replays it in order, then forgets it', async () => {
    const dir = dirFor();
    const spool = await createTransactionSpool({ dir, memoryBytes: 1 << 20 });
    for (const i of range(0, 100)) spool.append(7, 7, BigInt(1000 + i), payload(i));
    expect(spool.overBudget).toBe(false);
    expect(spool.sizeOf(7)).toEqual({ bytes: 100 * 52, spilledBytes: 0 });
    expect(readdirSync(dir)).toEqual([]);
    expect(await replayAll(spool, 7)).toEqual(expected(range(0, 100)));
    expect(spool.stats).toEqual({ memoryBytes: 0, openTransactions: 0 });
    expect(await replayAll(spool, 7)).toEqual([]);
    await spool.close();
  });

  it('spills the largest transactions past the budget and replays file then memory in order, across read boundaries', async () => {
    const dir = dirFor();
    // Small pages and reads so that entries straddle reads; one entry larger than a read.
    const spool = await createTransactionSpool({ dir, memoryBytes: 4096, pageBytes: 1024, readBytes: 700 });
    const sizes = new Map<number, number>();
    for (const i of range(0, 500)) {
      const size = i === 250 ? 5000 : 40 + (i % 13);
      sizes.set(i, size);
      spool.append(7, 7, BigInt(1000 + i), payload(i, size));
      if (i % 10 === 0) spool.append(8, 8, BigInt(5000 + i), payload(i)); // a second, smaller transaction
      if (spool.overBudget) await spool.spill();
      expect(spool.stats.memoryBytes).toBeLessThanOrEqual(4096 + 5012 + 1024);
    }
    expect(spool.sizeOf(7).spilledBytes).toBeGreaterThan(20_000);
    expect(readdirSync(dir).sort()).toContain('7.spill');
    const got = await replayAll(spool, 7);
    expect(got.map((e) => e.lsn)).toEqual(range(0, 500).map((i) => BigInt(1000 + i)));
    expect(got).toEqual(range(0, 500).map((i) => ({ lsn: BigInt(1000 + i), text: payload(i, sizes.get(i)).toString() })));
    expect(readdirSync(dir)).not.toContain('7.spill'); // deleted after replay
    expect((await replayAll(spool, 8)).length).toBe(50);
    expect(readdirSync(dir)).toEqual([]);
    await spool.close();
  });

  it('drops a whole aborted transaction, its file included', async () => {
    const dir = dirFor();
    const spool = await createTransactionSpool({ dir, memoryBytes: 2048, pageBytes: 512 });
    for (const i of range(0, 200)) {
      spool.append(9, 9, BigInt(1000 + i), payload(i));
      if (spool.overBudget) await spool.spill();
    }
    expect(readdirSync(dir)).toEqual(['9.spill']);
    expect(await spool.abort(9, 9)).toBe(200 * 52);
    expect(readdirSync(dir)).toEqual([]);
    expect(spool.stats).toEqual({ memoryBytes: 0, openTransactions: 0 });
    expect(await spool.abort(9, 9)).toBe(0); // already gone
    await spool.close();
  });

  it('a subtransaction abort cuts the log where that subtransaction began, in memory and inside the file', async () => {
    const dir = dirFor();
    // Over budget from the start: nothing is spilled until spill() is called, then all of it.
    const spool = await createTransactionSpool({ dir, memoryBytes: 100, pageBytes: 512 });
    // top 10: 0..9, sub 11: 10..19, sub 12 (nested in 11): 20..29, then ROLLBACK TO the savepoint of 12
    for (const i of range(0, 10)) spool.append(10, 10, BigInt(1000 + i), payload(i));
    for (const i of range(10, 20)) spool.append(10, 11, BigInt(1000 + i), payload(i));
    for (const i of range(20, 30)) spool.append(10, 12, BigInt(1000 + i), payload(i));
    expect(await spool.abort(10, 12)).toBe(10 * 52);
    expect(await spool.abort(10, 77)).toBe(0); // a subtransaction that sent nothing
    for (const i of range(30, 40)) spool.append(10, 10, BigInt(1000 + i), payload(i));
    // now spill everything, then abort 11 (which began inside the file)
    await spool.spill();
    expect(spool.sizeOf(10).spilledBytes).toBe(30 * 52);
    expect(await spool.abort(10, 11)).toBe(20 * 52); // 10..19 and 30..39 came after 11 began
    expect(statSync(join(dir, '10.spill')).size).toBe(10 * 52);
    for (const i of range(40, 45)) spool.append(10, 13, BigInt(1000 + i), payload(i));
    expect(await replayAll(spool, 10)).toEqual(expected([...range(0, 10), ...range(40, 45)]));
    await spool.close();
  });
});
