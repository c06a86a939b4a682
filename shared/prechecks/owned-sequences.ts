import type { PrecheckContext } from './precheck.ts';
import { existing, selectedTables } from './selected-tables.ts';

// Sequences that belong to the selected tables: serial columns ('a' auto
// dependencies) and identity columns ('i' internal ones).
export type OwnedSequence = {
  schema: string;
  name: string;
  table: { schema: string; table: string };
  column: string;
  canSelect: boolean;
  /** null when never used, or when the account may not read it (pg_sequences hides it then). */
  lastValue: string | null;
  startValue: string | null;
};

export function ownedSequences(ctx: PrecheckContext): Promise<OwnedSequence[]> {
  return ctx.memo('owned-sequences', async () => {
    const tables = existing(await selectedTables(ctx));
    const byOid = new Map(tables.map((t) => [String(t.relation.oid), t]));
    const client = await ctx.source();
    const { rows } = await client.query(
      `SELECT d.refobjid::int8 AS table_oid, sn.nspname AS schema, s.relname AS name, a.attname AS column,
              has_sequence_privilege(s.oid, 'SELECT') AS can_select,
              ps.last_value::text AS last_value, ps.start_value::text AS start_value
         FROM pg_depend d
         JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         JOIN pg_namespace sn ON sn.oid = s.relnamespace
         LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         LEFT JOIN pg_sequences ps ON ps.schemaname = sn.nspname AND ps.sequencename = s.relname
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.deptype IN ('a', 'i') AND d.refobjid = ANY($1::oid[])
        ORDER BY sn.nspname, s.relname`,
      [[...byOid.keys()]],
    );
    return rows.map((r) => {
      const t = byOid.get(String(r.table_oid))!;
      return {
        schema: r.schema, name: r.name, column: r.column, canSelect: r.can_select,
        lastValue: r.last_value, startValue: r.start_value, table: { schema: t.schema, table: t.table },
      };
    });
  });
}
