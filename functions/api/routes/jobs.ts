import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { JobSpec } from '../../../shared/job/job-spec.ts';
import { newJobRecord, storedDestination, type JobRecord } from '../../../shared/job/job-record.ts';
import { deleteJobSecrets, secretNames } from '../../../shared/job/job-secrets.ts';
import type { AppDeps } from '../app.ts';
import { conflict, notFound, problem, validationProblem } from '../http-errors.ts';
import { jobView } from '../job-view.ts';
import { ownedJob } from '../owned-job.ts';
import type { AuthEnv } from '../authenticate.ts';
import { ListJobsQuery, listJobs } from '../list-jobs.ts';
import { JobPatch, changesWhatPrecheckSaw, refusedWhileRunning, validatePatched } from '../update-job.ts';
import { VersionConflict } from '../../../shared/storage/job-store.ts';
import { savePatched } from '../save-patched.ts';
import { RUNNING_STATUSES } from '../../../shared/job/job-status.ts';
import { isEmptyChange, mergedPrecheck, objectsChange, precheckRunningObjects } from '../change-running-objects.ts';

const newJobId = () => `j${randomBytes(8).toString('hex')}`;

const alarmsProblem = (c: Parameters<typeof problem>[0], detail: string, job?: unknown) =>
  problem(c, { type: 'https://tributary.dev/problems/alarms', title: 'Alarms not set', status: 502, detail, ...(job ? { job } : {}) });

