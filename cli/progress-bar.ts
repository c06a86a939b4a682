// Snapshot progress as a bar. rowsEstimated comes from PostgreSQL's planner
// statistics (pg_class.reltuples), which can be stale in either direction, so
// the fraction is clamped and 100 % is shown only once done reaches the estimate.

const FULL = '█';
const EMPTY = '░';

/** done / total in [0, 1], or undefined when there is no usable estimate. */
export function fractionDone(done: number, total: number | undefined): number | undefined {
  if (total === undefined || !Number.isFinite(total) || total <= 0 || !Number.isFinite(done)) return undefined;
  return Math.min(1, Math.max(0, done / total));
}

export function progressBar(done: number, total: number | undefined, width = 24): string {
  const fraction = fractionDone(done, total);
  if (fraction === undefined) return `[${' '.repeat(width)}]    ?`;
  const filled = Math.floor(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${FULL.repeat(filled)}${EMPTY.repeat(width - filled)}] ${percent}`;
}
