import type { JobSpec, KafkaDestination, PostgresConnection, PostgresDestination, StartMode } from './job-spec.ts';
import type { Alerting } from './alerting-spec.ts';
import type { JobStatus } from './job-status.ts';
import type { ErrorReport } from '../errors/tributary-error.ts';
import type { PrecheckReport } from '../prechecks/precheck.ts';

// What storage keeps for a job: the spec without the password (a secret
// reference instead), plus the runtime fields the worker and API maintain.
export type StoredSource = Omit<PostgresConnection, 'password'> & { passwordRef: string };
/** A PostgreSQL destination's password is kept like the source's: a secret reference only. */
export type StoredPostgresDestination = Omit<PostgresDestination, 'password'> & { passwordRef: string };
export type StoredDestination = KafkaDestination | StoredPostgresDestination;

export type JobRecord = Omit<JobSpec, 'source' | 'name' | 'startMode' | 'alerting' | 'destination'> & {
  /** Absent on records written before alerting existed: those alert on failure only (the default). */
  alerting?: Alerting;
  destination: StoredDestination;
  /** Absent on records written before start modes existed: those stream without a snapshot once they have an ackedLsn. */
  startMode?: StartMode;
  id: string;
  /** The tenant that owns the job: every API lookup is scoped to it. */
  tenantId: string;
  name: string;
  source: StoredSource;
  status: JobStatus;
  slotName: string;
  publicationName: string;
  /** Last LSN acknowledged to PostgreSQL, after the sink acknowledged every change up to it. */
  ackedLsn?: string;
  /**
   * The worker that runs the job now: each writes its own id at start
   * (worker/worker-claim.ts), so one a newer worker replaced (and, on
   * exactly-once, fenced) ends without touching the job's status. Internal:
   * the API does not show it.
   */
  workerRun?: string;
  error?: ErrorReport;
  /**
   * Objects a PATCH wants to give a running job, while their precheck runs
   * (functions/api/change-running-objects.ts); the worker streams `objects`
   * until the API moves these there.
   */
  pendingObjects?: JobSpec['objects'];
  /** The last precheck and the ignorable warnings the user acknowledged; cleared when the configuration changes. */
  precheck?: { report: PrecheckReport; acknowledged: string[] };
  /** Observability (SPEC.md §7), refreshed by the worker every few seconds. */
  metrics?: JobMetrics;
  /** Full synchronization: per-table progress, checkpointed per delivered chunk (worker/snapshot/). */
  snapshot?: SnapshotProgress;
  /** While retrying: the failing class, when its window opened and when it closes. */
  retry?: { errorClass: 'connection' | 'other'; since: string; until: string; attempt: number };
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every write is conditional on it. */
  version: number;
};

export type JobMetrics = {
  /** Seconds from a heartbeat's commit on the source to its delivery; absent until one is measured. */
  lagSeconds?: number;
  /** WAL the slot keeps on the source (pg_current_wal_lsn − restart_lsn). */
  retainedWalBytes?: number;
  eventsDelivered: number;
  eventsPerSecond: number;
  at: string;
};

/**
 * Snapshot progress as the status API shows it and as a restarted worker
 * resumes it: each table is split into key-range segments read chunk by
 * chunk; `after` is the last key of the last delivered chunk of a segment.
 */
export type SnapshotProgress = {
  startedAt: string;
  completedAt?: string;
  rowsDone: number;
  rowsPerSecond: number;
  /** Seconds left at the current rate; absent until it can be estimated. */
  etaSeconds?: number;
  /** Worker runs that resumed this snapshot after a stop or crash. */
  resumes: number;
  tables: SnapshotTableProgress[];
};

export type SnapshotTableProgress = {
  schema: string;
  table: string;
  /** pg_class.reltuples when planned; null when the table was never analyzed. */
  estimatedRows: number | null;
  rowsDone: number;
  chunksDone: number;
  /** Primary-key columns and the columns read ("name type"), fixed at planning: a change means DDL during the snapshot. */
  primaryKey: string[];
  columns: string[];
  /** Key bounds are PostgreSQL text of the primary-key columns; null = unbounded. */
  segments: Array<{ from: string[] | null; to: string[] | null; after?: string[]; done: boolean }>;
  done: boolean;
};

/** A new job as storage keeps it: the spec with the password replaced by its secret reference. */
export function newJobRecord(spec: JobSpec, at: { id: string; tenantId: string; passwordRef: string; destinationPasswordRef?: string; now?: string }): JobRecord {
  const { password: _password, ...source } = spec.source;
  const destination = storedDestination(spec.destination, at.destinationPasswordRef);
  const now = at.now ?? new Date().toISOString();
  return {
    ...spec,
    id: at.id,
    tenantId: at.tenantId,
    name: spec.name ?? `job-${at.id.slice(1, 7)}`,
    source: { ...source, passwordRef: at.passwordRef },
    destination,
    status: 'created',
    slotName: `${spec.slotPrefix}${at.id}`,
    publicationName: `${spec.publicationPrefix ?? spec.slotPrefix}${at.id}`,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** The destination as storage keeps it: a PostgreSQL destination's password replaced by its secret reference. */
export function storedDestination(destination: JobSpec['destination'], passwordRef: string | undefined): StoredDestination {
  if (destination.type !== 'postgresql') return destination;
  if (!passwordRef) throw new Error('a PostgreSQL destination needs the secret reference of its password');
  const { password: _password, ...rest } = destination;
  return { ...rest, passwordRef };
}
