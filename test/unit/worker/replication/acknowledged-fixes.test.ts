import { describe, it, expect } from 'vitest';
import { acknowledgedFixes } from '../../../../worker/replication/acknowledged-fixes.ts';
import type { CheckResult } from '../../../../shared/prechecks/precheck.ts';

const report = (results: CheckResult[]) => ({ verdict: 'passed' as const, results, needsAcknowledgement: results.map((r) => r.id), blocking: [], startedAt: '', durationMs: 0 });
const toast: CheckResult = { id: 'toast-replica-identity', title: 't', status: 'warning', ignorable: true, detail: '', fix: 'ALTER TABLE "public"."orders" REPLICA IDENTITY FULL;\nALTER TABLE "we""ird"."t" REPLICA IDENTITY FULL;' };

describe('fixes applied for acknowledged warnings', () => {
  it('applies the REPLICA IDENTITY FULL statements of an acknowledged item', () => {
    expect(acknowledgedFixes({ precheck: { report: report([toast]), acknowledged: ['toast-replica-identity'] } })).toEqual([
      'ALTER TABLE "public"."orders" REPLICA IDENTITY FULL;',
      'ALTER TABLE "we""ird"."t" REPLICA IDENTITY FULL;',
    ]);
  });

  it('applies nothing that was not acknowledged, nothing of other checks, and no other statement shape', () => {
    expect(acknowledgedFixes({ precheck: { report: report([toast]), acknowledged: [] } })).toEqual([]);
    const other: CheckResult = { ...toast, id: 'wal-level', fix: "ALTER SYSTEM SET wal_level = 'logical';" };
    expect(acknowledgedFixes({ precheck: { report: report([other]), acknowledged: ['wal-level'] } })).toEqual([]);
    const sneaky: CheckResult = { ...toast, fix: 'ALTER TABLE "a"."b" REPLICA IDENTITY FULL; DROP TABLE x;' };
    expect(acknowledgedFixes({ precheck: { report: report([sneaky]), acknowledged: ['toast-replica-identity'] } })).toEqual([]);
    expect(acknowledgedFixes({})).toEqual([]);
  });
});
