// The seeds' naming rules (DataArts PostgreSQL → Kafka, "Important notes"):
// a database name may not contain + " % ' \ < >, a schema or table name may
// not contain " . ' < >, a column name may not contain " or ', and some
// column names are reserved by downstream systems whatever their case.

export type NameKind = 'database' | 'schema' | 'table' | 'column';

const FORBIDDEN_CHARACTERS: Record<NameKind, string> = {
  database: '+"%\'\\<>',
  schema: '".\'<>',
  table: '".\'<>',
  column: '"\'',
};

export const FORBIDDEN_COLUMN_NAMES = ['CTID', 'XMIN', 'CMIN', 'XMAX', 'CMAX', 'TABLEOID', 'XC_NODE_ID', 'TID'] as const;

/** The characters of `name` that the rules forbid for this kind of name, each once, in order of appearance. */
export function forbiddenCharacters(kind: NameKind, name: string): string[] {
  const banned = FORBIDDEN_CHARACTERS[kind];
  return [...new Set([...name].filter((ch) => banned.includes(ch)))];
}

export function isForbiddenColumnName(name: string): boolean {
  return (FORBIDDEN_COLUMN_NAMES as readonly string[]).includes(name.toUpperCase());
}

export const forbiddenCharacterList = (kind: NameKind) => [...FORBIDDEN_CHARACTERS[kind]].join(' ');
