import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { peakRssKb } from '../../bench/bench-services.ts';
import { PG_PAIRS, freshPair, jobOf, pgJobBody, waitForSameRows } from '../support/pg-destination.ts';

const ROWS = 30_000;
const PER_TX = 200;

// Exactly-once by construction: kill -9 the worker mid-stream, start it
// again, and the destination equals the source — nothing missing, nothing
// applied twice. "Twice" is made visible by an audit trigger on the
// destination table that records every row write as (id, version): a change
// replayed after the restart would record its (id, version) a second time.
describe('kill -9 of the worker during a PostgreSQL → PostgreSQL workload', () => {
  const pair = PG_PAIRS[0];
  const tributary = useLocalTributary();

  it('the destination equals the source exactly and no change was applied twice', { timeout: 300_000 }, async () => {
    const { source, destination } = await freshPair(pair);
    await source.client.query('CREATE TABLE events (id int PRIMARY KEY, payload text, version int NOT NULL)');
    // the target table exists with an audit trigger, so the job writes into it (ignore-and-proceed)
    await destination.client.query(`
      CREATE TABLE events (id int PRIMARY KEY, payload text, version int NOT NULL);
      CREATE TABLE audit (id int, version int);
      CREATE FUNCTION audit_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (NEW.id, NEW.version); RETURN NEW; END $$;
      CREATE TRIGGER audit_write AFTER INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION audit_write();`);
    const body = pgJobBody({ sourcePort: source.port, sourceDb: source.name, destinationPort: destination.port, destinationDb: destination.name, tables: [{ table: 'events' }], conflictMode: 'ignore-and-proceed' });
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await jobOf(tributary.url, id)).status === 'streaming', 90_000);

    // The writer keeps committing 200-row transactions until told to stop, so the kill always lands mid-stream.
    let next = 1;
    let stopWriting = false;
    const writer = (async () => {
      while (!stopWriting) {
        await source.client.query(`INSERT INTO events SELECT g, repeat('x', 64), 1 FROM generate_series($1::int, $2::int) g`, [next, next + PER_TX - 1]);
        next += PER_TX;
      }
    })();
    const destinationRows = async () => (await destination.client.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;

    await waitFor('a first checkpoint', async () => (await jobOf(tributary.url, id)).ackedLsn, 60_000, 50);
    await waitFor('a third of the rows on the destination', async () => (await destinationRows()) >= ROWS / 3, 120_000, 20);
    const pid = tributary.launcher.pidOf(id);
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const writtenAtKill = next - 1;
    const crashed = await waitFor('crash recorded', async () => {
      const j = await jobOf(tributary.url, id);
      return j.status === 'failed' ? j : undefined;
    });
    expect(crashed.error.code).toBe('WorkerCrashed');
    const atCrash = await destinationRows();

    expect((await api(tributary.url, 'POST', `/jobs/${id}/start`)).status).toBe(202);
    let peakKb = 0;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, peakRssKb(tributary.launcher.pidOf(id)))), 100);
    await waitFor('the writer to pass the row count', () => next > ROWS, 120_000, 50);
    stopWriting = true;
    await writer;
    await source.client.query('UPDATE events SET version = 2 WHERE id % 10 = 0');
    await source.client.query('DELETE FROM events WHERE id % 7 = 0');
    await waitForSameRows(source.client, destination.client, 'events', 'id', 180_000).finally(() => clearInterval(sampler));
    expect(atCrash).toBeLessThanOrEqual(writtenAtKill);

    const twice = await destination.client.query('SELECT id, version, count(*)::int AS n FROM audit GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1 LIMIT 5');
    expect(twice.rows).toEqual([]);
    const writes = (await destination.client.query('SELECT count(*)::int AS n FROM audit')).rows[0].n;
    const log = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8');
    const skipped = [...log.matchAll(/changes already on the destination skipped.*?"count":(\d+)/g)].map((m) => Number(m[1]));
    console.log(`PG ${pair.source} → PG ${pair.destination} crash test: ${writtenAtKill} rows written and ${atCrash} on the destination at kill -9, ${next - 1} rows in all, ${writes} row writes in all, none twice; replayed changes skipped after the restart: ${skipped.join(', ') || 'none'}; restarted worker's peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await source.client.end();
    await destination.client.end();
  });
});
