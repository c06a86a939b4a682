import type { Command } from './command.ts';
import { jobPath, printJson } from './command.ts';
import type { PrecheckReport } from './api-types.ts';
import { formatTable } from './format-table.ts';
import { EXIT } from './exit-codes.ts';

export const precheckCommand: Command = {
  name: 'precheck',
  args: ['id'],
  options: ['ack'],
  summary: 'run the precheck of a job and show each check with its fix; exits 3 when it fails',
  help: 'Options:\n  --ack <check-id>   acknowledge an ignorable warning of the last precheck instead of running it again\n                     (repeat, or separate ids with commas); a job starts only once its warnings are fixed or acknowledged',
  async run(ctx) {
    const [id] = ctx.args;
    const ids = (ctx.options.ack ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
    const report = ids.length
      ? await ctx.client.request<PrecheckReport>('POST', jobPath(id, '/precheck/ack'), { body: { ids }, feature: 'acknowledging precheck warnings' })
      : await ctx.client.request<PrecheckReport>('POST', jobPath(id, '/precheck'), { feature: 'precheck' });
    if (ctx.json) printJson(ctx, report);
    else ctx.out(formatPrecheck(report, id, ctx.columns));
    return report.verdict === 'passed' ? EXIT.ok : EXIT.precheckFailed;
  },
};

// Fixes are SQL, configuration lines or commands meant to be copied, so they
// are listed whole under the table (numbered) rather than wrapped inside it.
export function formatPrecheck(report: PrecheckReport, jobId: string, columns = 120): string {
  const fixes: string[] = [];
  const rows = report.results.map((r) => {
    let ref = '';
    if (r.fix && r.status !== 'pass') {
      fixes.push(`[${fixes.length + 1}] ${r.title}${r.ignorable ? ' (may be acknowledged instead)' : ''}:\n    ${r.fix.split('\n').join('\n    ')}`);
      ref = `[${fixes.length}]`;
    }
    return [r.status.toUpperCase(), r.title, r.detail ?? '', ref];
  });
  // fit the terminal: STATUS (7) + CHECK + DETAIL + FIX (4) + three gaps of 2
  const checkWidth = columns >= 120 ? 40 : 28;
  const detailWidth = Math.max(24, columns - 7 - checkWidth - 4 - 6);
  const table = formatTable([{ header: 'STATUS' }, { header: 'CHECK', maxWidth: checkWidth }, { header: 'DETAIL', maxWidth: detailWidth }, { header: 'FIX' }], rows);
  const count = (status: string, one: string, many = one) => {
    const n = report.results.filter((r) => r.status === status).length;
    return `${n} ${n === 1 ? one : many}`;
  };
  const summary = `precheck ${report.verdict}: ${count('pass', 'passed')}, ${count('warning', 'warning', 'warnings')}, ${count('error', 'error', 'errors')}, ${count('skipped', 'skipped')}`;
  const acked = report.acknowledged ?? [];
  const open = (report.needsAcknowledgement ?? []).filter((id) => !acked.includes(id));
  const notes = [
    ...(acked.length ? [`acknowledged: ${acked.join(', ')}`] : []),
    ...(open.length ? [`to acknowledge before start: ${open.join(', ')} (fix them, or: tributary precheck ${jobId} --ack ${open.join(',')})`] : []),
  ];
  return [table, ...(fixes.length ? ['', 'Fixes:', ...fixes] : []), '', summary, ...notes].join('\n');
}
