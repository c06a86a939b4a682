import type { PrecheckContext } from './precheck.ts';

// Server facts several checks read, fetched once per run in one round trip.
export type SourceFacts = {
  versionNum: number;
  version: string;
  currentUser: string;
  database: string;
  isSuperuser: boolean;
  inRecovery: boolean;
  /** The address the server sees this client connect from, for pg_hba.conf lines; null over a Unix socket. */
  clientAddress: string | null;
  settings: Map<string, string>;
};

const SETTINGS = [
  'wal_level', 'max_replication_slots', 'max_wal_senders', 'max_slot_wal_keep_size', 'wal_sender_timeout',
  'logical_decoding_work_mem', 'hot_standby_feedback', 'sync_replication_slots', 'synchronized_standby_slots',
  'max_prepared_transactions', 'wal_segment_size',
];

export function sourceFacts(ctx: PrecheckContext): Promise<SourceFacts> {
  return ctx.memo('source-facts', async () => {
    const client = await ctx.source();
    const { rows } = await client.query(
      `SELECT current_setting('server_version_num')::int AS version_num, current_setting('server_version') AS version,
              current_user AS current_user, current_database() AS database,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser,
              pg_is_in_recovery() AS in_recovery, host(inet_client_addr()) AS client_address,
              (SELECT coalesce(json_object_agg(name, setting), '{}') FROM pg_settings WHERE name = ANY($1)) AS settings`,
      [SETTINGS],
    );
    const r = rows[0];
    return {
      versionNum: r.version_num,
      version: r.version,
      currentUser: r.current_user,
      database: r.database,
      isSuperuser: r.is_superuser === true,
      inRecovery: r.in_recovery,
      clientAddress: r.client_address,
      settings: new Map(Object.entries(r.settings as Record<string, string>)),
    };
  });
}

export const major = (versionNum: number) => Math.floor(versionNum / 10_000);
