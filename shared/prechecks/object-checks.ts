import type { Precheck } from './precheck.ts';
import { PRECHECKS } from './checks/index.ts';

// The checks that speak for a job's objects (tables and their topics), run
// when a running job's table list changes (SPEC.md §3, DTS "modify
// synchronization objects"). The rest are left out on purpose: the slot, the
// walsender and the replication connection are in use by the job's own
// worker, and the server's settings did not change with the table list.
export const OBJECT_CHECK_IDS = [
  'source-reachable',
  'source-authentication',
  'schema-usage-privilege',
  'table-select-privilege',
  'sequence-select-privilege',
  'publication',
  'objects-selected',
  'tables-exist',
  'table-kind',
  'primary-key',
  'replica-identity',
  'row-filter',
  'toast-replica-identity',
  'name-rules',
  'forbidden-column-names',
  'sequences',
  'destination-reachable',
  'destination-authentication',
  'destination-privileges',
  'destination-conflicting-tables',
  'destination-names',
  'kafka-brokers',
  'kafka-topics',
  'kafka-message-size',
] as const;

export const OBJECT_CHECKS: readonly Precheck[] = PRECHECKS.filter((c) => (OBJECT_CHECK_IDS as readonly string[]).includes(c.id));
