import type { Context } from 'hono';
import type { JobRecord } from '../../shared/job/job-record.ts';
import type { JobStore } from '../../shared/storage/job-store.ts';
import type { AuthEnv } from './authenticate.ts';

/** The job if it belongs to the caller's tenant; another tenant's job does not exist for them. */
export async function ownedJob(store: JobStore, c: Context<AuthEnv>, id: string): Promise<JobRecord | undefined> {
  const job = await store.get(id);
  return job && job.tenantId === c.get('tenantId') ? job : undefined;
}
