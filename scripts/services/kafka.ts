// A real single-node Apache Kafka (KRaft, combined broker+controller) run from
// Maven Central jars, so tests need neither Docker nor a Kafka tarball.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { dependency, ensureJars, lastLines, mvn, pomOf, run } from './maven-jars.ts';


/** Exact versions verified with kafkajs 2.2.4 (see docs/kafka-notes.md). */
export const KAFKA_VERSIONS = { legacy: '3.9.1', current: '4.1.2' } as const;

export type KafkaService = {
  version: string;
  brokers: string[];
  pid: number;
  dataDir: string;
  /** SIGTERM, wait for exit (SIGKILL after 15 s). Data is kept, so restart() works. */
  stop(): Promise<void>;
  /** SIGKILL, for broker-outage tests. */
  kill(): Promise<void>;
  /** Start again on the same ports and data (stops first if still running). */
  restart(): Promise<void>;
};

const major = (version: string) => Number.parseInt(version, 10);

/** Fetches kafka_2.13:<version> with its runtime dependencies and a logging backend; returns the libs dir. */
export function ensureKafkaJars(version: string): Promise<string> {
  return ensureJars('kafka', version, 'Kafka', async (libs, work) => {
    // The distribution adds its logging backend at release time only, so the pom lacks it:
    // 3.x logs through slf4j 1.7 -> reload4j; 4.x through slf4j -> log4j2 (core is in the pom).
    const extra = major(version) < 4 ? dependency('org.slf4j', 'slf4j-reload4j', '1.7.36') : '';
    writeFileSync(join(work, 'pom.xml'), pomOf('kafka-jars', `${dependency('org.apache.kafka', 'kafka_2.13', version)}${extra}`));
    await mvn(work, ['dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`]);
    if (major(version) >= 4) {
      const jars = readdirSync(libs);
      const log4j = jars.map((j) => /^log4j-core-(.+)\.jar$/.exec(j)?.[1]).find(Boolean);
      const slf4j = jars.map((j) => /^slf4j-api-(\d+)\./.exec(j)?.[1]).find(Boolean);
      if (!log4j) throw new Error(`Kafka ${version}: no log4j-core among its dependencies`);
      const binding = slf4j === '1' ? 'log4j-slf4j-impl' : 'log4j-slf4j2-impl';
      await mvn(work, ['dependency:copy', `-Dartifact=org.apache.logging.log4j:${binding}:${log4j}`, `-DoutputDirectory=${libs}`]);
    }
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// Quiet but useful: INFO goes to kafka.log (the child's stdout), per-request chatter does not.
const LOG4J1 = `log4j.rootLogger=INFO, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.kafka.common.config=WARN
log4j.logger.kafka.server.KafkaConfig=WARN
`;
const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.req.name = kafka.request.logger
logger.req.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.config.name = org.apache.kafka.common.config
logger.config.level = WARN
`;

// Brokers started by this process, so stopAll() and the exit hook can reach them.
const running = new Set<Broker>();
const autoDirs = new Set<string>();
let hooked = false;

type Broker = { child: ChildProcess | null; exited: Promise<void> };

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = () => {
    for (const b of running) b.child?.kill('SIGTERM');
    // Throwaway dirs of brokers that have already exited; a live one keeps its dir rather than race it.
    if (running.size === 0) for (const d of autoDirs) rmSync(d, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanup();
      // Re-raise for the default action, unless the host handles the signal itself.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

// setpriv --pdeathsig makes the kernel send SIGTERM to the broker if the thread that spawned it dies,
// even by SIGKILL; without setpriv we fall back to the exit hooks above.
let setpriv: boolean | undefined;
export const hasSetpriv = () => (setpriv ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0);

export async function startKafka(opts: { version: string; port?: number; dataDir?: string }): Promise<KafkaService> {
  const { version } = opts;
  const libs = await ensureKafkaJars(version);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `tributary-kafka-${version}-`));
  if (!opts.dataDir) autoDirs.add(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logDirs = join(dataDir, 'data');
  const props = join(dataDir, 'server.properties');
  // A formatted dir keeps its ports: 4.x records the controller endpoint in the voter set at format time.
  const previous = existsSync(join(logDirs, 'meta.properties')) && existsSync(props) ? readFileSync(props, 'utf8') : '';
  const port = opts.port ?? (Number(/PLAINTEXT:\/\/[\d.]+:(\d+)/.exec(previous)?.[1]) || (await freePort()));
  let controllerPort = Number(/CONTROLLER:\/\/[\d.]+:(\d+)/.exec(previous)?.[1]) || (await freePort());
  while (controllerPort === port) controllerPort = await freePort();
  const v4 = major(version) >= 4;

  // 3.9 uses the static voter set its own config/kraft/server.properties ships with; 4.x ships the
  // dynamic quorum (KIP-853), bootstrapped by `format --standalone`.
  const quorum = v4
    ? `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`
    : `controller.quorum.voters=1@127.0.0.1:${controllerPort}`;
  writeFileSync(props, `process.roles=broker,controller
node.id=1
${quorum}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${logDirs}
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
min.insync.replicas=1
# two cores: the defaults (3 network, 8 io threads) only add start-up time and memory
num.network.threads=2
num.io.threads=2
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.partitions=1
# after a SIGKILL the old registration blocks the new one until its session expires (9 s by default)
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=2500
${v4 ? 'share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n' : ''}`);
  const logConfig = join(dataDir, v4 ? 'log4j2.properties' : 'log4j.properties');
  writeFileSync(logConfig, v4 ? LOG4J2 : LOG4J1);

  const classpath = join(libs, '*');
  const jvm = [
    '-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:CICompilerCount=2',
    '-Xss512k', '-Djava.awt.headless=true', '-Djava.net.preferIPv4Stack=true',
    v4 ? `-Dlog4j2.configurationFile=${logConfig}` : `-Dlog4j.configuration=file:${logConfig}`,
    '-cp', classpath,
  ];
  const logFile = join(dataDir, 'kafka.log');

  if (!existsSync(join(logDirs, 'meta.properties'))) {
    const clusterId = randomClusterId();
    const args = [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props];
    if (v4) args.push('--standalone');
    const { code, out } = await run('java', args);
    writeFileSync(logFile, out);
    if (code !== 0) throw new Error(`Kafka ${version} storage format failed:\n${tail(logFile)}`);
  }

  const brokers = [`127.0.0.1:${port}`];
  const broker: Broker = { child: null, exited: Promise.resolve() };

  const launch = async () => {
    hookProcessExit();
    const fd = openSync(logFile, 'a');
    const cmd = hasSetpriv() ? 'setpriv' : 'java';
    const args = [...(hasSetpriv() ? ['--pdeathsig', 'SIGTERM', 'java'] : []), ...jvm, 'kafka.Kafka', props];
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    broker.child = child;
    broker.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    running.add(broker);
    void broker.exited.then(() => running.delete(broker));
    await waitReady(brokers, broker, logFile, version);
  };

  const halt = async (signal: NodeJS.Signals) => {
    const child = broker.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await broker.exited;
    clearTimeout(timer);
  };

  await launch();
  const service: KafkaService = {
    version,
    brokers,
    get pid() {
      return broker.child?.pid ?? -1;
    },
    dataDir,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
  };
  return service;
}

/** Stops every broker this process started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(async (b) => {
    b.child?.kill('SIGTERM');
    const timer = setTimeout(() => b.child?.kill('SIGKILL'), 15_000);
    await b.exited;
    clearTimeout(timer);
  }));
}

async function waitReady(brokers: string[], broker: Broker, logFile: string, version: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const kafka = new Kafka({
    clientId: 'tributary-readiness', brokers, logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000, requestTimeout: 2_000, retry: { retries: 0 },
  });
  for (;;) {
    if (broker.child?.exitCode !== null || broker.child?.signalCode !== null) {
      throw new Error(`Kafka ${version} exited during start-up:\n${tail(logFile)}`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers: live } = await admin.describeCluster();
      if (live.length > 0) return;
    } catch {
      // not up yet
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() > deadline) {
      broker.child?.kill('SIGKILL');
      throw new Error(`Kafka ${version} not ready on ${brokers[0]} after 60 s:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(file: string, lines = 40): string {
  try {
    return lastLines(readFileSync(file, 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}

// Kafka cluster ids are a UUID's 16 bytes in URL-safe base64 without padding. One starting with '-'
// is read by the storage tool's argument parser as an option (1 format in 64 failed), so skip those.
function randomClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

if (import.meta.main) {
  const [cmd, ...versions] = process.argv.slice(2);
  if (cmd !== 'fetch' || versions.length === 0) {
    console.error('usage: node scripts/services/kafka.ts fetch <version>...');
    process.exit(2);
  }
  for (const v of versions) console.log(await ensureKafkaJars(v));
}
