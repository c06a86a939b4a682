import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { classify } from '../../shared/errors/classify.ts';

// classify() against errors a real PostgreSQL 17 raises, not hand-made ones:
// the SQLSTATE and message come from the server itself.

const failureOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the statement to fail');
};

describe('classify on real PostgreSQL 17 errors', () => {
  const { connectionString } = inject('services').postgres['17'];
  const clients: pg.Client[] = [];
  const connect = async (config: pg.ClientConfig = { connectionString }) => {
    const c = new pg.Client(config);
    clients.push(c);
    await c.connect();
    return c;
  };
  let admin: pg.Client;
  const slots: string[] = [];
  const slotName = () => {
    const name = `classify_${randomBytes(4).toString('hex')}`;
    slots.push(name);
    return name;
  };

  beforeAll(async () => {
    admin = await connect();
  });
  afterAll(async () => {
    for (const s of slots) await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT temporary', [s]);
    await Promise.allSettled(clients.map((c) => c.end()));
  });

  it('a wrong password → SourceAuthFailed (28P01), fatal', async () => {
    const url = new URL(connectionString);
    url.password = 'definitely-wrong';
    const err = await failureOf(() => connect({ connectionString: url.toString() }));
    expect(err.code).toBe('28P01');
    const c = classify(err);
    expect(c).toMatchObject({ code: 'SourceAuthFailed', errorClass: 'fatal' });
    expect(c.message).toMatch(/password authentication failed for user "postgres" \(SQLSTATE 28P01\)/);
  });

  it('a missing table → TableNotFound (42P01)', async () => {
    const err = await failureOf(() => admin.query('SELECT * FROM no_such_table'));
    expect(err.code).toBe('42P01');
    expect(classify(err)).toMatchObject({ code: 'TableNotFound', errorClass: 'fatal' });
  });

  it('creating a slot that exists (42710 duplicate_object) → SourceQueryFailed, class other', async () => {
    const name = slotName();
    await admin.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [name]);
    const err = await failureOf(() => admin.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [name]));
    expect(err.code).toBe('42710');
    const c = classify(err);
    expect(c).toMatchObject({ code: 'SourceQueryFailed', errorClass: 'other' });
    expect(c.message).toContain(`replication slot "${name}" already exists (SQLSTATE 42710)`);
  });

  it('a slot another session holds → SlotInUse (55006), a connection-class error', async () => {
    // A temporary slot stays acquired by the session that created it until
    // that session ends, just as a slot a walsender streams from.
    const holder = await connect();
    const name = `classify_tmp_${randomBytes(4).toString('hex')}`;
    await holder.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding', true)", [name]);
    const err = await failureOf(() => admin.query('SELECT * FROM pg_logical_slot_get_changes($1, NULL, NULL)', [name]));
    expect(err.code).toBe('55006');
    expect(err.message).toMatch(new RegExp(`replication slot "${name}" is active for PID \\d+`));
    expect(classify(err)).toMatchObject({ code: 'SlotInUse', errorClass: 'connection' });
  });

  it('a query on a connection terminated by the server → a connection-class error', async () => {
    const victim = await connect();
    victim.on('error', () => undefined); // the client also emits the termination as an event
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    const err = await failureOf(() => victim.query('SELECT 1'));
    // 57P01 when the FATAL message arrives first, otherwise pg's own "Connection terminated"
    expect(['57P01', undefined]).toContain(err.code);
    expect(classify(err).errorClass).toBe('connection');
  });
});
