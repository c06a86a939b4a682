import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../secret-store.ts';

// Local-mode secrets: AES-256-GCM, one file, with a key generated on first use
// and readable by this user only. This keeps passwords out of the job database
// and out of backups of it; it is not a substitute for a KMS.
type Sealed = { iv: string; tag: string; data: string };

export function createFileSecretStore(dir: string): SecretStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'secrets.key');
  const dataFile = join(dir, 'secrets.json');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32), { mode: 0o600, flag: 'wx' });
  const key = readFileSync(keyFile);

  const load = (): Record<string, Sealed> => (existsSync(dataFile) ? JSON.parse(readFileSync(dataFile, 'utf8')) : {});
  const save = (all: Record<string, Sealed>) => {
    const tmp = `${dataFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    renameSync(tmp, dataFile); // atomic, so a crash never leaves half a file
  };

  return {
    async put(name, value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const all = load();
      all[name] = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
      save(all);
      return `local:${name}`;
    },
    async get(ref) {
      const sealed = load()[ref.replace(/^local:/, '')];
      if (!sealed) throw new Error(`secret ${ref} not found in the local secret store`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    },
    async delete(ref) {
      const all = load();
      delete all[ref.replace(/^local:/, '')];
      save(all);
    },
  };
}
