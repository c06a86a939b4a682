import type pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import type { ReadMessage } from './kafka-reader.ts';
import { byPartitionOffset } from './kafka-reader.ts';
import { api } from './e2e.ts';
import { waitFor } from './wait-for.ts';
import type { LocalTributary } from '../../functions/api/local.ts';
import { formatLsn, parseLsn } from '../../shared/lsn.ts';

// A mixed workload for the crash tests and the checks of what Kafka holds
// after it. The table starts with `initialRows` (the snapshot), then
// transactions insert new ids, update live ids (v = v + 1, so (id, v) names
// each update) and delete live ids (never reused), `perTx` changes each.

export type Workload = { initialRows: number; changes: number; perTx: number };
export type Expected = { live: Map<number, number>; deleted: Set<number>; inserts: number; updates: number; deletes: number; transactions: number };

export async function createEventsTable(db: pg.Client, initialRows: number): Promise<void> {
  await db.query('CREATE TABLE events (id int PRIMARY KEY, v int NOT NULL, payload text)');
  await db.query(`INSERT INTO events SELECT g, 1, repeat('s', 32) FROM generate_series(1, $1::int) g`, [initialRows]);
}

/** Runs the workload; `expected` is filled in as transactions commit, so it is exact once the promise resolves. */
export function runWorkload(db: pg.Client, w: Workload, random: () => number = Math.random): { done: Promise<void>; expected: Expected; committed: () => number } {
  const live = new Map<number, number>();
  for (let id = 1; id <= w.initialRows; id++) live.set(id, 1);
  const ids = [...live.keys()];
  const expected: Expected = { live, deleted: new Set(), inserts: 0, updates: 0, deletes: 0, transactions: 0 };
  let nextId = w.initialRows + 1;
  let written = 0;
  const take = (n: number): number[] => {
    const picked: number[] = [];
    for (let i = 0; i < n && ids.length; i++) {
      const at = Math.floor(random() * ids.length);
      picked.push(ids[at]);
      ids[at] = ids[ids.length - 1];
      ids.pop();
    }
    return picked;
  };
  const done = (async () => {
    while (written < w.changes) {
      const n = Math.min(w.perTx, w.changes - written);
      const inserts = Math.ceil(n * 0.5);
      const deletes = Math.floor(n * 0.15);
      const updates = n - inserts - deletes;
      const updated = take(updates);
      const removed = take(deletes);
      ids.push(...updated); // updated rows stay live
      const first = nextId;
      await db.query('BEGIN');
      await db.query(`INSERT INTO events SELECT g, 1, repeat('i', 32) FROM generate_series($1::int, $2::int) g`, [first, first + inserts - 1]);
      await db.query('UPDATE events SET v = v + 1 WHERE id = ANY($1::int[])', [updated]);
      await db.query('DELETE FROM events WHERE id = ANY($1::int[])', [removed]);
      await db.query('COMMIT');
      for (let id = first; id < first + inserts; id++) {
        live.set(id, 1);
        ids.push(id);
      }
      for (const id of updated) live.set(id, live.get(id)! + 1);
      for (const id of removed) {
        live.delete(id);
        expected.deleted.add(id);
      }
      nextId += inserts;
      expected.inserts += inserts;
      expected.updates += updated.length;
      expected.deletes += removed.length;
      expected.transactions++;
      written += inserts + updated.length + removed.length;
    }
  })();
  return { done, expected, committed: () => written };
}

/** `count` LSNs spread at random over (from, to], sorted: kill points spread over the whole workload. */
export function randomPositions(from: bigint, to: bigint, count: number, random: () => number = Math.random): bigint[] {
  const span = Number(to - from);
  return Array.from({ length: count }, (_, i) => from + BigInt(Math.floor(((i + random()) / count) * span))).sort((a, b) => (a < b ? -1 : 1));
}

/**
 * Kills the job's worker with SIGKILL once per entry of `points` and starts
 * the job again after each. A point is either an LSN (killed once the job's
 * saved position passed it, plus a random 0–1.5 s so the kill lands anywhere
 * in the write → Kafka commit → save → ack cycle) or "start-up" (a random
 * 0–1 s after the launch: fencing, position read, slot, snapshot plan).
 * With `afterCommit` (exactly-once), every other LSN kill instead waits for
 * the next Kafka commit (the position topic's last stable offset moving) and
 * kills at once: the worker dies between the Kafka commit and the save, the
 * window in which the slot lags Kafka.
 */
