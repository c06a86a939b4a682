// The shapes the CLI reads from the API, kept loose on purpose: a newer server
// may add fields, and an older one may lack some (snapshot progress, usage).

/** estimatedRows is the server's name (pg_class.reltuples, null when never analyzed); rowsEstimated is accepted too. */
export type SnapshotTable = { schema?: string; table?: string; name?: string; rowsDone?: number; estimatedRows?: number | null; rowsEstimated?: number; done?: boolean };
export type SnapshotView = { tables?: SnapshotTable[]; rowsDone?: number; rowsPerSecond?: number; etaSeconds?: number; completedAt?: string };

export type JobView = {
  id: string;
  name?: string;
  status: string;
  source?: { host?: string; port?: number; database?: string; user?: string };
  destination?: { type?: string; brokers?: string[]; host?: string; port?: number; database?: string };
  tags?: Record<string, string>;
  ackedLsn?: string;
  error?: { code?: string; class?: string; message?: string; remedy?: string; at?: string };
  retry?: { errorClass?: string; since?: string; until?: string; attempt?: number };
  metrics?: { lagSeconds?: number; retainedWalBytes?: number; eventsDelivered?: number; eventsPerSecond?: number; bytesPerSecond?: number; at?: string };
  snapshot?: SnapshotView;
  /** Local mode: the job's alerting thresholds evaluated now (shared/alerting/evaluate-alerts.ts). */
  alerts?: Array<{ alert: string; message: string }>;
  precheck?: { report?: PrecheckReport; acknowledged?: string[] };
  updatedAt?: string;
};

export type JobPage = { items: JobView[]; nextCursor?: string };

export type CheckResult = { id: string; title: string; status: string; detail?: string; fix?: string; ignorable?: boolean };
export type PrecheckReport = { verdict: string; results: CheckResult[]; needsAcknowledgement?: string[]; blocking?: string[]; acknowledged?: string[]; startedAt?: string; status?: string };
