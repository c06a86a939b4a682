import { describe, expect, it } from 'vitest';
import { mergedPrecheck, objectsChange } from '../../../../functions/api/change-running-objects.ts';
import type { CheckResult, PrecheckReport } from '../../../../shared/prechecks/precheck.ts';

const t = (table: string, operations: Array<'INSERT' | 'UPDATE' | 'DELETE'> = ['INSERT', 'UPDATE', 'DELETE']) => ({ schema: 'public', table, operations });
const r = (id: string, status: CheckResult['status'], ignorable = false): CheckResult => ({ id, title: id, status, detail: '', ignorable });
const report = (results: CheckResult[]): PrecheckReport => ({ verdict: 'passed', results, needsAcknowledgement: [], blocking: [], startedAt: '2026-11-23T00:00:00.000Z', durationMs: 1 });

describe('objectsChange', () => {
  it('names added, removed and changed tables', () => {
    expect(objectsChange({ tables: [t('a'), t('b'), t('c')] }, { tables: [t('a'), t('b', ['INSERT']), t('d')] })).toEqual({ added: ['public.d'], removed: ['public.c'], changed: ['public.b'] });
    expect(objectsChange({ tables: [t('a')] }, { tables: [t('a')] })).toEqual({ added: [], removed: [], changed: [] });
  });

  it('a changed selection (whole database, schemas, exclusions) is a change even with the same table list', () => {
    expect(objectsChange({ tables: [] , schemas: [{ schema: 'a', operations: ['INSERT'] }] }, { tables: [], wholeDatabase: true })).toEqual({ added: [], removed: [], changed: [], selection: true });
    expect(objectsChange({ tables: [], wholeDatabase: true }, { tables: [], wholeDatabase: true, excludeTables: [{ schema: 'public', table: 'x' }] }).selection).toBe(true);
  });
});

describe('mergedPrecheck', () => {
  it('replaces the results of checks that ran again, keeps the others, and recomputes the verdict', () => {
    const previous = { report: report([r('wal-level', 'pass'), r('primary-key', 'pass'), r('toast-replica-identity', 'warning', true)]), acknowledged: ['toast-replica-identity'] };
    const merged = mergedPrecheck(previous, report([r('primary-key', 'warning', true), r('toast-replica-identity', 'pass')]));
    expect(merged.report.results.map((x) => `${x.id}:${x.status}`)).toEqual(['wal-level:pass', 'primary-key:warning', 'toast-replica-identity:pass']);
    expect(merged.report.verdict).toBe('passed');
    expect(merged.report.needsAcknowledgement).toEqual(['primary-key']);
    expect(merged.acknowledged).toEqual([]);
  });

  it('keeps acknowledgements of checks that did not run again', () => {
    const previous = { report: report([r('wal-retention', 'warning', true)]), acknowledged: ['wal-retention'] };
    expect(mergedPrecheck(previous, report([r('tables-exist', 'pass')])).acknowledged).toEqual(['wal-retention']);
  });
});
