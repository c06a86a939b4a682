import { classify } from '../../shared/errors/classify.ts';
import type { TributaryError } from '../../shared/errors/tributary-error.ts';
import type { Logger } from '../../shared/logger.ts';

// A slot stays "active" for a moment after its previous walsender went away
// (a restarted worker, a control plane that relaunched it), and PostgreSQL
// answers 55006. That blip is retried here, in process, with capped
// full-jitter backoff; anything else, or a slot still busy after the budget,
// is the caller's (and the state machine's) to handle.
export async function withSlotRetry<T>(signal: AbortSignal, log: Logger, open: () => Promise<T>, budgetMs = 30_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    let error: TributaryError;
    try {
      return await open();
    } catch (err) {
      error = classify(err, 'source');
    }
    if (error.code !== 'SlotInUse' || Date.now() >= deadline || signal.aborted) throw error;
    const delay = Math.random() * Math.min(5_000, 250 * 2 ** attempt);
    log.warn('slot in use; retrying', { attempt, delayMs: Math.round(delay) });
    await new Promise((r) => setTimeout(r, delay));
  }
}
