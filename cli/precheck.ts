import type { Command } from './command.ts';
import { jobPath, printJson } from './command.ts';
import type { PrecheckReport } from './api-types.ts';
import { formatTable } from './format-table.ts';
import { EXIT } from './exit-codes.ts';

export const precheckCommand: Command = {
  name: 'precheck',
  args: ['id'],
  options: [],
  summary: 'run the precheck of a job and show each check with its fix; exits 3 when it fails',
  async run(ctx) {
    const report = await ctx.client.request<PrecheckReport>('POST', jobPath(ctx.args[0], '/precheck'), { feature: 'precheck' });
    if (ctx.json) printJson(ctx, report);
    else ctx.out(formatPrecheck(report));
    return report.verdict === 'passed' ? EXIT.ok : EXIT.precheckFailed;
  },
};

// Fixes are SQL, configuration lines or commands meant to be copied, so they
// are listed whole under the table (numbered) rather than wrapped inside it.
export function formatPrecheck(report: PrecheckReport): string {
  const fixes: string[] = [];
  const rows = report.results.map((r) => {
    let ref = '';
    if (r.fix && r.status !== 'pass') {
      fixes.push(`[${fixes.length + 1}] ${r.title}${r.ignorable ? ' (may be acknowledged instead)' : ''}:\n    ${r.fix.split('\n').join('\n    ')}`);
      ref = `[${fixes.length}]`;
    }
    return [r.status.toUpperCase(), r.title, r.detail ?? '', ref];
  });
  const table = formatTable([{ header: 'STATUS' }, { header: 'CHECK', maxWidth: 40 }, { header: 'DETAIL', maxWidth: 60 }, { header: 'FIX' }], rows);
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const summary = `precheck ${report.verdict}: ${count('pass')} passed, ${count('warning')} warnings, ${count('error')} errors, ${count('skipped')} skipped`;
  const ack = report.needsAcknowledgement?.length ? [`needs acknowledgement before start: ${report.needsAcknowledgement.join(', ')}`] : [];
  return [table, ...(fixes.length ? ['', 'Fixes:', ...fixes] : []), '', summary, ...ack].join('\n');
}
