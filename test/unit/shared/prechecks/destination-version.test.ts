import { describe, expect, it } from 'vitest';
import { assessDestinationVersion } from '../../../../shared/prechecks/checks/destination-version.ts';

// 16 passes and 11 fails against real servers (see the integration test);
// the other outcomes are checked on the assessment itself.
describe('destination-version', () => {
  it.each([
    [110022, '11.22', 'error', true],
    [120000, '12.0', 'pass', false],
    [170010, '17.10', 'pass', false],
    [180001, '18.1', 'warning', true],
  ])('%s (%s) → %s', (num, text, status, hasFix) => {
    const finding = assessDestinationVersion(num, text);
    expect(finding.status).toBe(status);
    expect(Boolean(finding.fix)).toBe(hasFix);
    expect(finding.detail).toContain(text);
    expect(finding.ignorable).toBe(status === 'warning');
  });
});
