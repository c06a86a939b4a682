// The shapes the CLI reads from the API, kept loose on purpose: a newer server
// may add fields, and an older one may lack some (snapshot progress, usage).

export type SnapshotTable = { schema?: string; table?: string; name?: string; rowsDone?: number; rowsEstimated?: number; done?: boolean };

export type JobView = {
  id: string;
  name?: string;
  status: string;
  source?: { host?: string; port?: number; database?: string; user?: string };
  destination?: { type?: string; brokers?: string[] };
  tags?: Record<string, string>;
  ackedLsn?: string;
  error?: { code?: string; class?: string; message?: string; remedy?: string; at?: string };
  retry?: { errorClass?: string; since?: string; until?: string; attempt?: number };
  metrics?: { lagSeconds?: number; retainedWalBytes?: number; eventsDelivered?: number; eventsPerSecond?: number; bytesPerSecond?: number; at?: string };
  snapshot?: { tables?: SnapshotTable[] };
  updatedAt?: string;
};

export type JobPage = { items: JobView[]; nextCursor?: string };

export type CheckResult = { id: string; title: string; status: string; detail?: string; fix?: string; ignorable?: boolean };
export type PrecheckReport = { verdict: string; results: CheckResult[]; needsAcknowledgement?: string[]; blocking?: string[] };
