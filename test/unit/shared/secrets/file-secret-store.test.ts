import { afterEach, describe, expect, it } from 'vitest';
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
/** Every byte the store wrote, as text. */
const everythingOnDisk = (dir: string) => readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');

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
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o077).toBe(0);
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
    const file = join(dir, 'secrets.json');
    const all = JSON.parse(readFileSync(file, 'utf8'));
    const data = Buffer.from(all['j1/source-password'].data, 'base64');
    data[0] ^= 0x01;
    all['j1/source-password'].data = data.toString('base64');
    writeFileSync(file, JSON.stringify(all));
    await expect(store.get(ref)).rejects.toThrow(/authenticate/);
  });

  it('another folder’s key cannot open the value', async () => {
    const dirA = freshDir();
    const dirB = freshDir();
    const ref = await createFileSecretStore(dirA).put('s', PLAINTEXT);
    createFileSecretStore(dirB); // creates its own key
    writeFileSync(join(dirB, 'secrets.json'), readFileSync(join(dirA, 'secrets.json')));
    await expect(createFileSecretStore(dirB).get(ref)).rejects.toThrow(/authenticate/);
  });
});
