import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { JobSpec } from '../../../shared/job/job-spec.ts';
import type { JobRecord } from '../../../shared/job/job-record.ts';
import { allowedFrom, canApply, RUNNING_STATUSES, type JobAction } from '../../../shared/job/job-status.ts';
import { updateJob } from '../../../shared/storage/job-store.ts';
import { classify } from '../../../shared/errors/classify.ts';
import type { AppDeps } from '../app.ts';
import { conflict, notFound, problem, validationProblem } from '../http-errors.ts';
import { jobView } from '../job-view.ts';

const newJobId = () => `j${randomBytes(8).toString('hex')}`;

export function jobRoutes(deps: AppDeps) {
  const app = new Hono();

  app.post('/', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    if (body === undefined) return problem(c, { type: 'https://tributary.dev/problems/validation', title: 'Invalid job', status: 400, detail: 'the body must be a JSON object' });
    const parsed = JobSpec.safeParse(body);
    if (!parsed.success) return validationProblem(c, parsed.error, 'job');
    const spec = parsed.data;
    const id = newJobId();
    const { password, ...source } = spec.source;
    const passwordRef = await deps.secrets.put(`${id}/source-password`, password);
    const now = new Date().toISOString();
    const job: JobRecord = {
      ...spec,
      id,
      name: spec.name ?? `job-${id.slice(1, 7)}`,
      source: { ...source, passwordRef },
      status: 'created',
      slotName: `${spec.slotPrefix}${id}`,
      publicationName: `${spec.slotPrefix}${id}`,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await deps.store.create(job);
    deps.log.info('job created', { jobId: id });
    return c.json(jobView(job), 201, { location: `/jobs/${id}` });
  });

  app.get('/', async (c) => c.json({ items: (await deps.store.list()).map(jobView) }));

  app.get('/:id', async (c) => {
    const job = await deps.store.get(c.req.param('id'));
    return job ? c.json(jobView(job)) : notFound(c, c.req.param('id'));
  });

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
    if (!(await deps.store.get(id))) return notFound(c, id);
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
    if (!(await deps.store.get(id))) return notFound(c, id);
    const { refused } = await transition(id, 'stop', 'stopping');
    if (refused) return refuse(c, 'stop', refused);
    await deps.launcher.stop(id);
    const job = await updateJob(deps.store, id, (j) => (RUNNING_STATUSES.includes(j.status) ? { status: 'stopped' } : undefined));
    return c.json(jobView(job));
  });

  app.post('/:id/release', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.store.get(id))) return notFound(c, id);
    const { refused } = await transition(id, 'release', 'releasing');
    if (refused) return refuse(c, 'release', refused);
    await deps.launcher.stop(id);
    const job = (await deps.store.get(id))!;
    try {
      const removed = await deps.releaseSource(job, await deps.secrets.get(job.source.passwordRef));
      deps.log.info('job released', { jobId: id, ...removed });
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
    await deps.secrets.delete(job.source.passwordRef);
    const released = await updateJob(deps.store, id, () => ({ status: 'released', error: undefined }));
    return c.json(jobView(released));
  });

  return app;
}
