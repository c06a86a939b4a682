import { describe, expect, it } from 'vitest';
import { PRECHECKS } from '../../../../shared/prechecks/checks/index.ts';
import { readFileSync } from 'node:fs';

// The one table of checks: ids are stable API values, prerequisites must
// name real checks and must not loop (a loop would deadlock the runner).
describe('the precheck table', () => {
  it('has unique kebab-case ids and a title for each', () => {
    const ids = PRECHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of PRECHECKS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.title.length).toBeGreaterThan(5);
    }
  });

  it('every prerequisite names a check listed earlier, so there is no cycle', () => {
    const seen = new Set<string>();
    for (const c of PRECHECKS) {
      for (const r of c.requires ?? []) expect(seen.has(r), `${c.id} requires ${r}`).toBe(true);
      seen.add(c.id);
    }
  });

  it('nothing touches the source before it is reachable and logged into', () => {
    const closure = (id: string): Set<string> => {
      const c = PRECHECKS.find((x) => x.id === id)!;
      return new Set([id, ...(c.requires ?? []).flatMap((r) => [...closure(r)])]);
    };
    const sourceChecks = PRECHECKS.filter((c) => !c.id.startsWith('kafka-') && !c.id.startsWith('destination-') && c.id !== 'source-reachable');
    for (const c of sourceChecks) expect(closure(c.id).has('source-reachable'), c.id).toBe(true);
    // destination-names reads only the source's catalog (target names are computed, not looked up)
    const destinationChecks = PRECHECKS.filter((c) => c.id.startsWith('destination-') && !['destination-reachable', 'destination-names'].includes(c.id));
    expect(destinationChecks.length).toBeGreaterThan(3);
    for (const c of destinationChecks) expect(closure(c.id).has('destination-reachable'), c.id).toBe(true);
    expect(closure('destination-names').has('source-reachable')).toBe(true);
    for (const c of PRECHECKS.filter((x) => x.id.startsWith('kafka-') && x.id !== 'kafka-brokers')) expect(closure(c.id).has('kafka-brokers'), c.id).toBe(true);
  });

  it('is documented: docs/prechecks.md has a row for every id', () => {
    const doc = readFileSync(new URL('../../../../docs/prechecks.md', import.meta.url), 'utf8');
    for (const c of PRECHECKS) expect(doc, c.id).toContain(`| \`${c.id}\` |`);
  });
});
