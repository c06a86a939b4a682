import type { JobRecord } from '../job/job-record.ts';
import type { Alerting } from '../job/alerting-spec.ts';

// The alarms seam (issue 7, ARCHITECTURE.md §5): a job's alerting settings
// (SPEC.md §2) become alarms on AWS (cloudwatch-alarms.ts: one CloudWatch
// alarm per setting on the metrics the worker publishes) and are evaluated
// from the job's reported metrics in the local mode (local-alarms.ts).
export type Alarms = {
  /** Creates or updates the job's alarms to match its alerting settings, and deletes those it no longer asks for. */
  apply(job: JobRecord): Promise<void>;
  /** Deletes every alarm of the job (on release). */
  remove(job: JobRecord): Promise<void>;
  /** The job's alerts firing now where this adapter evaluates them (local mode); undefined where CloudWatch does. */
  firing(job: JobRecord): FiringAlert[] | undefined;
};

export type AlertKind = 'lag' | 'retained-wal' | 'failed';

export type FiringAlert = {
  alert: AlertKind;
  message: string;
  /** The measured figure and the threshold, in the unit the setting uses (seconds, MiB). */
  value?: number;
  threshold?: number;
  /** When the figure was measured (the job's metrics), or when the job failed. */
  at?: string;
};

/** A record written before alerting existed alerts on failure only, the SPEC.md §2 default. */
export const alertingOf = (job: Pick<JobRecord, 'alerting'>): Alerting => job.alerting ?? { onFailure: true };

/** The alerts a job's settings ask for. */
export function wantedAlerts(alerting: Alerting): AlertKind[] {
  return [
    ...(alerting.lagThresholdSeconds !== undefined ? (['lag'] as const) : []),
    ...(alerting.retainedWalThresholdMb !== undefined ? (['retained-wal'] as const) : []),
    ...(alerting.onFailure ? (['failed'] as const) : []),
  ];
}

export const ALERT_KINDS: readonly AlertKind[] = ['lag', 'retained-wal', 'failed'];

/** CloudWatch alarm names start with this, so the API's IAM grant can be scoped to them. */
export const jobAlarmPrefix = (environment: string) => `tributary-${environment}-job-`;
export const jobAlarmName = (environment: string, jobId: string, kind: AlertKind) => `${jobAlarmPrefix(environment)}${jobId}-${kind}`;
