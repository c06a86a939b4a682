// Every stable error code Tributary reports, with its retry class and remedy.
// "connection" failures are retried for connectionRetryMinutes, "other" ones
// for otherRetryMinutes (SPEC.md §3); "fatal" ones need a person.
export type ErrorClass = 'connection' | 'other' | 'fatal';

export const ERROR_CODES = {
  SourceUnreachable: { class: 'connection', remedy: 'Check the source host and port, security groups and that PostgreSQL is running.' },
  SourceAuthFailed: { class: 'fatal', remedy: 'Check the user and password, and that pg_hba.conf allows this host (including "replication" lines).' },
  SourceConnectionLost: { class: 'connection', remedy: 'The source closed the connection; Tributary reconnects. Check the server log if it repeats.' },
  WalLevelNotLogical: { class: 'fatal', remedy: "Run ALTER SYSTEM SET wal_level = 'logical' and restart PostgreSQL." },
  SlotInUse: { class: 'connection', remedy: 'Another process streams from this slot; stop it, or wait for the old worker to exit.' },
  SlotLimitReached: { class: 'fatal', remedy: 'Raise max_replication_slots / max_wal_senders, or drop unused slots.' },
  TableNotFound: { class: 'fatal', remedy: 'Create the table or remove it from objects.tables.' },
  NothingSelected: { class: 'fatal', remedy: 'objects selects no table on the source: create the tables, correct the schema names, or list tables in objects.tables.' },
  RowFilterUnsupported: { class: 'fatal', remedy: 'Row filters (objects.tables[].rowFilter) need PostgreSQL 15 or later on the source: upgrade it or remove the filters.' },
  InsufficientPrivilege: { class: 'fatal', remedy: 'GRANT the missing privilege named in the message (REPLICATION, SELECT, CREATE on the database).' },
  SourceResourcesExhausted: { class: 'other', remedy: 'The source ran out of a resource (connections, disk, memory); free it and the job resumes.' },
  SourceQueryFailed: { class: 'other', remedy: 'A statement on the source failed; see the message for the SQLSTATE.' },
  SinkUnreachable: { class: 'connection', remedy: 'Check the brokers, listeners and network path to Kafka.' },
  SinkAuthFailed: { class: 'fatal', remedy: 'Check the SASL mechanism, user and password for Kafka, and the ACLs of that principal.' },
  SinkRejected: { class: 'other', remedy: 'Kafka rejected a record or request; see the message (record too large, ACLs, topic config).' },
  // Not retried: retrying would fence the newer worker in turn, and a fenced producer must never write again.
  ProducerFenced: { class: 'fatal', remedy: 'Exactly-once: a newer producer with this job\'s transactional id (tributary-<job id>) fenced this worker, or a Kafka transaction outlived properties.transaction.timeout.ms (5 min by default; a Kafka outage or a very large source transaction needs more, up to the broker\'s transaction.max.timeout.ms). Make sure only one worker runs the job, raise the timeout if needed, and start the job again: it resumes from the position committed in Kafka.' },
  DestinationUnreachable: { class: 'connection', remedy: 'Check the destination PostgreSQL host and port, security groups and that it is running.' },
  DestinationAuthFailed: { class: 'fatal', remedy: "Check the destination's user and password, and that its pg_hba.conf allows Tributary's address." },
  DestinationPrivilegeMissing: { class: 'fatal', remedy: 'GRANT the destination account what the message names (CREATE on the database or schema, INSERT, UPDATE, DELETE, TRUNCATE on the tables).' },
  DestinationWriteFailed: { class: 'other', remedy: 'A statement on the destination failed; see the message for the SQLSTATE and the table. Fix the cause and the job resumes where it stopped.' },
  DestinationSchemaMismatch: { class: 'other', remedy: 'The destination table lacks a column or key the source has: add it on the destination (e.g. ALTER TABLE … ADD COLUMN), or map the column with objects.tables[].target.columns.' },
  DecodeFailed: { class: 'fatal', remedy: 'A WAL message could not be decoded; report it with the LSN in the message.' },
  SnapshotNotPossible: { class: 'fatal', remedy: 'Full synchronization reads tables in primary-key ranges: add a primary key, or start the job with startMode "incremental".' },
  SnapshotSchemaChanged: { class: 'fatal', remedy: 'Do not run DDL on tables during their full synchronization (both seeds forbid it). Start the job again: tables whose columns changed are snapshotted again from the start.' },
  // A standby is read-only: what the job would create there is created on the primary and replicates.
  SourceIsStandby: { class: 'fatal', remedy: 'The source is a standby, which is read-only: run the statements in the message on the primary (they replicate to the standby), or point the job at the primary. On a standby a job streams only: full synchronization writes watermarks into the WAL, so use startMode "incremental".' },
  StartPointUnavailable: { class: 'fatal', remedy: 'A new replication slot can only serve changes committed after it was created: choose a later fromTimestamp / fromLsn, or use startMode "full+incremental".' },
  WorkerCrashed: { class: 'other', remedy: 'The worker exited without reporting; see its log. It resumes from the last acknowledged LSN.' },
  Internal: { class: 'other', remedy: 'An unexpected error; see the message and the worker log.' },
} as const satisfies Record<string, { class: ErrorClass; remedy: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