export function jobRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>();

  app.post('/', async (c) => {
    const body = await c.req.json().catch(() => undefined);
    if (body === undefined) return problem(c, { type: 'https://tributary.dev/problems/validation', title: 'Invalid job', status: 400, detail: 'the body must be a JSON object' });
    const parsed = JobSpec.safeParse(body);
    if (!parsed.success) return validationProblem(c, parsed.error, 'job');
    const spec = parsed.data;
    const id = newJobId();
    const passwordRef = await deps.secrets.put(secretNames(id).source, spec.source.password);
    const destinationPasswordRef = spec.destination.type === 'postgresql' ? await deps.secrets.put(secretNames(id).destination, spec.destination.password) : undefined;
    const job = newJobRecord(spec, { id, tenantId: c.get('tenantId'), passwordRef, destinationPasswordRef });
    // alarms first: a job is never stored without the alarms its settings promise
    try {
      await deps.alarms.apply(job);
    } catch (err) {
      await deleteJobSecrets(deps.secrets, job).catch(() => undefined);
      return alarmsProblem(c, `the job was not created: its alarms could not be set (${(err as Error).message}); retry`);
    }
    try {
      await deps.store.create(job);
    } catch (err) {
      await deps.alarms.remove(job).catch(() => undefined);
      throw err;
    }
    deps.log.info('job created', { jobId: id });
    return c.json(jobView(job), 201, { location: `/jobs/${id}` });
  });

  app.get('/', async (c) => {
    const query = ListJobsQuery.safeParse(c.req.query());
    if (!query.success) return validationProblem(c, query.error, 'query');
    const tenantId = c.get('tenantId');
    const { status, tag, limit, cursor } = query.data;
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    // without filters the store pages for us (limit + 1 tells whether more follow); with them, filter the tenant's jobs
    const candidates = status || tag ? await deps.store.listByTenant(tenantId) : await deps.store.listByTenant(tenantId, { after, limit: limit + 1 });
    const page = listJobs(candidates, query.data);
    return c.json({ items: page.items.map(jobView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });

  app.patch('/:id', async (c) => {
    const id = c.req.param('id');
    const job = await ownedJob(deps.store, c, id);
    if (!job) return notFound(c, id);
    const patch = JobPatch.safeParse(await c.req.json().catch(() => undefined));
    if (!patch.success) return validationProblem(c, patch.error, 'patch');
    const ifMatch = c.req.header('if-match');
    if (ifMatch !== undefined && ifMatch.replaceAll('"', '') !== String(job.version)) {
      return problem(c, { type: 'https://tributary.dev/problems/precondition', title: 'Job changed', status: 412, detail: `the job is at version ${job.version}, not ${ifMatch}; GET it again and reapply your change` });
    }
    const refused = refusedWhileRunning(job, patch.data);
    if (refused.length) return conflict(c, `cannot change ${refused.join(', ')} while the job is ${job.status}; stop it first`, { currentStatus: job.status, fields: refused });
    const parsed = validatePatched(job, patch.data);
    if (!parsed.success) return validationProblem(c, parsed.error, 'job');
    let base = job;
    let objectsPrecheck: NonNullable<JobRecord['precheck']> | undefined;
    const change = objectsChange(job.objects, parsed.data.objects);
    if (RUNNING_STATUSES.includes(job.status) && !isEmptyChange(change)) {
      try {
        const checked = await precheckRunningObjects(deps, job, parsed.data.objects);
        if (!checked.ok) {
          return problem(c, {
            type: 'https://tributary.dev/problems/precheck-failed', title: 'The new objects fail the precheck', status: 409,
            detail: `the job keeps streaming its current tables; fix ${checked.report.blocking.join(', ')} and PATCH again`,
            currentStatus: job.status, change, precheck: checked.report,
          });
        }
        base = checked.staged;
        objectsPrecheck = mergedPrecheck(job.precheck, checked.report);
      } catch (err) {
        if (err instanceof VersionConflict) return conflict(c, 'the job changed while this update was applied; GET it again and retry');
        throw err;
      }
      deps.log.info('objects of a running job changed', { jobId: id, ...change });
    }
    const { password, ...source } = parsed.data.source;
    if ((patch.data.source as { password?: string } | undefined)?.password !== undefined) await deps.secrets.put(`${id}/source-password`, password);
    const destination = await patchedDestination(deps, job, parsed.data.destination, patch.data.destination);
    const next: JobRecord = { ...base, ...parsed.data, name: parsed.data.name ?? job.name, source: { ...source, passwordRef: job.source.passwordRef }, destination, pendingObjects: undefined, updatedAt: new Date().toISOString() };
    if (objectsPrecheck) {
      next.precheck = objectsPrecheck;
    } else if (changesWhatPrecheckSaw(patch.data)) {
      // a precheck speaks for the configuration it checked: a new one is needed
      next.precheck = undefined;
      if (next.status === 'precheck_passed' || next.status === 'precheck_failed') next.status = 'created';
    }
    const saved = await savePatched(deps.store, base, next);
    if (!saved) return conflict(c, 'the job changed while this update was applied; GET it again and retry');
    try {
      await deps.alarms.apply(saved);
    } catch (err) {
      deps.log.error('job alarms not updated', { jobId: id, error: (err as Error).message });
      return alarmsProblem(c, `the change was saved, but the job's alarms could not be updated (${(err as Error).message}); send the PATCH again`, jobView(saved));
    }
    return c.json(jobView(saved));
  });

  app.get('/:id', async (c) => {
    const job = await ownedJob(deps.store, c, c.req.param('id'));
    if (!job) return notFound(c, c.req.param('id'));
    const alerts = deps.alarms.firing(job);
    return c.json({ ...jobView(job), ...(alerts ? { alerts } : {}) });
  });

  return app;
}

/** The stored destination after a PATCH: a new PostgreSQL password goes to the secret store, the record keeps only the reference. */
async function patchedDestination(deps: AppDeps, job: JobRecord, destination: JobSpec['destination'], patch: unknown): Promise<JobRecord['destination']> {
  if (destination.type !== 'postgresql') {
    if (job.destination.type === 'postgresql') await deps.secrets.delete(job.destination.passwordRef);
    return storedDestination(destination, undefined);
  }
  const given = (patch as { password?: unknown } | undefined)?.password !== undefined;
  const ref = given || job.destination.type !== 'postgresql' ? await deps.secrets.put(secretNames(job.id).destination, destination.password) : job.destination.passwordRef;
  return storedDestination(destination, ref);
}
