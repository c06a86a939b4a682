import { pass, warning, type Finding, type Precheck } from '../precheck.ts';
import { alterSystemReload, formatBytes } from '../fix-sql.ts';
import { major, sourceFacts } from '../source-facts.ts';
import { existing, nameOf, selectedTables } from '../selected-tables.ts';

// The walsender decodes each transaction in memory up to
// logical_decoding_work_mem (13+, default 64 MB) and spills the rest to
// pg_replslot/ on disk: a bulk UPDATE of a large table then costs disk I/O
// on the source and delays the stream. Below the default is worth a warning;
// otherwise the numbers are reported. From PostgreSQL 14 the worker asks for
// streaming (worker/replication/pgoutput-protocol.ts): past the limit a
// transaction is sent while in progress and the worker spills it on its own
// disk, so the source spills nothing and any value is fine.
const DEFAULT_KB = 64 * 1024;

export function assessDecodingMemory(i: { major: number; workMemKb: number; largest?: { name: string; bytes: number } }): Finding {
  if (i.major < 13) return pass(`PostgreSQL ${i.major} has no logical_decoding_work_mem: it keeps 4096 changes per transaction in memory and spills the rest`);
  const mem = i.workMemKb * 1024;
  const largest = i.largest ? `; the largest selected table, ${i.largest.name}, is ${formatBytes(i.largest.bytes)}` : '';
  if (i.major >= 14) {
    return pass(`logical_decoding_work_mem = ${formatBytes(mem)}: larger transactions are streamed to the worker while in progress (pgoutput streaming), which spills them on its own disk, not the source's${largest}`);
  }
  if (i.workMemKb < DEFAULT_KB) {
    return warning(
      `logical_decoding_work_mem = ${formatBytes(mem)}, below the ${formatBytes(DEFAULT_KB * 1024)} default: larger transactions spill to disk while decoding${largest}`,
      alterSystemReload('logical_decoding_work_mem', "'64MB'"),
    );
  }
  const spills = i.largest && i.largest.bytes > mem ? ' (a transaction rewriting it would spill to disk: expect source disk I/O during such bulk changes)' : '';
  return pass(`logical_decoding_work_mem = ${formatBytes(mem)}${largest}${spills}`);
}

export const logicalDecodingWorkMem: Precheck = {
  id: 'logical-decoding-work-mem',
  title: 'logical_decoding_work_mem is not too small',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [facts, tables] = await Promise.all([sourceFacts(ctx), selectedTables(ctx)]);
    const largest = existing(tables).sort((a, b) => b.relation.totalBytes - a.relation.totalBytes)[0];
    return assessDecodingMemory({
      major: major(facts.versionNum),
      workMemKb: Number(facts.settings.get('logical_decoding_work_mem') ?? DEFAULT_KB),
      largest: largest && { name: nameOf(largest), bytes: largest.relation.totalBytes },
    });
  },
};
