import { describe, expect, it } from 'vitest';
import { OBJECT_CHECK_IDS, OBJECT_CHECKS } from '../../../../shared/prechecks/object-checks.ts';
import { PRECHECKS } from '../../../../shared/prechecks/checks/index.ts';

describe('object checks (a running job\'s new table list)', () => {
  it('name only checks that exist, and every prerequisite they need is among them', () => {
    expect(OBJECT_CHECKS.map((c) => c.id).sort()).toEqual([...OBJECT_CHECK_IDS].sort());
    for (const c of OBJECT_CHECKS) for (const r of c.requires ?? []) expect(OBJECT_CHECK_IDS).toContain(r);
  });

  it('leave out the checks a running job\'s own slot and walsender would fail', () => {
    for (const id of ['replication-slot', 'replication-slots-free', 'wal-senders-free', 'replication-connection']) {
      expect(PRECHECKS.some((c) => c.id === id)).toBe(true);
      expect(OBJECT_CHECK_IDS as readonly string[]).not.toContain(id);
    }
  });
});
