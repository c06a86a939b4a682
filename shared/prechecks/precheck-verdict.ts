import type { CheckResult, PrecheckReport } from './precheck.ts';

// A precheck passes when nothing blocks: no error and no warning the user may
// not acknowledge. Ignorable warnings still pass but are listed, because the
// job starts only once they are acknowledged (SPEC.md §3). A skipped check
// never blocks on its own: it is skipped because another check failed (which
// blocks) or because it does not apply to this source.
export function verdictOf(results: CheckResult[]): Pick<PrecheckReport, 'verdict' | 'needsAcknowledgement' | 'blocking'> {
  const blocking = results.filter((r) => r.status === 'error' || (r.status === 'warning' && !r.ignorable)).map((r) => r.id);
  const needsAcknowledgement = results.filter((r) => r.status === 'warning' && r.ignorable).map((r) => r.id);
  return { verdict: blocking.length ? 'failed' : 'passed', needsAcknowledgement, blocking };
}
