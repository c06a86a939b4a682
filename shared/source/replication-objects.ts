import type pg from 'pg';
import { quoteIdent } from './pg-config.ts';
import { parseLsn, type Lsn } from '../lsn.ts';
import { TributaryError } from '../errors/tributary-error.ts';
import { dropDdlCapture, dropDdlCaptureSql, type DdlCaptureNames } from './ddl-capture.ts';

// The objects a job creates on its source, created idempotently by the worker
// and removed by release. The publication must exist before the slot: pgoutput
// reads publications through the slot's historic snapshot, so a publication
// created after the slot's start point is "does not exist" to the decoder.

export type TableName = { schema: string; table: string };
/** A published table; `rowFilter` is a PostgreSQL 15+ publication row filter, shape-checked at the API edge (shared/job/row-filter.ts). */
export type PublishedTable = TableName & { rowFilter?: string };

export const ROW_FILTER_MIN_VERSION = 150000;

/** The publication's table list: `"s"."t"` or `"s"."t" WHERE (…)`. */
export function publicationTableList(tables: PublishedTable[]): string {
  return tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}${t.rowFilter ? ` WHERE (${t.rowFilter})` : ''}`).join(', ');
}

export async function ensurePublication(client: pg.Client, name: string, tables: PublishedTable[], serverVersion = 0): Promise<void> {
  const filtered = tables.filter((t) => t.rowFilter);
  if (filtered.length && serverVersion < ROW_FILTER_MIN_VERSION) {
    throw new TributaryError('RowFilterUnsupported', `row filters need PostgreSQL 15 or later; the source runs ${Math.floor(serverVersion / 10000)}: remove rowFilter from ${filtered.map((t) => `${t.schema}.${t.table}`).join(', ')}`);
  }
  const missing = await client.query(
    `SELECT t.schema, t.table FROM unnest($1::text[], $2::text[]) AS t(schema, "table")
      WHERE to_regclass(format('%I.%I', t.schema, t.table)) IS NULL`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  if (missing.rowCount) {
    const list = missing.rows.map((r) => `${r.schema}.${r.table}`).join(', ');
    throw new TributaryError('TableNotFound', `selected table(s) not found on the source: ${list}`);
  }
  const list = publicationTableList(tables);
  const exists = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name]);
  if (exists.rowCount) {
    // ALTER PUBLICATION needs ownership of the publication and of every table:
    // run it only when the table set really changed (a restart usually finds it equal).
    const current = await client.query('SELECT schemaname AS schema, tablename AS table FROM pg_publication_tables WHERE pubname = $1', [name]);
    const key = (t: { schema: string; table: string }) => `${t.schema}\u0000${t.table}`;
    const have = new Set(current.rows.map(key));
    // Row filters come back deparsed (pg_publication_tables.rowfilter), so they cannot be compared
    // with the job's text: with a filter on either side the list is set again.
    const filters = serverVersion >= ROW_FILTER_MIN_VERSION
      ? (await client.query('SELECT count(*)::int AS n FROM pg_publication_tables WHERE pubname = $1 AND rowfilter IS NOT NULL', [name])).rows[0].n
      : 0;
    const same = have.size === tables.length && tables.every((t) => have.has(key(t))) && filters === 0 && filtered.length === 0;
    if (!same) await client.query({ text: `ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`, queryMode: 'extended' } as pg.QueryConfig);
  } else {
    // A partitioned table's changes then arrive under its own name (and relation
    // id) rather than each partition's, which is what the job selected (PG 13+).
    const options = serverVersion >= 130000 ? ' WITH (publish_via_partition_root = true)' : '';
    // extended protocol: one statement only, whatever a row filter holds
    await client.query({ text: `CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}${options}`, queryMode: 'extended' } as pg.QueryConfig);
  }
}

/** Creates the pgoutput slot unless it exists; returns the LSN streaming may start from. */
export async function ensureSlot(client: pg.Client, name: string, serverVersion = 0): Promise<{ created: boolean; lsn: Lsn }> {
  const found = await client.query(
    'SELECT confirmed_flush_lsn::text AS lsn, plugin, database FROM pg_replication_slots WHERE slot_name = $1',
    [name],
  );
  if (found.rowCount) {
    const row = found.rows[0];
    if (row.plugin !== 'pgoutput') throw new TributaryError('SourceQueryFailed', `slot ${name} exists with plugin ${row.plugin}, not pgoutput`);
    return { created: false, lsn: parseLsn(row.lsn) };
  }
  // PostgreSQL 17 can keep a logical slot on a standby in step (failover = true), so
  // the job survives a failover where sync_replication_slots is set up. A slot
  // created on a standby cannot be one ("cannot enable failover for a replication
  // slot created on the standby"): there it is a plain slot, lost if that standby
  // is promoted (the failover-slots precheck says so).
  const failover = serverVersion >= 170000 && !(await client.query('SELECT pg_is_in_recovery() AS standby')).rows[0].standby;
  const created = await client.query(
    failover
      ? "SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput', false, false, true)"
      : "SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')",
    [name],
  );
  return { created: true, lsn: parseLsn(created.rows[0].lsn) };
}

/**
 * The heartbeat table a job writes on its source (SPEC.md §7, as DTS does):
 * its rows travel through the slot like any change, so their delay measures
 * replication lag, and on an idle database they keep the slot advancing
 * (RDS writes WAL every 5 minutes for its own checkpoints, which an idle slot
 * would otherwise pin).
 */
export function heartbeatTableOf(job: { slotPrefix: string; id: string }): TableName {
  return { schema: 'public', table: `${job.slotPrefix}heartbeat_${job.id}` };
}

export async function ensureHeartbeatTable(client: pg.Client, t: TableName): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${quoteIdent(t.schema)}.${quoteIdent(t.table)} (id int PRIMARY KEY, ts timestamptz NOT NULL)`);
}

