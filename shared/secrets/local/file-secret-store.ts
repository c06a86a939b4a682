import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from '../secret-store.ts';

// Local-mode secrets: AES-256-GCM with a key generated on first use and
// readable by this user only. This keeps passwords out of the job database
// and out of backups of it; it is not a substitute for a KMS.
//
// One file per secret, so a put costs the same with 10 or 10,000 jobs (one
// shared file made every create rewrite every secret). The name is the GCM
// associated data: a file copied under another name fails to open instead of
// handing one job's password to another.
type Sealed = { iv: string; tag: string; data: string };

export function createFileSecretStore(dir: string): SecretStore {
  const values = join(dir, 'values');
  mkdirSync(values, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'secrets.key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32), { mode: 0o600, flag: 'wx' });
  const key = readFileSync(keyFile);
  const fileOf = (name: string) => join(values, `${encodeURIComponent(name)}.json`);
  const nameOf = (ref: string) => ref.replace(/^local:/, '');
  // Secrets written before the one-file-per-secret layout (no associated data).
  const legacyFile = join(dir, 'secrets.json');

  const open = (sealed: Sealed, aad: string | undefined) => {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  };
  const readLegacy = async (name: string): Promise<Sealed | undefined> => {
    const text = await readFile(legacyFile, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, Sealed>)[name];
  };

  return {
    async put(name, value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const sealed: Sealed = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
      const file = fileOf(name);
      const tmp = `${file}.${process.pid}.${iv.toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify({ name, ...sealed }), { mode: 0o600 });
      await rename(tmp, file); // atomic, so a crash never leaves half a file
      return `local:${name}`;
    },
    async get(ref) {
      const name = nameOf(ref);
      const text = await readFile(fileOf(name), 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (text !== undefined) return open(JSON.parse(text) as Sealed, name);
      const legacy = await readLegacy(name);
      if (!legacy) throw new Error(`secret ${ref} not found in the local secret store`);
      return open(legacy, undefined);
    },
    async delete(ref) {
      const name = nameOf(ref);
      await rm(fileOf(name), { force: true });
      const text = await readFile(legacyFile, 'utf8').catch(() => undefined);
      if (text === undefined) return;
      const all = JSON.parse(text) as Record<string, Sealed>;
      if (!(name in all)) return;
      delete all[name];
      const tmp = `${legacyFile}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(all), { mode: 0o600 });
      await rename(tmp, legacyFile);
    },
  };
}
