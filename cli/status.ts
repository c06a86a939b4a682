import type { Command, CommandContext } from './command.ts';
import { jobPath } from './command.ts';
import type { JobView } from './api-types.ts';
import { formatStatus } from './format-status.ts';
import { EXIT, UsageError } from './exit-codes.ts';

/** States a job leaves only on a user's action: a watch ends there. */
export const SETTLED_STATUSES = ['stopped', 'failed', 'released'];
const CLEAR_SCREEN = '\x1b[H\x1b[2J';

export const statusCommand: Command = {
  name: 'status',
  args: ['id'],
  options: ['watch', 'interval'],
  summary: 'phase, lag, rates, acked LSN, snapshot progress, error and retry window of a job (--watch refreshes)',
  help: 'Options:\n  -w, --watch            refresh until the job is stopped, failed or released (Ctrl-C ends it sooner)\n  --interval <seconds>   between refreshes (default 2)\nWith --json and --watch, one JSON line per refresh.',
  async run(ctx) {
    const intervalMs = parseInterval(ctx.options.interval);
    const [id] = ctx.args;
    const fetchJob = () => ctx.client.request<JobView>('GET', jobPath(id));
    if (!ctx.options.watch) {
      const job = await fetchJob();
      ctx.out(ctx.json ? JSON.stringify(job, null, 2) : formatStatus(job, ctx.now()));
      return EXIT.ok;
    }
    for (;;) {
      const job = await fetchJob();
      showFrame(ctx, job, intervalMs);
      if (SETTLED_STATUSES.includes(job.status)) return EXIT.ok;
      await ctx.sleep(intervalMs);
    }
  },
};

function showFrame(ctx: CommandContext, job: JobView, intervalMs: number) {
  if (ctx.json) return ctx.out(JSON.stringify(job));
  const now = ctx.now();
  const body = formatStatus(job, now);
  if (ctx.interactive) ctx.out(`${CLEAR_SCREEN}${body}\n\nevery ${intervalMs / 1000} s, ${now.toISOString()}; Ctrl-C stops watching`);
  else ctx.out(`--- ${now.toISOString()}\n${body}`);
}

export function parseInterval(value: string | undefined): number {
  if (value === undefined) return 2000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.2 || seconds > 3600) throw new UsageError(`--interval is seconds between 0.2 and 3600; got "${value}"`);
  return Math.round(seconds * 1000);
}
