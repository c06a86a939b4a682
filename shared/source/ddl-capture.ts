import type pg from 'pg';
import { quoteIdent } from './pg-config.ts';

// DDL capture (SPEC.md §4): an event trigger the job creates on its source
// writes each DDL command into the WAL with pg_logical_emit_message, so the
// schema change reaches the stream in commit order with the data around it
// (logical decoding itself carries no DDL). Creating an event trigger needs a
// superuser; without one the job streams without DDL capture. On a standby
// source the trigger lives on the primary: DDL runs there, and its messages
// reach the standby's slot with the rest of the WAL.
export type DdlCaptureNames = { trigger: string; fn: string; prefix: string };

export function ddlCaptureOf(job: { slotPrefix: string; id: string }): DdlCaptureNames {
  const name = `${job.slotPrefix}ddl_${job.id}`;
  return { trigger: name, fn: name, prefix: `tributary.ddl.${job.id}` };
}

/** The function and the trigger, as statements; on a standby source a person runs them on the primary. */
export function ddlCaptureSql(names: DdlCaptureNames): { fn: string; trigger: string } {
  const fn = `public.${quoteIdent(names.fn)}`;
  // The prefix is generated from the job id ([a-z0-9]); it is the only value written into the function body.
  if (!/^tributary\.ddl\.[a-z0-9]+$/.test(names.prefix)) throw new Error(`unexpected DDL message prefix ${names.prefix}`);
  return {
    fn: `CREATE OR REPLACE FUNCTION ${fn}() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        PERFORM pg_logical_emit_message(true, '${names.prefix}', json_build_object(
          'commandTag', r.command_tag, 'objectType', r.object_type, 'schema', r.schema_name,
          'identity', r.object_identity, 'statement', current_query())::text);
      END LOOP;
    END $fn$;`,
    trigger: `CREATE EVENT TRIGGER ${quoteIdent(names.trigger)} ON ddl_command_end EXECUTE FUNCTION ${fn}();`,
  };
}

export async function ensureDdlCapture(client: pg.Client, names: DdlCaptureNames): Promise<void> {
  const sql = ddlCaptureSql(names);
  await client.query(sql.fn);
  const exists = await client.query('SELECT 1 FROM pg_event_trigger WHERE evtname = $1', [names.trigger]);
  if (!exists.rowCount) await client.query(sql.trigger);
}

export const dropDdlCaptureSql = (names: DdlCaptureNames) => [
  `DROP EVENT TRIGGER IF EXISTS ${quoteIdent(names.trigger)};`,
  `DROP FUNCTION IF EXISTS public.${quoteIdent(names.fn)}();`,
];

export async function dropDdlCapture(client: pg.Client, names: DdlCaptureNames): Promise<boolean> {
  const exists = await client.query('SELECT 1 FROM pg_event_trigger WHERE evtname = $1', [names.trigger]);
  for (const statement of dropDdlCaptureSql(names)) await client.query(statement);
  return Boolean(exists.rowCount);
}
