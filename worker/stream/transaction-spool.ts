import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lsn } from '../../shared/lsn.ts';

// Holds the changes of in-progress streamed transactions (protocol v2+) until
// their Stream Commit, with bounded memory. Each top-level transaction has one
// append-only log of entries [u64 lsn][u32 length][pgoutput bytes]: in memory
// up to the spool's budget (across all open transactions), then the largest
// in-memory logs are written to one file per transaction and the memory is
// freed. A log is a file prefix plus an in-memory tail, addressed by one byte
// offset, so a subtransaction abort (ROLLBACK TO SAVEPOINT) is a truncation at
// the offset where that subtransaction's first change was appended: every
// later change belongs to it or to its children, since one backend runs them
// in sequence (PostgreSQL's own apply worker relies on the same fact).

export type SpooledEntry = { lsn: Lsn; bytes: Buffer };

export type SpoolStats = { memoryBytes: number; openTransactions: number };

export type TransactionSpool = {
  /** Appends one change of top-level transaction `xid`; `subXid` is the xid the change carried. Synchronous: memory only. */
  append(xid: number, subXid: number, lsn: Lsn, bytes: Buffer): void;
  /** True when the in-memory logs exceed the budget: call spill() before appending more. */
  readonly overBudget: boolean;
  /** Writes the largest in-memory logs to their files until the memory is under half the budget. */
  spill(): Promise<void>;
  /** Stream Abort: drops the whole transaction (subXid = xid) or one subtransaction's changes. Returns the bytes dropped. */
  abort(xid: number, subXid: number): Promise<number>;
  /** Sizes of one transaction's log, 0 when it has none. */
  sizeOf(xid: number): { bytes: number; spilledBytes: number };
  /** The entries of `xid` in append order, in chunks; the log is deleted when the iteration ends, however it ends. */
  replay(xid: number): AsyncGenerator<SpooledEntry[]>;
  readonly stats: SpoolStats;
  /** Deletes every log and file. */
  close(): Promise<void>;
};

export type SpoolOptions = {
  /** A directory only this job uses; emptied at creation, since files of a dead run are worthless (the server re-sends the transactions). */
  dir: string;
  /** Bytes of pages held in memory across all open transactions before spilling. */
  memoryBytes: number;
  pageBytes?: number;
  /** Size of one file read at replay. */
  readBytes?: number;
};

const HEADER = 12;

type Page = { buf: Buffer; used: number };
type Log = {
  xid: number;
  path: string;
  file?: FileHandle;
  fileBytes: number;
  /** Bytes used in `pages`: the log's size is fileBytes + tailBytes. */
  tailBytes: number;
  pages: Page[];
  /** Bytes allocated for `pages`: what counts against the budget. */
  allocated: number;
  /** Offset of each subtransaction's first change. */
  subxacts: Map<number, number>;
  spilledEver: number;
};

