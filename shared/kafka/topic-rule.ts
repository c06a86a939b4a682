// Topic names follow the job's topicRule (SPEC.md §2). Kafka allows only
// [a-zA-Z0-9._-] in topic names, so anything else a table name may hold is
// replaced by "_" rather than failing the job at the first odd table.
export function topicFor(rule: string, names: { database: string; schema: string; table: string }): string {
  const topic = rule
    .replaceAll('#{source_db_name}', names.database)
    .replaceAll('#{source_schema_name}', names.schema)
    .replaceAll('#{source_table_name}', names.table);
  return topic.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 249);
}
