import type { Command } from './command.ts';
import { jobPath, printJson } from './command.ts';
import type { JobView } from './api-types.ts';
import { EXIT } from './exit-codes.ts';

// start, stop and release differ only in the route they call; one factory
// keeps them one definition. A refusal (409 naming the state) exits 1.
function jobAction(action: 'start' | 'stop' | 'release', summary: string): Command {
  return {
    name: action,
    args: ['id'],
    options: [],
    summary,
    async run(ctx) {
      const job = await ctx.client.request<JobView>('POST', jobPath(ctx.args[0], `/${action}`));
      if (ctx.json) printJson(ctx, job);
      else ctx.out(`${job.id}: ${job.status}`);
      return EXIT.ok;
    },
  };
}

export const startCommand = jobAction('start', 'start (or resume) a job: launches its worker');
export const stopCommand = jobAction('stop', 'stop a job: the worker delivers what it read, saves and acknowledges its position');
export const releaseCommand = jobAction('release', "stop a job and remove its slot, publication and secret from the source");
