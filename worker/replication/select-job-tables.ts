import pg from 'pg';
import type { Objects, TableRef } from '../../shared/job/job-spec.ts';
import { selectObjects } from '../../shared/source/select-objects.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';

// The tables this run works on: the job's objects resolved on the source
// (whole database, schemas, tables), fresh at every start.
export async function selectJobTables(config: pg.ClientConfig, objects: Objects): Promise<TableRef[]> {
  if (!objects.wholeDatabase && !objects.schemas?.length) return objects.tables;
  const client = new pg.Client(config);
  await client.connect();
  try {
    const { tables, missingSchemas } = await selectObjects(client, objects);
    if (missingSchemas.length) throw new TributaryError('NothingSelected', `schema(s) not found on the source: ${missingSchemas.join(', ')}`);
    if (!tables.length) throw new TributaryError('NothingSelected', `objects selects no table on the source (${objects.wholeDatabase ? 'whole database' : `schemas ${objects.schemas!.map((s) => s.schema).join(', ')}`})`);
    return tables;
  } finally {
    await client.end().catch(() => undefined);
  }
}
