import type pg from 'pg';
import type { ChangeEvent } from '../../change-event.ts';
import { quoteIdent } from '../../../shared/source/pg-config.ts';
import type { Logger } from '../../../shared/logger.ts';

// Captured DDL on a PostgreSQL destination (SPEC.md §4: "applied where safe").
// Applied: ALTER TABLE <selected table> ADD [COLUMN] [IF NOT EXISTS] <name>
// <type> as the whole statement, with a plain type (name, optional (n) or
// (p,s), optional []) — the one change that cannot lose or rewrite data on
// the destination. Everything else (DROP/RENAME/ALTER TYPE of a column, ADD
// COLUMN with DEFAULT or constraints, CREATE INDEX, other tables, several
// commands in one statement) is logged with its statement and skipped: a row
// that later needs a column the destination lacks fails the job with
// DestinationSchemaMismatch, naming the column to add, instead of being
// written wrong.

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const TYPE = String.raw`[A-Za-z_][A-Za-z0-9_ ]*?(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s*\[\s*\])*`;
const ADD_COLUMN = new RegExp(
  String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:${IDENT}\s*\.\s*)?${IDENT}\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})\s+(${TYPE})\s*;?\s*$`,
  'i',
);

const CLAUSES = new Set(['default', 'not', 'null', 'constraint', 'primary', 'key', 'unique', 'references', 'check', 'generated', 'collate', 'using', 'identity']);

/** The column an ADD COLUMN statement adds and its type, or undefined when the statement is anything else. */
export function parseAddColumn(statement: string): { column: string; type: string } | undefined {
  const m = ADD_COLUMN.exec(statement);
  if (!m) return undefined;
  const raw = m[1];
  const column = raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw.toLowerCase();
  const type = m[2].trim().replace(/\s+/g, ' ');
  if (type.split(/[\s([\]]+/).some((word) => CLAUSES.has(word.toLowerCase()))) return undefined; // DEFAULT, NOT NULL, … are more than a column

  return { column, type };
}

export type DdlTarget = { schema: string; table: string; column(source: string): string };

/** Applies the DDL event when it is safe; returns true when it changed the destination. Runs inside the batch's transaction. */
export async function applyDdl(client: pg.Client, event: ChangeEvent, target: DdlTarget | undefined, log: Pick<Logger, 'info' | 'warn'>): Promise<boolean> {
  const ddl = event.ddl!;
  const where = { commandTag: ddl.commandTag, object: ddl.identity, statement: ddl.statement.slice(0, 500) };
  if (!target) return false; // not a selected table: nothing on the destination to change
  const add = ddl.commandTag === 'ALTER TABLE' && ddl.objectType === 'table' ? parseAddColumn(ddl.statement) : undefined;
  if (!add) {
    log.warn('schema change not applied on the destination (only a plain ADD COLUMN is); apply it there yourself if needed', where);
    return false;
  }
  // The type text matched a strict pattern (letters, digits, spaces, (p,s), []); the server checks it names a type before it is used.
  const known = await client.query('SELECT to_regtype($1) IS NOT NULL AS ok', [add.type]);
  if (!known.rows[0].ok) {
    log.warn('schema change not applied on the destination: its column type does not exist there', { ...where, type: add.type });
    return false;
  }
  const column = target.column(add.column);
  await client.query(`ALTER TABLE ${quoteIdent(target.schema)}.${quoteIdent(target.table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(column)} ${add.type}`);
  log.info('schema change applied on the destination', { ...where, table: `${target.schema}.${target.table}`, column });
  return true;
}
