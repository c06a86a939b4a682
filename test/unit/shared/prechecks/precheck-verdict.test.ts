import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../../shared/prechecks/precheck-verdict.ts';
import type { CheckResult, CheckStatus } from '../../../../shared/prechecks/precheck.ts';

const r = (id: string, status: CheckStatus, ignorable = false): CheckResult => ({ id, title: id, status, detail: '', ignorable });

describe('verdictOf', () => {
  it('passes when everything passes or is skipped for not applying', () => {
    expect(verdictOf([r('a', 'pass'), r('b', 'skipped')])).toEqual({ verdict: 'passed', needsAcknowledgement: [], blocking: [] });
  });

  it('passes with ignorable warnings, listing them for acknowledgement', () => {
    expect(verdictOf([r('a', 'pass'), r('toast', 'warning', true), r('wal', 'warning', true)])).toEqual({
      verdict: 'passed', needsAcknowledgement: ['toast', 'wal'], blocking: [],
    });
  });

  it('fails on any error, and on a warning that may not be ignored', () => {
    expect(verdictOf([r('a', 'error'), r('b', 'warning', true)])).toEqual({ verdict: 'failed', needsAcknowledgement: ['b'], blocking: ['a'] });
    expect(verdictOf([r('a', 'warning', false)])).toEqual({ verdict: 'failed', needsAcknowledgement: [], blocking: ['a'] });
  });

  it('an empty run passes', () => {
    expect(verdictOf([]).verdict).toBe('passed');
  });
});
