// Snapshot progress as a bar. The row estimate comes from PostgreSQL's planner
// statistics (pg_class.reltuples), which can be stale in either direction, so
// the fraction is clamped, and a table the worker has not finished never
// shows 100 % even when its rows outran the estimate.

const FULL = '█';
const EMPTY = '░';

/** done / total in [0, 1], or undefined when there is no usable estimate. */
export function fractionDone(done: number, total: number | undefined | null): number | undefined {
  if (total === undefined || total === null || !Number.isFinite(total) || total <= 0 || !Number.isFinite(done)) return undefined;
  return Math.min(1, Math.max(0, done / total));
}

export type BarOptions = { width?: number; /** what the worker says; overrides the estimate at the ends */ complete?: boolean };

export function progressBar(done: number, total: number | undefined | null, opts: BarOptions = {}): string {
  const width = opts.width ?? 24;
  let fraction = opts.complete ? 1 : fractionDone(done, total);
  if (fraction === undefined) return `[${' '.repeat(width)}]    ?`;
  if (opts.complete === false) fraction = Math.min(fraction, 0.99);
  const filled = Math.floor(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${FULL.repeat(filled)}${EMPTY.repeat(width - filled)}] ${percent}`;
}
