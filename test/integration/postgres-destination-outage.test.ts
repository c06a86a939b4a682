import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { api, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { freshDatabase } from '../support/e2e.ts';
import { jobOf, pgJobBody, postgresFor, waitForSameRows } from '../support/pg-destination.ts';

// The destination database goes away mid-stream: the job reports a
// connection failure (retrying, with its window), comes back by itself once
// the destination is up again, and the destination ends equal to the source.
// This test owns its destination server, since it stops it.
describe('PostgreSQL destination outage mid-stream', () => {
  let destination: PostgresService;
  const tributary = useLocalTributary();

  beforeAll(async () => {
    destination = await startPostgres({ major: 16 });
  });
  afterAll(async () => {
    await destination?.stop();
  });

  it('retrying with DestinationUnreachable while it is down, then resumes by itself and the destination ends equal to the source', { timeout: 240_000 }, async () => {
    const source = await freshDatabase(postgresFor(17).connectionString);
    await source.client.query('CREATE TABLE items (id int PRIMARY KEY, body text)');
    await destination.createDatabase('outage');
    const body = pgJobBody({ sourcePort: postgresFor(17).port, sourceDb: source.name, destinationPort: destination.port, destinationDb: 'outage', destinationPassword: destination.password, destinationUser: destination.user, tables: [{ table: 'items' }] });
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await jobOf(tributary.url, id)).status === 'streaming', 90_000);
    const insert = (from: number, to: number) => source.client.query(`INSERT INTO items SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g`, [from, to]);
    await insert(1, 5_000);
    const target = new pg.Client({ connectionString: destination.connectionString('outage') });
    await target.connect();
    await waitForSameRows(source.client, target, 'items', 'id');
    await target.end();

    await destination.stopOnly();
    try {
      await insert(5_001, 10_000);
      await source.client.query('UPDATE items SET body = upper(body) WHERE id % 100 = 0');
      const down = await waitFor('retrying', async () => {
        const j = await jobOf(tributary.url, id);
        return j.status === 'retrying' ? j : undefined;
      }, 60_000);
      expect(down.error).toMatchObject({ code: 'DestinationUnreachable', class: 'connection' });
      expect(Date.parse(down.retry.until) - Date.parse(down.retry.since)).toBe(720 * 60_000);
    } finally {
      await destination.startAgain();
    }
    await insert(10_001, 12_000);
    const back = new pg.Client({ connectionString: destination.connectionString('outage') });
    await back.connect();
    await waitForSameRows(source.client, back, 'items', 'id', 120_000);
    await waitFor('streaming again with the error cleared', async () => {
      const j = await jobOf(tributary.url, id);
      return j.status === 'streaming' && !j.error ? j : undefined;
    }, 60_000);
    await back.end();
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await source.client.end();
  });
});
