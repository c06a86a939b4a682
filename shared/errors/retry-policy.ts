import type { ErrorClass } from './error-codes.ts';

// Retry windows are data (SPEC.md §3): each failure class is retried for its
// own window, counted from that class's first failure; fatal errors are not
// retried. Backoff is capped full jitter (AWS Architecture Blog, "Exponential
// Backoff And Jitter"): spreads reconnects of many workers after an outage.
export type RetryWindows = { connectionRetryMinutes: number; otherRetryMinutes: number };

export function retryWindowMs(errorClass: ErrorClass, windows: RetryWindows): number {
  if (errorClass === 'fatal') return 0;
  return (errorClass === 'connection' ? windows.connectionRetryMinutes : windows.otherRetryMinutes) * 60_000;
}

export function backoffMs(attempt: number, random = Math.random, baseMs = 500, capMs = 30_000): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20)));
}
