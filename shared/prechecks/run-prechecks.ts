import type { JobRecord } from '../job/job-record.ts';
import type { CheckResult, Finding, Precheck, PrecheckContext, PrecheckOptions, PrecheckReport } from './precheck.ts';
import { verdictOf } from './precheck-verdict.ts';
import { createPrecheckContext } from './precheck-context.ts';
import { PRECHECKS } from './checks/index.ts';
import { OBJECT_CHECKS } from './object-checks.ts';

export type RunPrechecksOptions = Partial<PrecheckOptions> & {
  /** Per-check limit; a check still running then is an error. Default 15 s. */
  timeoutMs?: number;
  /** Defaults to every check in checks/index.ts. */
  checks?: readonly Precheck[];
  /** A PostgreSQL destination's password (from the secret store), handed only to the destination connection. */
  destinationPassword?: string;
};

/**
 * Runs every check that applies to the job, concurrently, and returns all
 * results in the order of the check table with the overall verdict. The
 * password is only handed to the connections, never to a check or a result.
 * A running job with `pendingObjects` gets the checks of those objects only:
 * its slot and walsender are rightly in use by its own worker.
 */
export async function runPrechecks(job: JobRecord, password: string, opts: RunPrechecksOptions = {}): Promise<PrecheckReport> {
  const options: PrecheckOptions = { longTransactionSeconds: opts.longTransactionSeconds ?? 300, walSampleMs: opts.walSampleMs ?? 1000 };
  const pending = job.pendingObjects;
  const checked: JobRecord = pending ? { ...job, objects: pending, pendingObjects: undefined } : job;
  const ctx = createPrecheckContext(checked, password, options, opts.destinationPassword);
  try {
    return await runChecks(opts.checks ?? (pending ? OBJECT_CHECKS : PRECHECKS), ctx, { timeoutMs: opts.timeoutMs });
  } finally {
    await ctx.close();
  }
}

/** The engine without real connections: prerequisites, timeouts, order and verdict. */
export async function runChecks(checks: readonly Precheck[], ctx: PrecheckContext, opts: { timeoutMs?: number } = {}): Promise<PrecheckReport> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const applicable = checks.filter((c) => c.appliesTo(ctx.job));
  const byId = new Map(applicable.map((c) => [c.id, c]));
  const running = new Map<string, Promise<CheckResult>>();

  const start = (check: Precheck): Promise<CheckResult> => {
    let result = running.get(check.id);
    if (result) return result;
    result = (async () => {
      // A prerequisite that does not apply to this job is no prerequisite.
      const prerequisites = (check.requires ?? []).map((id) => byId.get(id)).filter((c) => c !== undefined);
      const before = await Promise.all(prerequisites.map(start));
      const failed = before.filter((r) => r.status === 'error' || r.status === 'skipped');
      if (failed.length) {
        const why = failed.map((r) => `"${r.title}" ${r.status === 'error' ? 'failed' : 'was skipped'}`).join(', ');
        return { id: check.id, title: check.title, status: 'skipped', detail: `not run: ${why}`, ignorable: false };
      }
      return { id: check.id, title: check.title, ...(await withTimeout(check, ctx, timeoutMs)) };
    })();
    running.set(check.id, result);
    return result;
  };

  const results = await Promise.all(applicable.map(start));
  return { ...verdictOf(results), results, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started };
}

async function withTimeout(check: Precheck, ctx: PrecheckContext, timeoutMs: number): Promise<Finding> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Finding>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'error', detail: `timed out after ${formatSeconds(timeoutMs)} s`, ignorable: false }), timeoutMs);
  });
  const ran = Promise.resolve()
    .then(() => check.run(ctx))
    .catch((err): Finding => ({ status: 'error', detail: `the check itself failed: ${messageOf(err)}`, ignorable: false }));
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1));
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
