import { describe, expect, it } from 'vitest';
import type { ColumnInfo, IndexInfo, TableInfo } from '../../../../shared/prechecks/selected-tables.ts';
import { assessTablesExist } from '../../../../shared/prechecks/checks/tables-exist.ts';
import { assessTableKinds } from '../../../../shared/prechecks/checks/table-kind.ts';
import { assessPrimaryKeys } from '../../../../shared/prechecks/checks/primary-key.ts';
import { assessReplicaIdentity } from '../../../../shared/prechecks/checks/replica-identity.ts';
import { assessToastIdentity } from '../../../../shared/prechecks/checks/toast-replica-identity.ts';
import { assessNames } from '../../../../shared/prechecks/checks/name-rules.ts';
import { assessForbiddenColumns } from '../../../../shared/prechecks/checks/forbidden-column-names.ts';

const col = (name: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({ name, type: 'integer', notNull: false, toastable: false, ...extra });
const pk = (columns: string[], name = 'pk'): IndexInfo => ({ name, columns, primary: true, unique: true, replicaIdentity: false, valid: true, plain: true, ownedByConstraint: true });

function table(name: string, rel: Partial<NonNullable<TableInfo['relation']>> = {}, schema = 'public'): TableInfo {
  return {
    schema,
    table: name,
    schemaExists: true,
    schemaUsage: true,
    relation: {
      oid: 1, kind: 'r', persistence: 'p', replicaIdentity: 'd', owner: 'app', ownedByUser: true, canSelect: true, totalBytes: 8192,
      columns: [col('id', { notNull: true })], indexes: [pk(['id'])], partitions: [],
      ...rel,
    },
  };
}
const missing = (name: string, schemaExists = true): TableInfo => ({ schema: 'public', table: name, schemaExists, schemaUsage: schemaExists });

describe('tables-exist', () => {
  it('passes when every table is found', () => {
    expect(assessTablesExist([table('a'), table('b')])).toMatchObject({ status: 'pass', detail: 'all 2 selected table(s) exist' });
  });
  it('lists every missing table and says whether the schema is missing too', () => {
    const f = assessTablesExist([table('a'), missing('gone'), { ...missing('x', false), schema: 'nope' }]);
    expect(f.status).toBe('error');
    expect(f.detail).toBe('2 of 3 selected table(s) not found: "public"."gone" (no such table), "nope"."x" (no schema "nope")');
    expect(f.fix).toContain('{"schema":"public","table":"gone"}');
  });
});

describe('table-kind', () => {
  it('flags unlogged, temporary, system, view and partitioned relations, each with its fix', () => {
    const f = assessTableKinds([
      table('ok'),
      table('fast', { persistence: 'u' }),
      table('scratch', { persistence: 't' }),
      table('pg_class', {}, 'pg_catalog'),
      table('report', { kind: 'v' }),
      table('events', { kind: 'p', partitions: ['events_2024', 'events_2025'] }),
      missing('gone'),
    ], 120000); // PostgreSQL 12: no publish_via_partition_root
    expect(f.status).toBe('error');
    expect(f.detail).toMatch(/^5 of 6 table\(s\) cannot be replicated/);
    expect(f.detail).toContain('"public"."fast" is unlogged');
    expect(f.detail).toContain('"public"."scratch" is a temporary table');
    expect(f.detail).toContain('"pg_catalog"."pg_class" is a system table');
    expect(f.detail).toContain('"public"."report" is a view, not a table');
    expect(f.detail).toContain('"public"."events" is partitioned');
    expect(f.fix).toContain('ALTER TABLE "public"."fast" SET LOGGED;');
    expect(f.fix).toContain('events_2024, events_2025');
  });
  it('passes ordinary tables, and partitioned ones from PostgreSQL 13 (published through their root)', () => {
    expect(assessTableKinds([table('a')]).status).toBe('pass');
    expect(assessTableKinds([table('events', { kind: 'p', partitions: ['events_2024'] })], 170000).status).toBe('pass');
  });
});

describe('primary-key', () => {
  it('promotes a unique index over NOT NULL columns when there is one', () => {
    const uniq: IndexInfo = { ...pk(['code']), name: 'orders_code_idx', primary: false, ownedByConstraint: false };
    const f = assessPrimaryKeys([table('orders', { indexes: [uniq], columns: [col('code', { notNull: true })] })]);
    expect(f).toMatchObject({ status: 'error', fix: 'ALTER TABLE "public"."orders" ADD PRIMARY KEY USING INDEX "orders_code_idx";' });
  });
  it('uses the columns of a UNIQUE constraint, whose index PostgreSQL will not promote', () => {
    const uniq: IndexInfo = { ...pk(['region', 'code']), name: 'orders_region_code_key', primary: false };
    const f = assessPrimaryKeys([table('orders', { indexes: [uniq], columns: [col('region', { notNull: true }), col('code', { notNull: true })] })]);
    expect(f.fix).toBe('ALTER TABLE "public"."orders" ADD PRIMARY KEY ("region", "code");');
  });
  it('does not promote a unique index over a nullable column, a partial or an invalid one', () => {
    const nullable: IndexInfo = { ...pk(['code']), name: 'u1', primary: false };
    const partial: IndexInfo = { ...pk(['id']), name: 'u2', primary: false, plain: false };
    const f = assessPrimaryKeys([table('t', { indexes: [nullable, partial], columns: [col('id', { notNull: true }), col('code')] })]);
    expect(f.fix).toBe('ALTER TABLE "public"."t" ADD PRIMARY KEY (<key columns>);');
  });
  it('ignores views (table-kind reports them) and missing tables', () => {
    expect(assessPrimaryKeys([table('v', { kind: 'v', indexes: [] }), missing('m')]).status).toBe('pass');
  });
});

describe('replica-identity', () => {
  it('accepts default with a primary key, full, and a valid index', () => {
    const idx: IndexInfo = { ...pk(['code']), primary: false, replicaIdentity: true };
    const f = assessReplicaIdentity([table('a'), table('b', { replicaIdentity: 'f', indexes: [] }), table('c', { replicaIdentity: 'i', indexes: [idx] })]);
    expect(f).toMatchObject({ status: 'pass', detail: 'replica identity is usable on all 3 table(s) (1 default, 1 full, 1 index)' });
  });
  it('rejects NOTHING and DEFAULT without a key, offering REPLICA IDENTITY FULL', () => {
    const f = assessReplicaIdentity([table('a', { replicaIdentity: 'n' }), table('b', { indexes: [] })]);
    expect(f.status).toBe('error');
    expect(f.detail).toContain('"public"."a" (REPLICA IDENTITY NOTHING)');
    expect(f.detail).toContain('"public"."b" (REPLICA IDENTITY DEFAULT without a primary key)');
    expect(f.fix).toBe('ALTER TABLE "public"."a" REPLICA IDENTITY FULL;\nALTER TABLE "public"."b" REPLICA IDENTITY FULL;');
  });
});

describe('toast-replica-identity', () => {
  it('warns (ignorable) about TOASTable columns outside the key unless the identity is FULL', () => {
    const columns = [col('id', { notNull: true }), col('body', { type: 'text', toastable: true })];
    const f = assessToastIdentity([table('docs', { columns }), table('full', { columns, replicaIdentity: 'f' })]);
    expect(f).toMatchObject({ status: 'warning', ignorable: true, fix: 'ALTER TABLE "public"."docs" REPLICA IDENTITY FULL;' });
    expect(f.detail).toContain('"public"."docs" ("body")');
    expect(f.detail).not.toContain('"full"');
  });
  it('on a standby the fix runs on the primary, and acknowledging accepts the gap (Tributary cannot apply it there)', () => {
    const f = assessToastIdentity([table('docs', { columns: [col('id', { notNull: true }), col('body', { type: 'text', toastable: true })] })], true);
    expect(f).toMatchObject({ status: 'warning', ignorable: true });
    expect(f.fix).toBe('-- on the primary: the source is a standby (read-only) and this replicates to it\nALTER TABLE "public"."docs" REPLICA IDENTITY FULL;');
    expect(f.detail).toContain('the source is a standby, so Tributary cannot apply the fix itself');
    expect(assessReplicaIdentity([table('a', { replicaIdentity: 'n' })], true).fix).toBe('-- on the primary: the source is a standby (read-only) and this replicates to it\nALTER TABLE "public"."a" REPLICA IDENTITY FULL;');
  });
  it('a TOASTable primary-key column is always logged, so it does not count', () => {
    const f = assessToastIdentity([table('t', { columns: [col('code', { toastable: true, notNull: true })], indexes: [pk(['code'])] })]);
    expect(f.status).toBe('pass');
  });
});

describe('name rules and reserved column names', () => {
  it('checks the database, schema, table and column names with the fix for each', () => {
    const f = assessNames('shop%eu', [table("o'rders", { columns: [col('id'), col('a"b')] }, 'sales.eu')]);
    expect(f.status).toBe('error');
    expect(f.detail).toMatch(/^4 name\(s\) break the naming rules/);
    expect(f.fix!.split('\n')).toEqual([
      'ALTER DATABASE "shop%eu" RENAME TO "shop_eu";',
      'ALTER SCHEMA "sales.eu" RENAME TO "sales_eu";',
      `ALTER TABLE "sales.eu"."o'rders" RENAME TO "o_rders";`,
      `ALTER TABLE "sales.eu"."o'rders" RENAME COLUMN "a""b" TO "a_b";`,
    ]);
  });
  it('passes ordinary names, counting what it looked at', () => {
    expect(assessNames('shop', [table('orders', { columns: [col('id'), col('total')] })]).detail).toBe(
      'the database, 1 schema(s), 1 table(s) and 2 column name(s) follow the naming rules',
    );
  });
  it('finds reserved column names in any case and renames them', () => {
    const f = assessForbiddenColumns([table('t', { columns: [col('id'), col('TID'), col('xmin')] })]);
    expect(f.status).toBe('error');
    expect(f.fix).toBe('ALTER TABLE "public"."t" RENAME COLUMN "TID" TO "TID_";\nALTER TABLE "public"."t" RENAME COLUMN "xmin" TO "xmin_";');
  });
});
