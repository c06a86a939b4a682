import type { JobView, SnapshotTable, SnapshotView } from './api-types.ts';
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
  if (job.destination?.type) lines.push(label('sink', `${job.destination.type}${job.destination.brokers ? ` ${job.destination.brokers.join(',')}` : job.destination.host ? ` ${job.destination.host}:${job.destination.port}/${job.destination.database}` : ''}`));
  lines.push(...metricLines(job, now));
  for (const a of job.alerts ?? []) lines.push(label('ALERT', `${a.alert}: ${a.message}`));
  if (job.ackedLsn) lines.push(label('acked LSN', job.ackedLsn));
  const precheck = job.precheck && precheckLine(job.precheck);
  if (precheck) lines.push(precheck);
  lines.push(...snapshotLines(job.snapshot));
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

export function snapshotLines(snapshot: SnapshotView | undefined): string[] {
  const tables = snapshot?.tables ?? [];
  if (!tables.length) return [];
  const total = snapshot?.rowsDone ?? tables.reduce((n, t) => n + (t.rowsDone ?? 0), 0);
  if (snapshot?.completedAt) return [label('snapshot', `complete: ${tables.length} table${tables.length === 1 ? '' : 's'}, ${formatCount(total)} rows (${snapshot.completedAt})`)];
  const estimate = (t: SnapshotTable) => t.rowsEstimated ?? t.estimatedRows ?? undefined;
  const name = (t: SnapshotTable, i: number) => t.name ?? (t.table ? `${t.schema ? `${t.schema}.` : ''}${t.table}` : `table ${i + 1}`);
  const width = Math.max(...tables.map((t, i) => name(t, i).length));
  const finished = tables.filter((t) => t.done || (t.done === undefined && fractionDone(t.rowsDone ?? 0, estimate(t)) === 1)).length;
  const pace = [
    snapshot?.rowsPerSecond !== undefined ? `${formatRate(snapshot.rowsPerSecond)} rows/s` : undefined,
    snapshot?.etaSeconds !== undefined ? `about ${formatDuration(snapshot.etaSeconds)} left` : undefined,
  ].filter(Boolean);
  const lines = [label('snapshot', [`${finished} of ${tables.length} tables copied`, ...pace].join(', '))];
  tables.forEach((t, i) => {
    const done = t.rowsDone ?? 0;
    const est = estimate(t);
    const bar = progressBar(done, est, { complete: t.done });
    const of = est !== undefined && est > 0 ? ` / ~${formatCount(est)}` : '';
    lines.push(`  ${name(t, i).padEnd(width)}  ${bar}  ${formatCount(done)}${of} rows`);
  });
  return lines;
}

function precheckLine(precheck: NonNullable<JobView['precheck']>): string | undefined {
  const r = precheck.report;
  if (!r) return undefined;
  const acked = precheck.acknowledged ?? [];
  const open = (r.needsAcknowledgement ?? []).filter((id) => !acked.includes(id));
  const parts = [r.verdict];
  if (r.blocking?.length) parts.push(`blocking: ${r.blocking.join(', ')}`);
  if (acked.length) parts.push(`acknowledged: ${acked.join(', ')}`);
  if (open.length) parts.push(`to acknowledge: ${open.join(', ')}`);
  return label('precheck', parts.join('; '));
}

function retryLine(retry: NonNullable<JobView['retry']>, now: Date): string {
  const left = -secondsBetween(retry.until!, now);
  const what = `${retry.errorClass ?? 'failure'} retry window`;
  const attempt = retry.attempt !== undefined ? `, attempt ${retry.attempt}` : '';
  return left > 0
    ? `${what} closes in ${formatDuration(left)} (at ${retry.until}${attempt})`
    : `${what} closed ${formatDuration(-left)} ago${attempt}`;
}
