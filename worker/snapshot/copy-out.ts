import type pg from 'pg';

// `COPY … TO STDOUT` on a node-postgres client, which has no COPY OUT API of
// its own: a submittable query (the form pg-copy-streams uses) that collects
// the CopyData payloads and hands them back as one UTF-8 string. It is sent
// with the extended protocol (Parse/Bind/Execute/Sync), which PostgreSQL
// refuses for more than one statement: the SQL carries a row filter's text,
// and that must never become a second command. Each payload is copied on
// arrival: it is a view into pg-protocol's read buffer, which moves the
// unparsed tail of a socket read over the parsed bytes when the next read
// arrives, so a view kept until the end could be overwritten. The bytes are
// handed back in the connection's own buffer, valid until its next COPY.

type PgConnection = {
  stream: { cork?(): void; uncork?(): void };
  parse(q: { text: string }): void;
  bind(c: object): void;
  execute(c: object): void;
  sync(): void;
};

/** `data[0, bytes)`: the output, in a buffer the connection's next COPY reuses. */
export type CopyOutResult = { data: Buffer; bytes: number };

const INITIAL_BYTES = 1 << 20; // about one 10,000-row chunk of a narrow table
// One per connection, reused: a chunk's bytes are rendered or decoded before
// the connection's next COPY can start, and a fresh megabyte per chunk would
// count as external memory towards V8's next full collection. A buffer grown
// past KEPT_BYTES by wide rows is not kept for the rest of the run.
const KEPT_BYTES = 8 << 20;
const buffers = new WeakMap<pg.Client, Buffer>();

export function copyOut(client: pg.Client, sql: string): Promise<CopyOutResult> {
  return new Promise((resolve, reject) => {
    let buffer = buffers.get(client) ?? Buffer.allocUnsafe(INITIAL_BYTES);
    let bytes = 0;
    const query = {
      text: sql,
      submit(connection: PgConnection) {
        connection.stream.cork?.(); // the four messages in one write
        try {
          connection.parse({ text: sql });
          connection.bind({});
          connection.execute({});
          connection.sync();
        } finally {
          connection.stream.uncork?.();
        }
      },
      handleCopyData(msg: { chunk: Buffer }) {
        const chunk = msg.chunk;
        if (bytes + chunk.length > buffer.length) {
          const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, bytes + chunk.length));
          buffer.copy(grown, 0, 0, bytes);
          buffer = grown;
        }
        bytes += chunk.copy(buffer, bytes);
      },
      // pg calls handleError instead of handleReadyForQuery when the statement failed or the connection broke
      handleError(err: Error) {
        reject(err);
      },
      handleReadyForQuery() {
        if (buffer.length <= KEPT_BYTES) buffers.set(client, buffer);
        else buffers.delete(client);
        resolve({ data: buffer, bytes });
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyInResponse(connection: { sendCopyFail(msg: string): void }) {
        connection.sendCopyFail('COPY FROM is not expected here');
      },
    };
    client.query(query as unknown as pg.QueryConfig);
  });
}
