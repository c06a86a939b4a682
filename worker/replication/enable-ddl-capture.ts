import pg from 'pg';
import { ensureDdlCapture, type DdlCaptureNames } from '../../shared/source/ddl-capture.ts';
import type { Logger } from '../../shared/logger.ts';

/** Creates the job's DDL event trigger; without superuser rights the job streams on without it. */
export async function enableDdlCapture(config: pg.ClientConfig, names: DdlCaptureNames, log: Logger): Promise<DdlCaptureNames | undefined> {
  const client = new pg.Client(config);
  try {
    await client.connect();
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