export type ReplicationObjects = { slot: string; publication: string; heartbeatTable?: TableName; ddlCapture?: DdlCaptureNames };
export type DroppedObjects = {
  slot: boolean; publication: boolean; heartbeatTable: boolean; ddlCapture: boolean;
  /** A standby source: what exists (replicated from the primary) and only the primary can drop. */
  leftOnPrimary?: string[];
};

/**
 * Drops the slot (terminating a walsender that still holds it), the DDL
 * capture, the publication and the heartbeat table. Returns what it removed;
 * safe to run again.
 */
export async function dropReplicationObjects(client: pg.Client, objects: ReplicationObjects): Promise<DroppedObjects> {
  const { slot, publication } = objects;
  // A standby refuses every DROP but the slot's, which is its own (logical
  // slots are per server): the rest came from the primary and goes there.
  if ((await client.query('SELECT pg_is_in_recovery() AS standby')).rows[0].standby) {
    return { slot: await dropSlot(client, slot), publication: false, heartbeatTable: false, ddlCapture: false, leftOnPrimary: await presentOnStandby(client, objects) };
  }
  // the event trigger first: nothing the job created may keep writing into the WAL
  const ddlCapture = objects.ddlCapture ? await dropDdlCapture(client, objects.ddlCapture) : false;
  const slotDropped = await dropSlot(client, slot);
  const pub = await client.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [publication]);
  if (pub.rowCount) await client.query(`DROP PUBLICATION ${quoteIdent(publication)}`);
  let heartbeatTable = false;
  if (objects.heartbeatTable) {
    const { schema, table } = objects.heartbeatTable;
    const found = await client.query('SELECT to_regclass(format($1::text, $2::text, $3::text)) IS NOT NULL AS present', ['%I.%I', schema, table]);
    if (found.rows[0].present) {
      await client.query(`DROP TABLE ${quoteIdent(schema)}.${quoteIdent(table)}`);
      heartbeatTable = true;
    }
  }
  return { slot: slotDropped, publication: Boolean(pub.rowCount), heartbeatTable, ddlCapture };
}

/** Drops the slot, terminating a walsender that still holds it; false when there was none. */
async function dropSlot(client: pg.Client, slot: string): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const found = await client.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (!found.rowCount) return false;
    const pid = found.rows[0].active_pid;
    if (pid) {
      await client.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
    try {
      await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
      return true;
    } catch (err) {
      // 55006: the walsender has not let go yet; 42704: someone else dropped it
      const code = (err as { code?: string }).code;
      if (code === '42704') return false;
      if (code !== '55006' || attempt === 9) throw err;
    }
  }
  return false;
}

async function presentOnStandby(client: pg.Client, objects: ReplicationObjects): Promise<string[]> {
  const hb = objects.heartbeatTable;
  const { rows } = await client.query(
    `SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1) AS publication,
            EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = $2) AS trigger,
            $3::text IS NOT NULL AND to_regclass(format('%I.%I', $3::text, $4::text)) IS NOT NULL AS heartbeat`,
    [objects.publication, objects.ddlCapture?.trigger ?? null, hb?.schema ?? null, hb?.table ?? null],
  );
  const r = rows[0];
  return [
    ...(r.trigger ? dropDdlCaptureSql(objects.ddlCapture!) : []),
    ...(r.publication ? [`DROP PUBLICATION ${quoteIdent(objects.publication)};`] : []),
    ...(r.heartbeat ? [`DROP TABLE ${quoteIdent(hb!.schema)}.${quoteIdent(hb!.table)};`] : []),
  ];
}
