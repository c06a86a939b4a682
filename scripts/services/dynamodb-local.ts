// A real DynamoDB-compatible engine for tests and the local mode: AWS's DynamoDB Local, run from
// its Maven Central jars (like Kafka in kafka.ts), so neither Docker nor an AWS account is needed.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, hasSetpriv } from './kafka.ts';
import { dependency, ensureJars, mvn, pomOf } from './maven-jars.ts';

// software.amazon.dynamodb is the 3.x name of com.amazonaws:DynamoDBLocal; 3.3.1 depends on packages
// Maven Central does not serve.
export const DYNAMODB_LOCAL_VERSION = '3.1.0';

export type DynamoDbLocal = {
  endpoint: string;
  pid: number;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), remove its temporary dir. */
  stop(): Promise<void>;
};


/** Fetches DynamoDBLocal:<version> with its runtime dependencies; returns the libs dir. */
export function ensureDynamoDbLocalJars(version = DYNAMODB_LOCAL_VERSION): Promise<string> {
  return ensureJars('dynamodb-local', version, 'DynamoDB Local', async (libs, work) => {
    writeFileSync(join(work, 'pom.xml'), pomOf('dynamodb-local-jars', dependency('software.amazon.dynamodb', 'DynamoDBLocal', version)));
    // Windows and macOS sqlite4java natives are dependencies too; they are of no use here.
    await mvn(work, ['dependency:copy-dependencies', '-DincludeScope=runtime', '-DexcludeTypes=dll,dylib', `-DoutputDirectory=${libs}`]);
  });
}

export async function startDynamoDbLocal(opts: { version?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  const version = opts.version ?? DYNAMODB_LOCAL_VERSION;
  const libs = await ensureDynamoDbLocalJars(version);
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'tributary-dynamodb-'));
  const logFile = join(dir, 'dynamodb-local.log');
  const args = [
    // 3.x extracts its sqlite4java native library from its own jar into java.io.tmpdir (seen in
    // /proc/<pid>/maps), so unlike 2.x it needs no java.library.path; our own tmpdir keeps that
    // copy inside `dir`, which stop() and the exit hook remove.
    `-Djava.io.tmpdir=${dir}`,
    '-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k', '-Djava.awt.headless=true',
    '-cp', join(libs, '*'), 'software.amazon.dynamodb.services.local.main.ServerRunner',
    // -sharedDb: one database whatever the access key and region, so every client sees the same tables.
    // -disableTelemetry: it would otherwise call AWS Pinpoint on start. There is no bind-address
    // option (Jetty listens on every interface); the port is random and the data in memory.
    '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port),
  ];
  const fd = openSync(logFile, 'a');
  // setpriv --pdeathsig: the kernel sends SIGTERM if the spawning thread dies, even by SIGKILL.
  const child = hasSetpriv()
    ? spawn('setpriv', ['--pdeathsig', 'SIGTERM', 'java', ...args], { cwd: dir, detached: true, stdio: ['ignore', fd, fd] })
    : spawn('java', args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined; // no java on PATH: reported by waitReady, not as an uncaught 'error'
  child.once('error', (err) => (spawnError = err));
  const alive = () => !spawnError && child.exitCode === null && child.signalCode === null;
  const cleanup = () => {
    if (alive()) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);

  const stop = async () => {
    process.off('exit', cleanup);
    if (alive()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitReady(endpoint, () => spawnError?.message ?? (alive() ? undefined : 'exited'), logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, pid: child.pid ?? -1, stop };
}

async function waitReady(endpoint: string, down: () => string | undefined, logFile: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const why = down();
      if (why) throw new Error(`DynamoDB Local failed to start (${why}):\n${tail(logFile)}`);
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`DynamoDB Local not ready on ${endpoint} after 60 s:\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.destroy();
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// `node scripts/services/dynamodb-local.ts fetch` warms the cache; `start` runs one until Ctrl-C.
if (import.meta.main) {
  const cmd = process.argv[2];
  if (cmd === 'fetch') console.log(await ensureDynamoDbLocalJars());
  else if (cmd === 'start') {
    const t0 = Date.now();
    const db = await startDynamoDbLocal();
    console.log(`DynamoDB Local ${DYNAMODB_LOCAL_VERSION} on ${db.endpoint} (pid ${db.pid}) in ${Date.now() - t0} ms`);
    console.log(`AWS_ENDPOINT_URL=${db.endpoint}`);
    const keepAlive = setInterval(() => {}, 1 << 30); // the server is unref'd: hold the process open
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => void db.stop().then(() => clearInterval(keepAlive)));
    }
  } else {
    console.error('usage: node scripts/services/dynamodb-local.ts fetch|start');
    process.exit(2);
  }
}
