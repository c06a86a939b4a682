import pg from 'pg';
import { TributaryError } from '../../shared/errors/tributary-error.ts';

// A hot standby (PostgreSQL 16+) can decode WAL through its own slot, but it
// is read-only: it writes no WAL and accepts no DDL. What a job does there,
// and what it cannot (ARCHITECTURE.md §5c):
// - the publication must come from the primary (standby-publication.ts);
// - no heartbeat rows (lag is not measured; retained WAL is);
// - no watermarks, so no full synchronization: refused here;
// - acknowledged REPLICA IDENTITY FULL fixes are not applied (source-setup.ts);
// - DDL is captured only if the event trigger exists on the primary.

export async function sourceIsStandby(config: pg.ClientConfig): Promise<boolean> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return (await client.query('SELECT pg_is_in_recovery() AS standby')).rows[0].standby;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The snapshot reads each chunk between two pg_logical_emit_message watermarks, which a standby cannot write. */
export function refuseFullOnStandby(phases: { full: boolean }): void {
  if (!phases.full) return;
  throw new TributaryError(
    'SourceIsStandby',
    'the source is a standby: full synchronization writes watermarks into the WAL (pg_logical_emit_message), which a standby refuses ("cannot assign TransactionIds during recovery"); ' +
      'set startMode to {"type":"incremental"} (or syncTypes.full to false), or point the job at the primary',
  );
}
