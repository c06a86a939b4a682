import { Hono } from 'hono';
import { z } from 'zod';
import { summarize, type UsageStore } from '../../../shared/metering/usage.ts';
import type { AuthEnv } from '../authenticate.ts';
import type { AppDeps } from '../app.ts';
import { notFound, validationProblem } from '../http-errors.ts';
import { ownedJob } from '../owned-job.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day, e.g. 2026-11-01');
const UsageQuery = z
  .strictObject({ from: day.optional(), to: day.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to must not be before from' });

// Billable units by day and month (SPEC.md §6): only the incremental phase is
// billed; snapshot rows are shown as free. `to` is inclusive.
async function report(store: UsageStore, tenantId: string, jobId: string | undefined, q: z.infer<typeof UsageQuery>) {
  const now = new Date();
  const from = q.from ?? `${now.toISOString().slice(0, 7)}-01`;
  const to = q.to ?? now.toISOString().slice(0, 10);
  const records = await store.list({ tenantId, jobId, from: `${from}T00:00:00.000Z`, to: `${to}T23:59:59.999Z` });
  return { from, to, ...(jobId ? { jobId } : {}), daily: summarize(records, 'day'), monthly: summarize(records, 'month') };
}

export function usageRoutes(deps: AppDeps) {
  const app = new Hono<AuthEnv>();
  app.get('/jobs/:id/usage', async (c) => {
    const id = c.req.param('id');
    if (!(await ownedJob(deps.store, c, id))) return notFound(c, id);
    const q = UsageQuery.safeParse(c.req.query());
    if (!q.success) return validationProblem(c, q.error, 'query');
    return c.json(await report(deps.usage, c.get('tenantId'), id, q.data));
  });
  app.get('/usage', async (c) => {
    const q = UsageQuery.safeParse(c.req.query());
    if (!q.success) return validationProblem(c, q.error, 'query');
    return c.json(await report(deps.usage, c.get('tenantId'), undefined, q.data));
  });
  return app;
}
