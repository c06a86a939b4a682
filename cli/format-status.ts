import type { JobView, SnapshotTable } from './api-types.ts';
import { formatBytes, formatCount, formatDuration, formatRate } from './format-units.ts';
import { fractionDone, progressBar } from './progress-bar.ts';

// `tributary status`: one job as labelled lines, only the lines that apply.
// Times are relative to `now` so the output is testable and a watch stays true.

const label = (name: string, value: string) => `${name.padEnd(10)} ${value}`;
const secondsBetween = (from: string, to: Date) => (to.getTime() - Date.parse(from)) / 1000;

export function formatStatus(job: JobView, now: Date): string {
  const lines = [`${job.id}  ${job.name ?? ''}`.trimEnd(), label('phase', job.status)];
  const s = job.source;
  if (s?.host) lines.push(label('source', `${s.user ? `${s.user}@` : ''}${s.host}:${s.port ?? 5432}/${s.database ?? ''}`));
  if (job.destination?.type) lines.push(label('sink', `${job.destination.type}${job.destination.brokers ? ` ${job.destination.brokers.join(',')}` : ''}`));
  lines.push(...metricLines(job, now));
  if (job.ackedLsn) lines.push(label('acked LSN', job.ackedLsn));
  lines.push(...snapshotLines(job.snapshot?.tables ?? []));
  if (job.error) {
    const e = job.error;
    lines.push(label('error', `${e.code ?? 'Error'}${e.class ? ` (${e.class})` : ''}: ${e.message ?? ''}`.trimEnd()));
    if (e.remedy) lines.push(label('remedy', e.remedy));
  }
  if (job.retry?.until) lines.push(label('retry', retryLine(job.retry, now)));
  return lines.join('\n');
}

function metricLines(job: JobView, now: Date): string[] {
  const m = job.metrics;
  if (!m) return [];
  const lines: string[] = [];
  if (m.lagSeconds !== undefined) lines.push(label('lag', formatDuration(m.lagSeconds)));
  else if (job.status === 'streaming') lines.push(label('lag', 'not measured yet (waiting for a heartbeat)'));
  const rates = [
    m.eventsPerSecond !== undefined ? `${formatRate(m.eventsPerSecond)} events/s` : undefined,
    m.bytesPerSecond !== undefined ? `${formatBytes(m.bytesPerSecond)}/s` : undefined,
    m.eventsDelivered !== undefined ? `${formatCount(m.eventsDelivered)} delivered` : undefined,
  ].filter(Boolean);
  if (rates.length) lines.push(label('rate', rates.join(', ') + (m.at ? ` (as of ${formatDuration(secondsBetween(m.at, now))} ago)` : '')));
  if (m.retainedWalBytes !== undefined) lines.push(label('WAL kept', `${formatBytes(m.retainedWalBytes)} held by the slot`));
  return lines;
}

export function snapshotLines(tables: SnapshotTable[]): string[] {
  if (!tables.length) return [];
  const name = (t: SnapshotTable, i: number) => t.name ?? (t.table ? `${t.schema ? `${t.schema}.` : ''}${t.table}` : `table ${i + 1}`);
  const width = Math.max(...tables.map((t, i) => name(t, i).length));
  const finished = tables.filter((t) => t.done || fractionDone(t.rowsDone ?? 0, t.rowsEstimated) === 1).length;
  const lines = [label('snapshot', `${finished} of ${tables.length} tables copied`)];
  tables.forEach((t, i) => {
    const done = t.rowsDone ?? 0;
    const bar = t.done ? progressBar(1, 1) : progressBar(done, t.rowsEstimated);
    const of = t.rowsEstimated !== undefined && t.rowsEstimated > 0 ? ` / ~${formatCount(t.rowsEstimated)}` : '';
    lines.push(`  ${name(t, i).padEnd(width)}  ${bar}  ${formatCount(done)}${of} rows`);
  });
  return lines;
}

function retryLine(retry: NonNullable<JobView['retry']>, now: Date): string {
  const left = -secondsBetween(retry.until!, now);
  const what = `${retry.errorClass ?? 'failure'} retry window`;
  const attempt = retry.attempt !== undefined ? `, attempt ${retry.attempt}` : '';
  return left > 0
    ? `${what} closes in ${formatDuration(left)} (at ${retry.until}${attempt})`
    : `${what} closed ${formatDuration(-left)} ago${attempt}`;
}
