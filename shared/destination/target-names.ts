import type { PostgresDestination, TableRef } from '../job/job-spec.ts';

// Where a source table lands on a PostgreSQL destination (SPEC.md §2, DTS
// "Map object names" and "Capitalization of object names"). An explicit
// target name is used as written; every other name follows nameCase:
// "default" and "source" keep the source's spelling (DTS's default between
// two PostgreSQL databases), "lower" and "upper" fold it. The sink and the
// prechecks both use this, so a precheck looks at exactly the tables the
// sink will write.

export type NameCase = PostgresDestination['nameCase'];
export type TargetTable = { schema: string; table: string; column(source: string): string };

export function foldName(name: string, nameCase: NameCase): string {
  switch (nameCase) {
    case 'lower': return name.toLowerCase();
    case 'upper': return name.toUpperCase();
    default: return name;
  }
}

export function targetOf(table: Pick<TableRef, 'schema' | 'table' | 'target'>, nameCase: NameCase): TargetTable {
  const columns = table.target?.columns ?? {};
  return {
    schema: table.target?.schema ?? foldName(table.schema, nameCase),
    table: table.target?.table ?? foldName(table.table, nameCase),
    column: (source) => (Object.hasOwn(columns, source) ? columns[source] : foldName(source, nameCase)),
  };
}
