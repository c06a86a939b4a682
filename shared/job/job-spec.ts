import { z } from 'zod';
import { RowFilter } from './row-filter.ts';
import { Alerting } from './alerting-spec.ts';

// The job as a user writes it (SPEC.md §2). Every range and cross-field rule
// lives here so that the API edge, the worker and the CLI agree on one shape.

const identifier = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(63, `${what} is at most 63 characters (PostgreSQL's NAMEDATALEN)`)
    .refine((s) => !/["'.<>]/.test(s), `${what} must not contain " ' . < or > (seed naming rules)`);

export const PostgresConnection = z.strictObject({
  type: z.literal('postgresql'),
  host: z.string().min(1, 'host is required, e.g. "db.internal"'),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z
    .string()
    .min(1)
    .max(63)
    .refine((s) => !/[+"%'\\<>]/.test(s), 'database name must not contain + " % \' \\ < or > (seed naming rules)'),
  user: z.string().min(1, 'user is required'),
  password: z.string().min(1, 'password is required; it is stored in the secret store, never with the job'),
  sslmode: z.enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full']).default('prefer'),
});
export type PostgresConnection = z.infer<typeof PostgresConnection>;

const TOPIC_VARIABLES = ['#{source_db_name}', '#{source_schema_name}', '#{source_table_name}'];

export const KafkaDestination = z.strictObject({
  type: z.literal('kafka'),
  brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker is host:port, e.g. "b1.internal:9092"')).min(1),
  topicRule: z
    .string()
    .min(1)
    .max(249)
    .refine(
      (rule) => (rule.match(/#\{[^}]*\}/g) ?? []).every((v) => TOPIC_VARIABLES.includes(v)),
      `topicRule may use only ${TOPIC_VARIABLES.join(', ')}`,
    )
    .default('#{source_db_name}.#{source_schema_name}.#{source_table_name}'),
  partitionPolicy: z.enum(['partition-0', 'hash-db-table', 'hash-primary-key']).default('hash-primary-key'),
  newTopicPartitions: z.number().int().min(1).max(1000).default(3),
  // at-least-once: records carry an idempotency key header (commit LSN:index) for consumers to deduplicate.
  // exactly-once: a transactional producer commits records with the job's position at each checkpoint;
  // read_committed consumers see each change once (ARCHITECTURE.md §2).
  deliveryGuarantee: z
    .enum(['at-least-once', 'exactly-once'])
    .default('at-least-once')
    .describe('at-least-once: re-sends after a crash, deduplicate on the tributary.idempotency-key header; exactly-once: Kafka transactions committed with the source position, read_committed consumers see each change once'),
  tombstonesOnDelete: z.boolean().default(true),
  // Keys are checked by a refinement, not a key schema: zod reports a bad
  // record key only as a generic "Invalid key", which would hide the fix.
  properties: z
    .record(z.string(), z.string())
    .superRefine((props, ctx) => {
      for (const key of Object.keys(props)) {
        if (!/^properties\.[a-z0-9.]+$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `producer properties are written "properties.<kafka key>", e.g. "properties.${key.replace(/^properties\./, '')}"` });
      }
    })
    .default({}),
});
export type KafkaDestination = z.infer<typeof KafkaDestination>;

// A PostgreSQL destination (seed 004, DTS): the connection as for the source;
// its password goes to the secret store exactly like the source's.
// conflictMode: "precheck-and-report" fails the precheck when a target table
// exists; "ignore-and-proceed" keeps existing rows in the full phase and
// overwrites them in the incremental one. nameCase: how target schema, table
// and column names are spelled ("default" = as in the source, DTS's policy
// between two PostgreSQL databases).
export const PostgresDestination = PostgresConnection.extend({
  conflictMode: z
    .enum(['precheck-and-report', 'ignore-and-proceed'], { message: 'conflictMode is "precheck-and-report" (default) or "ignore-and-proceed"' })
    .default('precheck-and-report'),
  nameCase: z.enum(['default', 'source', 'lower', 'upper'], { message: 'nameCase is "default", "source", "lower" or "upper"' }).default('default'),
});
export type PostgresDestination = z.infer<typeof PostgresDestination>;

export const Destination = z.discriminatedUnion('type', [KafkaDestination, PostgresDestination], {
  message: 'destination.type is "kafka" (brokers, topicRule, …) or "postgresql" (host, port, database, user, password, sslmode, conflictMode, nameCase)',
});
export type Destination = z.infer<typeof Destination>;

// Name mapping for a PostgreSQL destination (SPEC.md §2 objects, DTS "Map
// object names"): the target schema and table, and per source column its
// target name. Unset parts follow the source name and destination.nameCase.
export const TableTarget = z.strictObject({
  schema: identifier('target.schema').optional(),
  table: identifier('target.table').optional(),
  columns: z
    .record(z.string().min(1, 'a source column name must not be empty'), identifier('target column name'))
    .optional(),
});
export type TableTarget = z.infer<typeof TableTarget>;

export const TableRef = z.strictObject({
  schema: identifier('schema').default('public'),
  table: identifier('table'),
  operations: z.array(z.enum(['INSERT', 'UPDATE', 'DELETE'])).min(1).default(['INSERT', 'UPDATE', 'DELETE']),
  rowFilter: RowFilter.optional(),
  target: TableTarget.optional(),
});
export type TableRef = z.infer<typeof TableRef>;

// Every table of a schema, resolved to a table list when the job is
// prechecked and started (shared/source/select-objects.ts).
export const SchemaRef = z.strictObject({
  schema: identifier('schema'),
  operations: z.array(z.enum(['INSERT', 'UPDATE', 'DELETE'])).min(1).default(['INSERT', 'UPDATE', 'DELETE']),
});
export type SchemaRef = z.infer<typeof SchemaRef>;

// What the job syncs (SPEC.md §2): the whole database, some schemas, some
// tables, or a mix. `tables` also carries per-table settings (operations,
// row filter) for tables that a schema or the whole database already selects.
export const Objects = z
  .strictObject({
    wholeDatabase: z.boolean().optional().describe('every permanent table of the database outside the system schemas'),
    schemas: z.array(SchemaRef).min(1, 'list at least one schema, or leave "schemas" out').optional(),
    tables: z.array(TableRef).default([]),
    // names as they are on the source, unchecked: a table is often excluded because its name breaks the seed rules
    excludeTables: z
      .array(z.strictObject({ schema: z.string().min(1).max(63).default('public'), table: z.string().min(1, 'table is required').max(63) }))
      .optional()
      .describe('tables the whole database or a schema would select that the job leaves out (no primary key, odd names, too big)'),
  })
  .refine((o) => o.wholeDatabase === true || (o.schemas?.length ?? 0) > 0 || o.tables.length > 0, {
    message: 'objects selects nothing: set "wholeDatabase": true, list "schemas", or list "tables"',
  })
  .refine((o) => !(o.wholeDatabase === true && o.schemas !== undefined), {
    path: ['schemas'],
    message: 'wholeDatabase already selects every schema: remove "schemas" or "wholeDatabase"',
  })
  .refine((o) => o.excludeTables === undefined || o.wholeDatabase === true || o.schemas !== undefined, {
    path: ['excludeTables'],
    message: 'excludeTables applies to wholeDatabase or schemas; with a table list, leave the table out of "tables" instead',
  })
  .refine((o) => !(o.excludeTables ?? []).some((x) => o.tables.some((t) => t.schema === x.schema && t.table === x.table)), {
    path: ['excludeTables'],
    message: 'a table cannot be both listed in "tables" and excluded: remove it from one of them',
    when: ({ value }) => Array.isArray((value as { tables?: unknown })?.tables) && Array.isArray((value as { excludeTables?: unknown })?.excludeTables),
  })
  .refine((o) => new Set((o.schemas ?? []).map((s) => s.schema)).size === (o.schemas ?? []).length, {
    path: ['schemas'],
    message: 'each schema may be listed once',
    when: ({ value }) => Array.isArray((value as { schemas?: unknown })?.schemas) && (value as { schemas: Array<{ schema?: unknown }> }).schemas.every((s) => typeof s?.schema === 'string'),
  });
export type Objects = z.infer<typeof Objects>;

// Where the job starts (SPEC.md §2, DataArts): a full copy of the tables
// followed by their changes, or changes only — from now, from a commit
// timestamp (earlier commits are skipped) or from an LSN.
export const StartMode = z
  .strictObject({
    type: z.enum(['full+incremental', 'incremental']).default('full+incremental'),
    fromTimestamp: z.iso.datetime({ offset: true, message: 'fromTimestamp is an ISO 8601 time with a zone, e.g. "2026-11-23T10:00:00Z"' }).optional(),
    fromLsn: z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/, 'fromLsn is an LSN like "16/B374D848"').optional(),
  })
  .refine((m) => m.type === 'incremental' || (m.fromTimestamp === undefined && m.fromLsn === undefined), {
    message: 'fromTimestamp and fromLsn need type "incremental" (a full synchronization starts from the snapshot)',
  })
  .refine((m) => m.fromTimestamp === undefined || m.fromLsn === undefined, { message: 'give fromTimestamp or fromLsn, not both' });
export type StartMode = z.infer<typeof StartMode>;

// Which phases run (SPEC.md §2, DTS). Unset fields follow startMode; schema
// synchronization applies to a PostgreSQL destination only.
export const SyncTypes = z.strictObject({
  schema: z.boolean().optional(),
  full: z.boolean().optional(),
  incremental: z.boolean().optional(),
});
export type SyncTypes = z.infer<typeof SyncTypes>;

const perSecond = (what: string) => z.number().positive(`${what} must be greater than 0`).optional();

// Throttling (DTS): the full phase by source queries/s, rows/s, MB/s; the
// incremental phase by rows/s (change events) and MB/s (pgoutput bytes read).
// Each optional.
export const Throttle = z.strictObject({
  full: z
    .strictObject({ queriesPerSecond: perSecond('throttle.full.queriesPerSecond'), rowsPerSecond: perSecond('throttle.full.rowsPerSecond'), mbPerSecond: perSecond('throttle.full.mbPerSecond') })
    .optional(),
  incremental: z
    .strictObject({ rowsPerSecond: perSecond('throttle.incremental.rowsPerSecond'), mbPerSecond: perSecond('throttle.incremental.mbPerSecond') })
    .optional(),
});
export type Throttle = z.infer<typeof Throttle>;

export const JobSpec = z
  .strictObject({
    name: z.string().min(1).max(128).optional(),
    source: PostgresConnection,
    destination: Destination,
    objects: Objects.default({ wholeDatabase: true, tables: [] }),
    connectionRetryMinutes: z.number().int().min(10).max(1440).default(720),
    otherRetryMinutes: z.number().int().min(1).max(1440).default(10),
    resources: z.strictObject({ cpuCores: z.number().int().min(2).max(32).default(2) }).default({ cpuCores: 2 }),
    slotPrefix: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,39}$/, 'slotPrefix is lower-case letters, digits and _, at most 40 characters')
      .default('tributary_'),
    // defaults to slotPrefix: one prefix names both unless the publication needs its own
    publicationPrefix: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,39}$/, 'publicationPrefix is lower-case letters, digits and _, at most 40 characters')
      .optional(),
    tags: z.record(z.string(), z.string()).default({}),
    environmentTag: z.string().trim().min(1, 'environmentTag must not be empty; leave it out instead').max(128, 'environmentTag is at most 128 characters').optional()
      .describe('free text naming the environment the job belongs to, e.g. "production"'),
    alerting: Alerting.default({ onFailure: true }),
    startMode: StartMode.default({ type: 'full+incremental' }),
    syncTypes: SyncTypes.optional(),
    throttle: Throttle.optional(),
  })
  // Cross-field rules run whenever the fields they read are themselves valid
  // (zod's `when`), so one response lists every problem, not the first few.
  .refine((j) => j.otherRetryMinutes < j.connectionRetryMinutes, {
    path: ['otherRetryMinutes'],
    message: 'otherRetryMinutes must be less than connectionRetryMinutes',
    when: ({ value }) => {
      const v = value as Partial<Record<'otherRetryMinutes' | 'connectionRetryMinutes', unknown>>;
      return Number.isInteger(v?.otherRetryMinutes) && Number.isInteger(v?.connectionRetryMinutes);
    },
  })
  .refine((j) => new Set(j.objects.tables.map((t) => `${t.schema}.${t.table}`)).size === j.objects.tables.length, {
    path: ['objects', 'tables'],
    message: 'each table may be listed once',
    when: ({ value }) => {
      const tables = (value as { objects?: { tables?: unknown } })?.objects?.tables;
      return Array.isArray(tables) && tables.every((t) => typeof t?.table === 'string');
    },
  })
  .refine((j) => phasesOf(j).full || phasesOf(j).incremental, {
    path: ['syncTypes'],
    message: 'syncTypes must include full or incremental (or both)',
    when: ({ value }) => typeof (value as { syncTypes?: unknown })?.syncTypes === 'object',
  })
  .superRefine((j, ctx) => {
    // Target names exist only where there are tables to name. (Also run on a partly invalid body: every value is optional here.)
    if (j?.destination?.type !== 'kafka' || !Array.isArray(j.objects?.tables)) return;
    j.objects.tables.forEach((t, i) => {
      if (t?.target) ctx.addIssue({ code: 'custom', path: ['objects', 'tables', i, 'target'], message: 'target maps names on a PostgreSQL destination; for Kafka use destination.topicRule' });
    });
  })
  .refine((j) => j.destination?.type !== 'postgresql' || new Set(j.objects.tables.map((t) => `${t.target?.schema ?? t.schema}.${t.target?.table ?? t.table}`)).size === j.objects.tables.length, {
    path: ['objects', 'tables'],
    message: 'two tables map to the same target table; give each a distinct target.schema / target.table',
    when: ({ value }) => {
      const tables = (value as { objects?: { tables?: unknown } })?.objects?.tables;
      return Array.isArray(tables) && tables.every((t) => typeof t?.table === 'string');
    },
  })
  .refine((j) => !(j.startMode?.type === 'incremental' && j.syncTypes?.full === true), {
    path: ['syncTypes', 'full'],
    message: 'startMode "incremental" skips the full phase; set syncTypes.full to false or use startMode "full+incremental"',
    when: ({ value }) => typeof (value as { syncTypes?: unknown })?.syncTypes === 'object',
  });
export type JobSpec = z.infer<typeof JobSpec>;

/** The phases a job runs: explicit syncTypes win, unset ones follow startMode. */
export function phasesOf(job: { startMode?: StartMode; syncTypes?: SyncTypes }): { full: boolean; incremental: boolean } {
  const fromStart = (job.startMode?.type ?? 'full+incremental') === 'full+incremental';
  return { full: job.syncTypes?.full ?? fromStart, incremental: job.syncTypes?.incremental ?? true };
}
export type JobSpecInput = z.input<typeof JobSpec>;
