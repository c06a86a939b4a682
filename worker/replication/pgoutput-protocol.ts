// Which pgoutput protocol to ask for, by the source's server_version_num.
// - 1 everywhere: whole transactions, sent at their commit.
// - 2 (PostgreSQL 14+) with `streaming`: a transaction whose decoding exceeds
//   the server's logical_decoding_work_mem is sent while still in progress, in
//   segments, instead of being spilled to disk on the source (which stalls the
//   walsender, and the slot, until it is read back). The worker spills it on
//   its own disk instead (worker/stream/transaction-spool.ts).
// - 4 (PostgreSQL 16+) with `streaming 'parallel'`: the same messages, plus
//   the abort's LSN and time in Stream Abort, which the worker logs. Parallel
//   apply is a subscriber feature; the server's sending does not change.
// Protocol 3 (two-phase) is never asked for: a prepared transaction is
// replicated at COMMIT PREPARED like any other.

export type PgoutputProtocol = { version: 1 | 2 | 4; streaming?: 'on' | 'parallel' };

export function pgoutputProtocol(serverVersionNum: number): PgoutputProtocol {
  if (serverVersionNum >= 160000) return { version: 4, streaming: 'parallel' };
  if (serverVersionNum >= 140000) return { version: 2, streaming: 'on' };
  return { version: 1 };
}

/** The START_REPLICATION options. publication_names is a list the server splits as identifiers, so the name is quoted twice. */
export function pgoutputOptions(protocol: PgoutputProtocol, publicationName: string): string {
  const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const identifier = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const options = [`proto_version '${protocol.version}'`, `publication_names ${literal(identifier(publicationName))}`, `messages 'true'`];
  if (protocol.streaming) options.push(`streaming '${protocol.streaming}'`);
  return options.join(', ');
}
