import type pg from 'pg';
import type { Admin, Kafka } from 'kafkajs';
import type { JobRecord } from '../job/job-record.ts';

// The shape every precheck shares (SPEC.md §5, issue 6). One file per check
// under checks/, listed once in checks/index.ts; run-prechecks.ts runs them.

export type CheckStatus = 'pass' | 'warning' | 'error' | 'skipped';

export type CheckResult = {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, with the numbers. */
  detail: string;
  /** The exact SQL, configuration line, command or GRANT that fixes it; identifiers quoted. */
  fix?: string;
  /** A warning the user may acknowledge instead of fixing. */
  ignorable: boolean;
};

/** What a check returns; the runner adds its id and title. */
export type Finding = Omit<CheckResult, 'id' | 'title'>;

export type PrecheckOptions = {
  /** A transaction open longer than this blocks or delays slot creation. Default 300 (5 min). */
  longTransactionSeconds: number;
  /** How long the WAL rate is sampled. Default 1000 ms. */
  walSampleMs: number;
};

/**
 * The shared source connection. Concurrent checks' queries run one after
 * another (node-postgres' own queueing is deprecated), each bounded by the
 * session's statement_timeout.
 */
export type SourceClient = {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
};

export type PrecheckContext = {
  job: JobRecord;
  options: PrecheckOptions;
  /** The shared source connection, opened on first use; its errors are the raw pg errors. */
  source(): Promise<SourceClient>;
  /** Opens a new ordinary source connection, for a transaction of its own (the shared one interleaves checks); the caller ends it. */
  openSource?(): Promise<pg.Client>;
  /** Opens a new logical replication connection (`replication: 'database'`); the caller ends it. */
  openReplication(): Promise<pg.Client>;
  /** The shared connection to a PostgreSQL destination, opened on first use; its errors are the raw pg errors. */
  destination(): Promise<SourceClient>;
  /** The destination's Kafka client (no connection is made until used). */
  kafka(): Kafka;
  /** A shared admin client, connected on first use. */
  kafkaAdmin(): Promise<Admin>;
  /** Runs `load` once per key per precheck run, so checks can share catalog reads. */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
};

export type Precheck = {
  id: string;
  title: string;
  /** Ids of checks that must not fail (error or skipped) for this one to run. */
  requires?: string[];
  appliesTo(job: JobRecord): boolean;
  run(ctx: PrecheckContext): Promise<Finding>;
};

export type PrecheckVerdict = 'passed' | 'failed';

export type PrecheckReport = {
  verdict: PrecheckVerdict;
  results: CheckResult[];
  /** Ids of ignorable warnings the user must acknowledge before start. */
  needsAcknowledgement: string[];
  /** Ids of results that block start: errors and warnings that are not ignorable. */
  blocking: string[];
  startedAt: string;
  durationMs: number;
};

export const pass = (detail: string): Finding => ({ status: 'pass', detail, ignorable: false });
export const error = (detail: string, fix?: string): Finding => ({ status: 'error', detail, fix, ignorable: false });
export const warning = (detail: string, fix?: string, ignorable = true): Finding => ({ status: 'warning', detail, fix, ignorable });
export const skipped = (detail: string): Finding => ({ status: 'skipped', detail, ignorable: false });
