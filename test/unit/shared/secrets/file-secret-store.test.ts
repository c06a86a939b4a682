import { afterEach, describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSecretStore } from '../../../../shared/secrets/local/file-secret-store.ts';

const PLAINTEXT = 'Pa55-word-that-must-not-leak';
const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tributary-secrets-'));
  dirs.push(d);
  return join(d, 'secrets');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
/** Every file the store wrote, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
/** Every byte the store wrote, as text. */
const everythingOnDisk = (dir: string) => filesUnder(dir).map((f) => readFileSync(f).toString('latin1')).join('\n');
const valueFile = (dir: string, name: string) => join(dir, 'values', `${encodeURIComponent(name)}.json`);

describe('file secret store', () => {
  it('round-trips a value through the reference it returns', async () => {
    const store = createFileSecretStore(freshDir());
    const ref = await store.put('j1/source-password', PLAINTEXT);
    expect(ref).toBe('local:j1/source-password');
    expect(await store.get(ref)).toBe(PLAINTEXT);
  });

  it('keeps unicode values intact and each name separate', async () => {
    const store = createFileSecretStore(freshDir());
    const a = await store.put('a', 'pässwörd ✓ 密码');
    const b = await store.put('b', 'other');
    expect([await store.get(a), await store.get(b)]).toEqual(['pässwörd ✓ 密码', 'other']);
  });

  it('writes no plaintext to disk, and only this user may read the files', async () => {
    const dir = freshDir();
    const store = createFileSecretStore(dir);
    await store.put('j1/source-password', PLAINTEXT);
    const disk = everythingOnDisk(dir);
    expect(disk).toContain('j1/source-password'); // the file is there and holds the entry...
    expect(disk).not.toContain(PLAINTEXT); // ...but not the value
    expect(disk).not.toContain(Buffer.from(PLAINTEXT).toString('base64'));
    for (const f of filesUnder(dir)) expect(statSync(f).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'values')).mode & 0o077).toBe(0);
  });

  it('delete removes the value', async () => {
    const store = createFileSecretStore(freshDir());
    const ref = await store.put('j1/source-password', PLAINTEXT);
    const keep = await store.put('j2/source-password', 'other');
    await store.delete(ref);
    await expect(store.get(ref)).rejects.toThrow(/not found/);
    expect(await store.get(keep)).toBe('other');
  });

  it('a second store on the same folder reads the value (the key is persisted)', async () => {
    const dir = freshDir();
    const ref = await createFileSecretStore(dir).put('j1/source-password', PLAINTEXT);
    expect(await createFileSecretStore(dir).get(ref)).toBe(PLAINTEXT);
  });

  it('tampered ciphertext fails instead of returning a wrong value', async () => {
    const dir = freshDir();
    const store = createFileSecretStore(dir);
    const ref = await store.put('j1/source-password', PLAINTEXT);
    const file = valueFile(dir, 'j1/source-password');
    const sealed = JSON.parse(readFileSync(file, 'utf8'));
    const data = Buffer.from(sealed.data, 'base64');
    data[0] ^= 0x01;
    sealed.data = data.toString('base64');
    writeFileSync(file, JSON.stringify(sealed));
    await expect(store.get(ref)).rejects.toThrow(/authenticate/);
  });

  it('another folder’s key cannot open the value', async () => {
    const dirA = freshDir();
    const dirB = freshDir();
    const ref = await createFileSecretStore(dirA).put('s', PLAINTEXT);
    createFileSecretStore(dirB); // creates its own key
    writeFileSync(valueFile(dirB, 's'), readFileSync(valueFile(dirA, 's')));
    await expect(createFileSecretStore(dirB).get(ref)).rejects.toThrow(/authenticate/);
  });

  it('a value file copied under another job\'s name does not open (the name is bound to the ciphertext)', async () => {
    const dir = freshDir();
    const store = createFileSecretStore(dir);
    await store.put('j1/source-password', PLAINTEXT);
    const other = await store.put('j2/source-password', 'other');
    writeFileSync(valueFile(dir, 'j2/source-password'), readFileSync(valueFile(dir, 'j1/source-password')));
    await expect(store.get(other)).rejects.toThrow(/authenticate/);
  });

  it('one file per secret: a put writes one file whatever the number of secrets', async () => {
    const dir = freshDir();
    const store = createFileSecretStore(dir);
    for (let i = 0; i < 50; i++) await store.put(`j${i}/source-password`, `pw-${i}`);
    expect(readdirSync(join(dir, 'values'))).toHaveLength(50);
    expect(await store.get('local:j7/source-password')).toBe('pw-7');
  });

  it('still reads, and deletes, a secret written in the older single-file layout', async () => {
    const dir = freshDir();
    createFileSecretStore(dir); // creates the key
    const key = readFileSync(join(dir, 'secrets.key'));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(PLAINTEXT, 'utf8'), cipher.final()]);
    const legacy = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'old/source-password': legacy }));
    const store = createFileSecretStore(dir);
    expect(await store.get('local:old/source-password')).toBe(PLAINTEXT);
    await store.delete('local:old/source-password');
    await expect(store.get('local:old/source-password')).rejects.toThrow(/not found/);
  });
});
