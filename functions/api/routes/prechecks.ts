import { Hono } from 'hono';
import { destinationPasswordOf } from '../../../shared/job/job-secrets.ts';
import { z } from 'zod';
import { updateJob } from '../../../shared/storage/job-store.ts';
import { allowedFrom, canApply } from '../../../shared/job/job-status.ts';
import type { AppDeps } from '../app.ts';
import type { AuthEnv } from '../authenticate.ts';
import { conflict, notFound, problem, validationProblem } from '../http-errors.ts';
import { ownedJob } from '../owned-job.ts';

const Ack = z.strictObject({ ids: z.array(z.string().min(1)).min(1, 'list the ids of the warnings to acknowledge') });

// POST /jobs/{id}/precheck runs every check at once and stores the report on
// the job; /precheck/ack acknowledges ignorable warnings. `start` reads both.
export function precheckRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>();

  app.post('/:id/precheck', async (c) => {
    const id = c.req.param('id');
    const job = await ownedJob(deps.store, c, id);
    if (!job) return notFound(c, id);
    if (!canApply('precheck', job.status)) {
      return conflict(c, `cannot precheck a job that is ${job.status}; precheck is allowed from: ${allowedFrom('precheck').join(', ')}`, { currentStatus: job.status });
    }
    const before = job.status;
    await updateJob(deps.store, id, () => ({ status: 'prechecking' }));
    try {
      const report = await deps.runPrechecks(job, await deps.secrets.get(job.source.passwordRef), { destinationPassword: await destinationPasswordOf(deps.secrets, job) });
      const passedStatus = before === 'stopped' || before === 'failed' ? before : 'precheck_passed';
      const saved = await updateJob(deps.store, id, () => ({
        status: report.verdict === 'passed' ? passedStatus : 'precheck_failed',
        precheck: { report, acknowledged: [] },
      }));
      return c.json({ ...report, acknowledged: [], status: saved.status });
    } catch (err) {
      await updateJob(deps.store, id, () => ({ status: before }));
      throw err;
    }
  });

  app.post('/:id/precheck/ack', async (c) => {
    const id = c.req.param('id');
    const job = await ownedJob(deps.store, c, id);
    if (!job) return notFound(c, id);
    const body = Ack.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return validationProblem(c, body.error, 'acknowledgement');
    if (!job.precheck) return conflict(c, `no precheck to acknowledge: POST /jobs/${id}/precheck first`, { currentStatus: job.status });
    const ackable = job.precheck.report.needsAcknowledgement;
    const wrong = body.data.ids.filter((i) => !ackable.includes(i));
    if (wrong.length) {
      return problem(c, {
        type: 'https://tributary.dev/problems/validation', title: 'Invalid acknowledgement', status: 400,
        detail: `only ignorable warnings can be acknowledged (${ackable.join(', ') || 'none now'}); not: ${wrong.join(', ')}`,
        errors: wrong.map((w) => ({ field: 'ids', message: `${w} is not an ignorable warning of the last precheck` })),
      });
    }
    const saved = await updateJob(deps.store, id, (j) => ({ precheck: { ...j.precheck!, acknowledged: [...new Set([...j.precheck!.acknowledged, ...body.data.ids])] } }));
    return c.json({ ...saved.precheck!.report, acknowledged: saved.precheck!.acknowledged, status: saved.status });
  });

  return app;
}
