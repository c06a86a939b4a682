import { z } from 'zod';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { JOB_STATUSES } from '../../shared/job/job-status.ts';

// GET /jobs query: filters and an opaque cursor (the last id of the previous
// page), so a client pages through a stable order even while jobs are added.
export const ListJobsQuery = z.strictObject({
  status: z.enum(JOB_STATUSES).optional(),
  tag: z.string().regex(/^[^=]+=.*$/, 'tag filters are key=value, e.g. tag=team=payments').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().regex(/^[A-Za-z0-9_-]+$/, 'cursor is the nextCursor of a previous page').optional(),
});
export type ListJobsQuery = z.infer<typeof ListJobsQuery>;

export function listJobs(jobs: JobRecord[], q: ListJobsQuery): { items: JobRecord[]; nextCursor?: string } {
  const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined;
  const [tagKey, tagValue] = q.tag ? [q.tag.slice(0, q.tag.indexOf('=')), q.tag.slice(q.tag.indexOf('=') + 1)] : [];
  const matching = jobs
    .filter((j) => (q.status ? j.status === q.status : true))
    .filter((j) => (tagKey !== undefined ? j.tags?.[tagKey] === tagValue : true))
    .filter((j) => (after ? j.id > after : true))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const items = matching.slice(0, q.limit);
  const more = matching.length > q.limit;
  return { items, ...(more ? { nextCursor: Buffer.from(items.at(-1)!.id).toString('base64url') } : {}) };
}
