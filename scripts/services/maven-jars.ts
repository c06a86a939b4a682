import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

// Jars from Maven Central into ${TRIBUTARY_CACHE ?? ~/.cache/tributary}/<name>/<version>/libs,
// once per machine: CI keeps the cache between runs where the machine does.

export const cacheRoot = () => process.env.TRIBUTARY_CACHE ?? join(homedir(), '.cache', 'tributary');

// Async, so a caller starting PostgreSQL and two brokers in parallel is not frozen while one fetches.
export function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

export const lastLines = (text: string, n: number) => text.trimEnd().split('\n').slice(-n).join('\n');

export async function mvn(cwd: string, args: string[]): Promise<void> {
  // -Dstyle.color=never: mvn 3.8 still prints ANSI resets under -B -q
  const { code, out } = await run('mvn', ['-q', '-B', '-Dstyle.color=never', ...args], cwd);
  if (code !== 0) throw new Error(`mvn ${args[0]} failed (exit ${code}):\n${lastLines(out, 30)}`);
}

export const dependency = (g: string, a: string, v: string) =>
  `\n    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;

export const pomOf = (artifactId: string, dependencies: string) => `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tributary</groupId><artifactId>${artifactId}</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies>${dependencies}</dependencies>
</project>\n`;

const fetching = new Map<string, Promise<string>>();

/**
 * The libs dir of <name>/<version>, filled by `fill(libsDir, pomWorkDir)` the
 * first time. It is filled beside the final dir and renamed, so a concurrent
 * process never sees half a classpath; a marker file says it is complete.
 */
export function ensureJars(name: string, version: string, label: string, fill: (libs: string, work: string) => Promise<void>): Promise<string> {
  const id = `${name}/${version}`;
  let pending = fetching.get(id);
  if (!pending) {
    pending = fetchOnce(name, version, label, fill);
    fetching.set(id, pending);
    pending.catch(() => fetching.delete(id));
  }
  return pending;
}

async function fetchOnce(name: string, version: string, label: string, fill: (libs: string, work: string) => Promise<void>): Promise<string> {
  const root = join(cacheRoot(), name, version);
  const final = join(root, 'libs');
  const marker = join(root, '.complete');
  if (existsSync(marker)) return final;
  console.log(`==> fetching ${label} ${version} jars (Maven Central) into ${final}`);
  mkdirSync(root, { recursive: true });
  const libs = mkdtempSync(join(root, 'libs.partial-'));
  const work = mkdtempSync(join(tmpdir(), `tributary-${name}-pom-`));
  try {
    await fill(libs, work);
    if (existsSync(marker)) rmSync(libs, { recursive: true, force: true }); // another process won
    else {
      rmSync(final, { recursive: true, force: true });
      renameSync(libs, final);
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
  } catch (err) {
    rmSync(libs, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return final;
}