export async function killAt(
  tributary: LocalTributary & { launcher: { pidOf(id: string): number | undefined } },
  id: string,
  points: Array<bigint | 'start-up'>,
  opts: { afterCommit?: { brokers: string[]; topic: string }; random?: () => number } = {},
): Promise<string[]> {
  const random = opts.random ?? Math.random;
  const at: string[] = [];
  const job = async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
  const admin = opts.afterCommit ? new Kafka({ clientId: 'crash-test', brokers: opts.afterCommit.brokers, logLevel: logLevel.NOTHING }).admin() : undefined;
  await admin?.connect();
  // fetchTopicOffsets answers the last stable offset: it moves when a transaction commits or aborts.
  const stableEnd = async () => Number((await admin!.fetchTopicOffsets(opts.afterCommit!.topic))[0]?.offset ?? -1);
  let positionKills = 0;
  try {
  for (const [k, point] of points.entries()) {
    const pid = await waitFor('a running worker', () => tributary.launcher.pidOf(id), 30_000, 20);
    if (point !== 'start-up') {
      await waitFor(`the saved position past ${formatLsn(point)}`, async () => {
        const j = await job();
        if (j.status === 'failed') throw new Error(`the job failed by itself: ${JSON.stringify(j.error)}`);
        return j.ackedLsn && parseLsn(j.ackedLsn) >= point;
      }, 120_000, 20);
    }
    let before = await job();
    if (point !== 'start-up' && admin && positionKills++ % 2 === 1) {
      const from = await stableEnd();
      // A fast worker may have delivered the whole workload already: an idle job commits no Kafka
      // transaction, so there is none to wait for. It is killed idle then; the final check still
      // proves every change arrived exactly once, so a worker stuck with data pending cannot pass.
      const committed = await waitFor('a Kafka commit', async () => (await stableEnd()) > from, 30_000, 10).then(() => true, () => false);
      process.kill(pid, 'SIGKILL');
      at.push(`${committed ? 'after-commit' : 'idle'}@${before.ackedLsn ?? '-'}`);
    } else {
      // A random kill point is a moment, not a condition: nothing to poll for.
      await new Promise((r) => setTimeout(r, Math.floor(random() * (point === 'start-up' ? 1_000 : 1_500))));
      before = await job();
      process.kill(pid, 'SIGKILL');
      at.push(`${before.status}@${before.ackedLsn ?? '-'}`);
    }
    const crashed = await waitFor('crash recorded', async () => {
      const j = await job();
      return j.status === 'failed' ? j : undefined;
    }, 30_000, 50);
    if (crashed.error.code !== 'WorkerCrashed') throw new Error(`expected WorkerCrashed, got ${JSON.stringify(crashed.error)}`);
    const started = await api(tributary.url, 'POST', `/jobs/${id}/start`);
    if (started.status !== 202) throw new Error(`start after kill ${k + 1}: ${started.status} ${started.text}`);
  }
  } finally {
    await admin?.disconnect();
  }
  return at;
}

/** Waits until the job's saved position passes `lsn`: everything committed before it is in Kafka. */
export async function waitForPosition(tributary: LocalTributary, id: string, lsn: bigint, timeoutMs = 120_000): Promise<{ ackedLsn: string }> {
  return waitFor(`the saved position past ${formatLsn(lsn)}`, async () => {
    const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
    if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
    return j.ackedLsn && parseLsn(j.ackedLsn) >= lsn ? j : undefined;
  }, timeoutMs, 250);
}

export async function currentWalLsn(db: pg.Client): Promise<bigint> {
  const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return parseLsn(rows[0].lsn);
}

export type Parsed = { id: number; op: 'c' | 'u' | 'd' | 'r' | 'tombstone'; v?: number; partition: number; offset: string };

export function parseRecords(messages: ReadMessage[]): Parsed[] {
  return byPartitionOffset(messages).map((m) => {
    const id = JSON.parse(m.key!).id as number;
    if (m.value === null) return { id, op: 'tombstone', partition: m.partition, offset: m.offset };
    const v = JSON.parse(m.value);
    return { id, op: v.op, v: (v.after ?? v.before)?.v, partition: m.partition, offset: m.offset };
  });
}

/** Identity of a change: an update is (id, v); inserts, deletes, snapshot reads and tombstones happen once per id. */
export const identityOf = (p: Parsed) => (p.op === 'u' ? `u:${p.id}:${p.v}` : `${p.op}:${p.id}`);

/**
 * Problems with per-key order and with the final state, as readable lines
 * (empty when all is well). With `replays` (at-least-once) a crash may send a
 * suffix of a key's history again, so order is checked on the first
 * occurrence of each change, and the last record must still be the source's.
 */
export function orderAndStateProblems(records: Parsed[], expected: Expected, initialRows: number, opts: { replays?: boolean } = {}): string[] {
  const problems: string[] = [];
  const byKey = new Map<number, Parsed[]>();
  for (const r of records) {
    let list = byKey.get(r.id);
    if (!list) byKey.set(r.id, (list = []));
    list.push(r);
  }
  for (let id = 1; id <= initialRows; id++) if (!byKey.has(id)) problems.push(`initial row ${id} has no record`);
  for (const [id, list] of byKey) {
    let v = 0;
    let deletedAt = -1;
    const seen = new Set<string>();
    list.forEach((r, i) => {
      if (r.op === 'd') deletedAt = i;
      else if (r.op === 'tombstone') {
        if (deletedAt !== i - 1) problems.push(`key ${id}: tombstone not right after its delete`);
      } else {
        if (deletedAt >= 0 && !opts.replays) problems.push(`key ${id}: ${r.op} after its delete`);
        const first = !seen.has(identityOf(r));
        seen.add(identityOf(r));
        if (!opts.replays || (first && r.op !== 'r')) {
          if (r.v! < v) problems.push(`key ${id}: v ${r.v} after v ${v} (commit order broken)`);
          v = r.v!;
        }
      }
    });
    const last = list.at(-1)!;
    if (expected.deleted.has(id)) {
      if (last.op !== 'tombstone') problems.push(`key ${id}: deleted at the source, last record is ${last.op}`);
    } else if (expected.live.has(id) && (last.op === 'tombstone' || last.v !== expected.live.get(id))) {
      problems.push(`key ${id}: last record ${last.op} v${last.v}, the source has v${expected.live.get(id)}`);
    }
  }
  return problems.slice(0, 20);
}
