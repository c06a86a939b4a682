import type { Command } from './command.ts';
import { printJson } from './command.ts';
import type { JobPage, JobView } from './api-types.ts';
import { formatTable } from './format-table.ts';
import { formatDuration, formatRate } from './format-units.ts';
import { EXIT, UsageError } from './exit-codes.ts';

export const listCommand: Command = {
  name: 'list',
  args: [],
  options: ['status', 'tag'],
  summary: 'list jobs as a table (--status <status>, --tag key=value)',
  async run(ctx) {
    const { status, tag } = ctx.options;
    if (tag !== undefined && !/^[^=]+=/.test(tag)) throw new UsageError(`--tag is key=value, e.g. --tag team=payments; got "${tag}"`);
    const jobs: JobView[] = [];
    let cursor: string | undefined;
    do {
      const page = await ctx.client.request<JobPage>('GET', '/jobs', { query: { status, tag, limit: '100', cursor } });
      jobs.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    if (ctx.json) printJson(ctx, { items: jobs });
    else ctx.out(jobs.length ? formatJobTable(jobs) : 'no jobs');
    return EXIT.ok;
  },
};

export function formatJobTable(jobs: JobView[]): string {
  return formatTable(
    [{ header: 'ID' }, { header: 'NAME', maxWidth: 32 }, { header: 'STATUS' }, { header: 'LAG', align: 'right' }, { header: 'EVENTS/S', align: 'right' }, { header: 'ACKED LSN' }, { header: 'TAGS', maxWidth: 40 }],
    jobs.map((j) => [
      j.id,
      j.name,
      j.status,
      j.metrics?.lagSeconds !== undefined ? formatDuration(j.metrics.lagSeconds) : '-',
      j.metrics?.eventsPerSecond !== undefined ? formatRate(j.metrics.eventsPerSecond) : '-',
      j.ackedLsn ?? '-',
      Object.entries(j.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(' '),
    ]),
  );
}