export async function createTransactionSpool(opts: SpoolOptions): Promise<TransactionSpool> {
  const pageBytes = opts.pageBytes ?? 256 * 1024;
  const readBytes = opts.readBytes ?? 1024 * 1024;
  await rm(opts.dir, { recursive: true, force: true });
  await mkdir(opts.dir, { recursive: true });
  const logs = new Map<number, Log>();
  let memory = 0;
  // Written-out pages are reused rather than left to the garbage collector: a
  // multi-GB transaction passes through the same few MiB of buffers.
  const freeList: Buffer[] = [];
  let freeBytes = 0;
  const newPage = (need: number): Buffer => {
    if (need <= pageBytes && freeList.length) {
      const buf = freeList.pop()!;
      freeBytes -= buf.length;
      return buf;
    }
    return Buffer.allocUnsafe(Math.max(pageBytes, need));
  };

  const logOf = (xid: number): Log => {
    let log = logs.get(xid);
    if (!log) {
      log = { xid, path: join(opts.dir, `${xid}.spill`), fileBytes: 0, tailBytes: 0, pages: [], allocated: 0, subxacts: new Map(), spilledEver: 0 };
      logs.set(xid, log);
    }
    return log;
  };

  const freePages = (log: Log) => {
    memory -= log.allocated;
    log.allocated = 0;
    log.pages = [];
    log.tailBytes = 0;
  };

  const writeOut = async (log: Log) => {
    if (log.tailBytes === 0) return freePages(log);
    log.file ??= await open(log.path, 'w+');
    const parts = log.pages.map((p) => p.buf.subarray(0, p.used));
    const at = log.fileBytes;
    // Moved to the file before the await, so offsets stay right for anything appended meanwhile.
    log.fileBytes += log.tailBytes;
    log.spilledEver += log.tailBytes;
    const pages = log.pages;
    freePages(log);
    await log.file.writev(parts, at);
    // Only once written: until then `parts` are views of these pages.
    for (const p of pages) {
      if (p.buf.length !== pageBytes || freeBytes + pageBytes > opts.memoryBytes / 2) continue;
      freeList.push(p.buf);
      freeBytes += pageBytes;
    }
  };

  const drop = async (log: Log) => {
    logs.delete(log.xid);
    freePages(log);
    if (log.file) {
      await log.file.close();
      await rm(log.path, { force: true });
    }
  };

  /** Cuts the log back to `offset` bytes. */
  const truncate = async (log: Log, offset: number) => {
    if (offset >= log.fileBytes) {
      let keep = offset - log.fileBytes;
      const pages: Page[] = [];
      for (const p of log.pages) {
        if (keep <= 0) break;
        p.used = Math.min(p.used, keep);
        keep -= p.used;
        pages.push(p);
      }
      for (const p of log.pages.slice(pages.length)) {
        memory -= p.buf.length;
        log.allocated -= p.buf.length;
      }
      log.pages = pages;
      log.tailBytes = offset - log.fileBytes;
    } else {
      freePages(log);
      await log.file!.truncate(offset);
      log.fileBytes = offset;
    }
    for (const [sub, at] of log.subxacts) if (at >= offset) log.subxacts.delete(sub);
  };

  return {
    append(xid, subXid, lsn, bytes) {
      const log = logOf(xid);
      if (subXid !== xid && !log.subxacts.has(subXid)) log.subxacts.set(subXid, log.fileBytes + log.tailBytes);
      const need = HEADER + bytes.length;
      let page = log.pages.at(-1);
      if (!page || page.buf.length - page.used < need) {
        page = { buf: newPage(need), used: 0 };
        log.pages.push(page);
        log.allocated += page.buf.length;
        memory += page.buf.length;
      }
      page.buf.writeBigUInt64BE(lsn, page.used);
      page.buf.writeUInt32BE(bytes.length, page.used + 8);
      bytes.copy(page.buf, page.used + HEADER);
      page.used += need;
      log.tailBytes += need;
    },
    get overBudget() {
      return memory > opts.memoryBytes;
    },
    async spill() {
      while (memory > opts.memoryBytes / 2) {
        let largest: Log | undefined;
        for (const log of logs.values()) if (!largest || log.allocated > largest.allocated) largest = log;
        if (!largest || largest.allocated === 0) return;
        await writeOut(largest);
      }
    },
    async abort(xid, subXid) {
      const log = logs.get(xid);
      if (!log) return 0; // nothing of it was streamed to us, or it is already gone
      const size = log.fileBytes + log.tailBytes;
      if (subXid === xid) {
        await drop(log);
        return size;
      }
      const at = log.subxacts.get(subXid);
      if (at === undefined) return 0; // the subtransaction had no changes
      await truncate(log, at);
      return size - at;
    },
    sizeOf(xid) {
      const log = logs.get(xid);
      return log ? { bytes: log.fileBytes + log.tailBytes, spilledBytes: log.spilledEver } : { bytes: 0, spilledBytes: 0 };
    },
    async *replay(xid) {
      const log = logs.get(xid);
      if (!log) return;
      try {
        if (log.fileBytes > 0) yield* readFile(log.file!, log.fileBytes, readBytes);
        // (the consumer decodes each chunk before asking for the next: readFile reuses its buffer)
        for (const p of log.pages) yield parse(p.buf, 0, p.used).entries;
      } finally {
        await drop(log);
      }
    },
    get stats() {
      return { memoryBytes: memory, openTransactions: logs.size };
    },
    async close() {
      for (const log of [...logs.values()]) await drop(log).catch(() => undefined);
      await rm(opts.dir, { recursive: true, force: true });
    },
  };
}

/** The whole entries in buf[from, to); `rest` is where an incomplete one starts. */
function parse(buf: Buffer, from: number, to: number): { entries: SpooledEntry[]; rest: number } {
  const entries: SpooledEntry[] = [];
  let off = from;
  while (to - off >= HEADER) {
    const len = buf.readUInt32BE(off + 8);
    if (to - off < HEADER + len) break;
    entries.push({ lsn: buf.readBigUInt64BE(off), bytes: buf.subarray(off + HEADER, off + HEADER + len) });
    off += HEADER + len;
  }
  return { entries, rest: off };
}

/**
 * The entries yielded are views into one read buffer that the next read
 * overwrites: a consumer must be done with a chunk before asking for the next.
 */
async function* readFile(file: FileHandle, size: number, readBytes: number): AsyncGenerator<SpooledEntry[]> {
  let position = 0;
  let carry = Buffer.alloc(0);
  let buffer = Buffer.allocUnsafe(readBytes);
  while (position < size) {
    if (buffer.length < carry.length + HEADER) buffer = Buffer.allocUnsafe(carry.length + HEADER);
    const chunk = buffer;
    carry.copy(chunk, 0);
    const want = Math.min(chunk.length - carry.length, size - position);
    const { bytesRead } = await file.read(chunk, carry.length, want, position);
    if (bytesRead === 0) throw new Error(`spill file ended at ${position} of ${size} bytes`);
    position += bytesRead;
    const end = carry.length + bytesRead;
    const { entries, rest } = parse(chunk, 0, end);
    if (entries.length === 0 && end >= HEADER) {
      // One entry larger than the read: grow to hold it whole.
      const len = chunk.readUInt32BE(8);
      const whole = Buffer.allocUnsafe(HEADER + len);
      chunk.copy(whole, 0, 0, end);
      const { bytesRead: more } = await file.read(whole, end, HEADER + len - end, position);
      if (more !== HEADER + len - end) throw new Error(`spill file ended inside an entry at ${position} of ${size} bytes`);
      position += more;
      carry = Buffer.alloc(0);
      yield parse(whole, 0, whole.length).entries;
      continue;
    }
    carry = Buffer.from(chunk.subarray(rest, end));
    if (entries.length) yield entries;
  }
  if (carry.length) throw new Error(`spill file holds ${carry.length} trailing bytes of an incomplete entry`);
}
