import { Hono } from 'hono';
import type { JobRecord } from '../../../shared/job/job-record.ts';
import { allowedFrom, canApply, RUNNING_STATUSES, type JobAction } from '../../../shared/job/job-status.ts';
import { updateJob } from '../../../shared/storage/job-store.ts';
import { deleteJobSecrets } from '../../../shared/job/job-secrets.ts';
import { classify } from '../../../shared/errors/classify.ts';
import type { AppDeps } from '../app.ts';
import { conflict, notFound, problem } from '../http-errors.ts';
import { jobView } from '../job-view.ts';
import { ownedJob } from '../owned-job.ts';
import { startBlockers } from '../precheck-gate.ts';
import type { AuthEnv } from '../authenticate.ts';

// Lifecycle actions (SPEC.md §3): each is legal only from the states the
// transition table allows; the state change is a conditional write, so two
// concurrent starts cannot both launch a worker.
export function jobActionRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>();

  // Moves a job into `to` only if `action` is legal now; returns the refusal otherwise.
  const transition = async (id: string, action: JobAction, to: JobRecord['status']) => {
    let refused: JobRecord | undefined;
    const job = await updateJob(deps.store, id, (j) => {
      if (!canApply(action, j.status)) return void (refused = j);
      refused = undefined;
      return { status: to, ...(action === 'start' ? { error: undefined } : {}) };
    });
    return { job, refused };
  };

  const refuse = (c: Parameters<typeof notFound>[0], action: JobAction, job: JobRecord) =>
    conflict(c, `cannot ${action} a job that is ${job.status}; ${action} is allowed from: ${allowedFrom(action).join(', ')}`, { currentStatus: job.status });

  app.post('/:id/start', async (c) => {
    const id = c.req.param('id');
    const current = await ownedJob(deps.store, c, id);
    if (!current) return notFound(c, id);
    const awaitingPrecheck = current.status === 'created' || current.status === 'precheck_failed';
    const blockers = canApply('start', current.status) || awaitingPrecheck ? startBlockers(current) : [];
    if (blockers.length) return conflict(c, `cannot start: ${blockers.join('; ')}`, { currentStatus: current.status, blockers });
    const { job, refused } = await transition(id, 'start', 'starting');
    if (refused) return refuse(c, 'start', refused);
    try {
      await deps.launcher.launch(id);
    } catch (err) {
      // never leave a job "starting" with no worker behind it
      const error = classify(err);
      await updateJob(deps.store, id, () => ({ status: 'failed', error: error.toReport() }));
      return problem(c, { type: 'https://tributary.dev/problems/launch-failed', title: 'Worker launch failed', status: 500, detail: error.message });
    }
    return c.json(jobView(job), 202);
  });

  app.post('/:id/stop', async (c) => {
    const id = c.req.param('id');
    if (!(await ownedJob(deps.store, c, id))) return notFound(c, id);
    const { refused } = await transition(id, 'stop', 'stopping');
    if (refused) return refuse(c, 'stop', refused);
    await deps.launcher.stop(id);
    const job = await updateJob(deps.store, id, (j) => (RUNNING_STATUSES.includes(j.status) ? { status: 'stopped' } : undefined));
    return c.json(jobView(job));
  });

  app.post('/:id/release', async (c) => {
    const id = c.req.param('id');
    if (!(await ownedJob(deps.store, c, id))) return notFound(c, id);
    const { refused } = await transition(id, 'release', 'releasing');
    if (refused) return refuse(c, 'release', refused);
    await deps.launcher.stop(id);
    const job = (await deps.store.get(id))!;
    try {
      const removed = await deps.releaseSource(job, await deps.secrets.get(job.source.passwordRef));
      deps.log.info('job released', { jobId: id, ...removed });
      if (removed.leftOnPrimary?.length) deps.log.warn('the source is a standby: drop the job\'s objects on the primary', { jobId: id, statements: removed.leftOnPrimary });
      await deps.releasePositionTopic?.(job);
    } catch (err) {
      const error = classify(err);
      const failed = await updateJob(deps.store, id, () => ({ status: 'releasing', error: error.toReport() }));
      return problem(c, {
        type: 'https://tributary.dev/problems/release-incomplete',
        title: 'Release incomplete',
        status: 502,
        detail: `the slot ${job.slotName} and publication ${job.publicationName} may still exist on the source: ${error.message}. Retry release.`,
        job: jobView(failed),
      });
    }
    try {
      await deps.alarms.remove(job);
    } catch (err) {
      const failed = await updateJob(deps.store, id, () => ({ status: 'releasing', error: classify(err).toReport() }));
      return problem(c, { type: 'https://tributary.dev/problems/release-incomplete', title: 'Release incomplete', status: 502, detail: `the source objects were removed, but the job's alarms could not be deleted: ${(err as Error).message}. Retry release.`, job: jobView(failed) });
    }
    await deleteJobSecrets(deps.secrets, job);
    const released = await updateJob(deps.store, id, () => ({ status: 'released', error: undefined }));
    return c.json(jobView(released));
  });

  return app;
}
