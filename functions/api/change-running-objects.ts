import type { JobRecord } from '../../shared/job/job-record.ts';
import type { JobSpec } from '../../shared/job/job-spec.ts';
import type { PrecheckReport } from '../../shared/prechecks/precheck.ts';
import type { AppDeps } from './app.ts';
import { verdictOf } from '../../shared/prechecks/precheck-verdict.ts';
import { updateJob, VersionConflict } from '../../shared/storage/job-store.ts';
import { savePatched } from './save-patched.ts';
import { destinationPasswordOf } from '../../shared/job/job-secrets.ts';

// Changing the tables of a running job (SPEC.md §3, DTS "modify
// synchronization objects"): the new list is checked first — the object
// checks only, since the slot is rightly in use by the job's worker — and
// stored only when nothing fails. The worker notices the new list
// (worker/objects-watch.ts), stops at a clean checkpoint and runs again: the
// publication is set to the new tables, a new table gets its own snapshot
// while the others keep streaming from the slot, and a removed table stops.
type Objects = JobSpec['objects'];
const nameOf = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

/** Tables added, removed or changed in `tables`; `selection` when wholeDatabase, schemas or excludeTables changed. */
export type ObjectsChange = { added: string[]; removed: string[]; changed: string[]; selection?: true };

const selectionOf = (o: Objects) => JSON.stringify([o.wholeDatabase ?? false, o.schemas ?? [], o.excludeTables ?? []]);

export function objectsChange(current: Objects, next: Objects): ObjectsChange {
  const before = new Map(current.tables.map((t) => [nameOf(t), JSON.stringify(t)]));
  const after = new Map(next.tables.map((t) => [nameOf(t), JSON.stringify(t)]));
  return {
    added: [...after.keys()].filter((n) => !before.has(n)),
    removed: [...before.keys()].filter((n) => !after.has(n)),
    changed: [...after.keys()].filter((n) => before.has(n) && before.get(n) !== after.get(n)),
    ...(selectionOf(current) !== selectionOf(next) ? { selection: true as const } : {}),
  };
}

export const isEmptyChange = (c: ObjectsChange) => !c.added.length && !c.removed.length && !c.changed.length && !c.selection;

export type PrecheckedObjects = { ok: true; staged: JobRecord; report: PrecheckReport } | { ok: false; report: PrecheckReport };

/**
 * Stages the objects on the job (conditional on the version the caller read,
 * so a concurrent change is a VersionConflict) and prechecks them; on a
 * failure the staging is undone and nothing else changed.
 */
export async function precheckRunningObjects(deps: Pick<AppDeps, 'store' | 'secrets' | 'runPrechecks'>, job: JobRecord, objects: Objects): Promise<PrecheckedObjects> {
  // On AWS the precheck runs in a state-machine step that reads the job from the store: the objects go there first.
  const staged = await savePatched(deps.store, job, { ...job, pendingObjects: objects, updatedAt: new Date().toISOString() });
  if (!staged) throw new VersionConflict(job.id, job.version);
  let report: PrecheckReport;
  try {
    report = await deps.runPrechecks(staged, await deps.secrets.get(job.source.passwordRef), { destinationPassword: await destinationPasswordOf(deps.secrets, job) });
  } catch (err) {
    await unstage(deps, staged);
    throw err;
  }
  if (report.verdict === 'failed') {
    await unstage(deps, staged);
    return { ok: false, report };
  }
  return { ok: true, staged, report };
}

async function unstage(deps: Pick<AppDeps, 'store'>, staged: JobRecord) {
  await updateJob(deps.store, staged.id, (current) => (current.pendingObjects ? { pendingObjects: undefined } : undefined));
}

/**
 * The job's precheck after an objects change: the earlier report with the
 * object checks' results replaced by the new ones. Acknowledgements of
 * checks that ran again are dropped: a warning about a new table needs its
 * own acknowledgement before the job may start again after a stop.
 */
export function mergedPrecheck(previous: JobRecord['precheck'], scoped: PrecheckReport): NonNullable<JobRecord['precheck']> {
  if (!previous) return { report: scoped, acknowledged: [] };
  const rerun = new Set(scoped.results.map((r) => r.id));
  const results = previous.report.results.map((r) => scoped.results.find((s) => s.id === r.id) ?? r);
  for (const r of scoped.results) if (!results.some((x) => x.id === r.id)) results.push(r);
  return {
    report: { ...previous.report, ...verdictOf(results), results, startedAt: scoped.startedAt, durationMs: scoped.durationMs },
    acknowledged: previous.acknowledged.filter((id) => !rerun.has(id)),
  };
}
