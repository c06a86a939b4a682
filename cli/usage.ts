import type { Command } from './command.ts';
import { jobPath, printJson } from './command.ts';
import { formatTable } from './format-table.ts';
import { EXIT } from './exit-codes.ts';

export const usageCommand: Command = {
  name: 'usage',
  args: ['id'],
  options: [],
  summary: 'billable usage of a job by day and month',
  async run(ctx) {
    const usage = await ctx.client.request<Record<string, unknown>>('GET', jobPath(ctx.args[0], '/usage'), { feature: 'usage metering' });
    if (ctx.json) printJson(ctx, usage);
    else ctx.out(formatUsage(usage));
    return EXIT.ok;
  },
};

type Row = Record<string, unknown>;
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isRowList = (v: unknown): v is Row[] => Array.isArray(v) && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));

// The usage document is still being designed alongside this CLI, so it is
// shown by shape: scalar fields as "key: value", each list of records (days,
// months) as a table whose columns are the records' scalar fields.
export function formatUsage(usage: Row): string {
  const parts: string[] = [];
  const scalars = Object.entries(usage).filter(([, v]) => isScalar(v));
  if (scalars.length) parts.push(scalars.map(([k, v]) => `${k}: ${v}`).join('\n'));
  for (const [key, value] of Object.entries(usage)) {
    if (!isRowList(value)) continue;
    if (!value.length) {
      parts.push(`${key}: none`);
      continue;
    }
    const columns = [...new Set(value.flatMap((r) => Object.keys(r).filter((k) => isScalar(r[k]))))];
    const table = formatTable(
      columns.map((c) => ({ header: c, align: typeof value.find((r) => r[c] !== undefined)?.[c] === 'number' ? ('right' as const) : ('left' as const) })),
      value.map((r) => columns.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c])))),
    );
    parts.push(`${key}:\n${table}`);
  }
  return parts.join('\n\n') || JSON.stringify(usage, null, 2);
}
