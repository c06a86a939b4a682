import type { JobRecord } from '../shared/job/job-record.ts';
import { updateJob, type JobStore } from '../shared/storage/job-store.ts';
import { classify } from '../shared/errors/classify.ts';
import { TributaryError } from '../shared/errors/tributary-error.ts';
import { backoffMs, retryWindowMs } from '../shared/errors/retry-policy.ts';
import type { ErrorClass } from '../shared/errors/error-codes.ts';
import type { Logger } from '../shared/logger.ts';

// Runs the job again with fresh connections after a connection or "other"
// failure, for as long as that class's window (from its first failure) is
// open; a run that reaches a saved checkpoint counts as a success and closes
// the windows. Until the Step Functions machine owns the windows (issue 7),
// the worker owns them in every mode.
export type RunHooks = {
  /** The run reached a saved checkpoint: retry windows close. */
  healthy(): void;
  /** The run is degraded but still alive (e.g. Kafka stalled since `since`); returns an error once the window is past. */
  degraded(error: TributaryError, since: number): TributaryError | undefined;
};
export type RunAttempt = (hooks: RunHooks) => Promise<void>;

export type RetryDeps = { job: JobRecord; store: JobStore; log: Logger; signal: AbortSignal; now?: () => number; random?: () => number };

export async function runWithRetry(run: RunAttempt, deps: RetryDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const firstFailure = new Map<ErrorClass, number>();
  let attempt = 0;
  const healthy = () => {
    if (firstFailure.size === 0) return;
    firstFailure.clear();
    attempt = 0;
    deps.log.info('recovered; retry windows reset');
    void updateJob(deps.store, deps.job.id, (j) =>
      j.retry || j.error || j.status === 'retrying' ? { retry: undefined, error: undefined, ...(j.status === 'retrying' ? { status: 'streaming' as const } : {}) } : undefined,
    ).catch(() => undefined);
  };

  const markRetrying = (error: TributaryError, since: number, until: number) =>
    updateJob(deps.store, deps.job.id, (j) =>
      j.status === 'stopping' ? undefined : {
        status: 'retrying',
        error: error.toReport(new Date(now())),
        retry: { errorClass: error.errorClass as 'connection' | 'other', since: new Date(since).toISOString(), until: new Date(until).toISOString(), attempt },
      },
    );
  const windowFor = (error: TributaryError, since: number) => {
    const first = firstFailure.get(error.errorClass) ?? since;
    firstFailure.set(error.errorClass, first);
    return { since: first, until: first + retryWindowMs(error.errorClass, deps.job) };
  };
  const expired = new WeakSet<TributaryError>(); // errors already past their window (from degraded())
  const pastWindow = (error: TributaryError, since: number) => {
    const past = new TributaryError(error.code, `${error.message} (retried for ${Math.round((now() - since) / 60_000)} min, past the ${error.errorClass} retry window)`, { cause: error });
    expired.add(past);
    return past;
  };

  let lastDegradedReport = 0;
  const degraded = (error: TributaryError, stalledSince: number): TributaryError | undefined => {
    if (error.errorClass === 'fatal') return error;
    const { since, until } = windowFor(error, stalledSince);
    if (now() >= until) return pastWindow(error, since);
    if (now() - lastDegradedReport >= 10_000) {
      lastDegradedReport = now();
      deps.log.warn('degraded', { code: error.code, error: error.message, since: new Date(since).toISOString() });
      void markRetrying(error, since, until).catch(() => undefined);
    }
    return undefined;
  };

  for (;;) {
    let error: TributaryError;
    try {
      await run({ healthy, degraded });
      return;
    } catch (err) {
      error = classify(err);
    }
    if (deps.signal.aborted) return; // stopping: the failure is a consequence of closing
    if (error.errorClass === 'fatal') throw error;

    const { since, until } = windowFor(error, now());
    if (now() >= until) throw expired.has(error) ? error : pastWindow(error, since);
    const delay = Math.min(backoffMs(attempt, deps.random), until - now());
    attempt++;
    deps.log.warn('run failed; retrying', { code: error.code, class: error.errorClass, error: error.message, attempt, delayMs: delay });
    await markRetrying(error, since, until);
    await sleep(delay, deps.signal);
    if (deps.signal.aborted) return;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
