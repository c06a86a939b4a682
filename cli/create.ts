import type { Command } from './command.ts';
import { printJson } from './command.ts';
import { readJobFile } from './read-job-file.ts';
import type { JobView } from './api-types.ts';
import { EXIT, UsageError } from './exit-codes.ts';

// Prints only the new id (so `id=$(tributary create -f job.yaml)` works), never
// the file: it holds the password. The API's answer never does.
export const createCommand: Command = {
  name: 'create',
  args: [],
  options: ['file', 'idempotency-key'],
  summary: 'create a job from a YAML or JSON file (-f job.yaml, or -f - for stdin); prints its id',
  help: 'Options:\n  -f, --file <path>          the job (YAML or JSON; "-" reads stdin)\n  --idempotency-key <key>    a retry with the same key never creates a second job',
  async run(ctx) {
    if (!ctx.options.file) throw new UsageError('create needs -f <job.yaml|job.json>');
    const job = readJobFile(ctx.options.file);
    const key = ctx.options['idempotency-key'];
    const created = await ctx.client.request<JobView>('POST', '/jobs', { body: job, headers: key ? { 'idempotency-key': key } : {} });
    if (ctx.json) printJson(ctx, created);
    else ctx.out(created.id);
    return EXIT.ok;
  },
};
