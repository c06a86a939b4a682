import pg from 'pg';
import { ddlCaptureSql, ensureDdlCapture, type DdlCaptureNames } from '../../shared/source/ddl-capture.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * Creates the job's DDL event trigger; without superuser rights the job streams on without it.
 * On a standby source nothing can be created: DDL is captured when the trigger was created on the primary.
 */
export async function enableDdlCapture(config: pg.ClientConfig, names: DdlCaptureNames, log: Logger, standby = false): Promise<DdlCaptureNames | undefined> {
  const client = new pg.Client(config);
  try {
    await client.connect();
    if (standby) {
      // fires in ordinary sessions on the primary: enabled as origin ('O') or always ('A'), not disabled or replica-only
      const found = await client.query("SELECT 1 FROM pg_event_trigger WHERE evtname = $1 AND evtenabled IN ('O', 'A')", [names.trigger]);
      if (found.rowCount) return names;
      const sql = ddlCaptureSql(names);
      log.warn('DDL is not captured: the source is a standby, and the event trigger that captures DDL must be created on the primary (as a superuser); it is read when the job starts', { fix: `${sql.fn}\n${sql.trigger}` });
      return undefined;
    }
    await ensureDdlCapture(client, names);
    return names;
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    log.warn('DDL is not captured: creating an event trigger needs a superuser', { fix: 'run the job as a superuser, or accept that schema changes are not published' });
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
