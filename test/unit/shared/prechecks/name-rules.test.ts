import { describe, expect, it } from 'vitest';
import { forbiddenCharacters, isForbiddenColumnName, FORBIDDEN_COLUMN_NAMES } from '../../../../shared/prechecks/name-rules.ts';

describe('naming rules (seed 000)', () => {
  it.each([
    ['database', 'shop', []],
    ['database', 'shop-eu_1$', []],
    ['database', `a+b"c%d'e\\f<g>h`, ['+', '"', '%', "'", '\\', '<', '>']],
    ['schema', 'sales.eu', ['.']],
    ['schema', 'a%b', []],
    ['table', `o'rders<>`, ["'", '<', '>']],
    ['table', 'Order Lines', []],
    ['column', 'a.b<c>', []],
    ['column', `it's "x"`, ["'", '"']],
  ] as const)('%s %j → forbidden %j', (kind, name, expected) => {
    expect(forbiddenCharacters(kind, name)).toEqual(expected);
  });

  it('reports each forbidden character once', () => {
    expect(forbiddenCharacters('table', "a''b''")).toEqual(["'"]);
  });

  it.each(['CTID', 'xmin', 'Cmin', 'XMAX', 'cmax', 'TableOid', 'xc_node_id', 'TID', 'tid'])('%s is a reserved column name in any case', (name) => {
    expect(isForbiddenColumnName(name)).toBe(true);
  });

  it.each(['id', 'tid_', 'xmin2', 'ctid_copy', 'oid', 'node_id'])('%s is allowed', (name) => {
    expect(isForbiddenColumnName(name)).toBe(false);
  });

  it('lists exactly the seed names', () => {
    expect(FORBIDDEN_COLUMN_NAMES).toEqual(['CTID', 'XMIN', 'CMIN', 'XMAX', 'CMAX', 'TABLEOID', 'XC_NODE_ID', 'TID']);
  });
});
