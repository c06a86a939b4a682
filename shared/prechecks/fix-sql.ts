import { quoteIdent } from '../source/pg-config.ts';

// Builders for the fix statements results carry. These strings are shown to a
// person (and run by the tests); they are never executed by Tributary with
// user input in them, but they are quoted as if they were.

/** A string literal the way PostgreSQL's quote_literal writes it. */
export function quoteLiteral(value: string): string {
  // standard_conforming_strings is on by default since 9.1: a backslash is an ordinary character
  return `'${value.replaceAll("'", "''")}'`;
}

export const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;

/** A postgresql.conf setting that needs a restart, as the two lines that apply it. */
export const alterSystemRestart = (name: string, value: string) =>
  `ALTER SYSTEM SET ${name} = ${value};\n-- then restart PostgreSQL (on RDS / Aurora: set it in the DB parameter group and reboot)`;

/** A setting a reload applies. */
export const alterSystemReload = (name: string, value: string) =>
  `ALTER SYSTEM SET ${name} = ${value};\nSELECT pg_reload_conf();`;

/** A standby refuses DDL: on a standby source, a fix that changes the schema is run on the primary and replicates. */
export const onPrimary = (standby: boolean, fix: string) => (standby ? `-- on the primary: the source is a standby (read-only) and this replicates to it\n${fix}` : fix);

/** "a, b and 3 more": details stay readable with thousands of tables. */
export function listSome(items: string[], max = 20): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** 1536 → "1.5 kB"; binary units, as PostgreSQL prints sizes. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** 90 → "2 min", 7200 → "2.0 h", 200000 → "2.3 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
