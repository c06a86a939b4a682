import { describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../shared/storage/dynamo/dynamo-client.ts';
import { createTables } from '../../shared/storage/dynamo/create-tables.ts';
import { createDynamoApiKeyStore } from '../../shared/auth/dynamo-api-key-store.ts';
import { hashApiKey } from '../../shared/auth/api-keys.ts';

// The operator's command that mints a tenant's first API key on AWS, run as a
// process against DynamoDB Local: the key is printed once, the table holds
// only its hash, and the API's own store accepts it.
const run = promisify(execFile);
const endpoint = () => inject('services').dynamodb.endpoint;
const mint = (...args: string[]) =>
  run(process.execPath, ['cli/admin/mint-api-key.ts', ...args], { env: { ...process.env, AWS_REGION: 'eu-west-1' } }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

describe('cli/admin/mint-api-key.ts on DynamoDB Local', () => {
  it('prints a key that authenticates as the tenant; the table keeps only its SHA-256', { timeout: 60_000 }, async () => {
    const client = createDynamoClient({ endpoint: endpoint() });
    const table = `keys_${randomBytes(4).toString('hex')}`;
    await createTables(client, table);
    const res = await mint('--tenant', 'acme', '--table', table, '--endpoint', endpoint());
    expect(res.code).toBe(0);
    const key = res.stdout.trim();
    expect(key).toMatch(/^trb_[A-Za-z0-9_-]{32}$/);
    expect(res.stderr).toContain('API key for tenant "acme"');
    expect(await createDynamoApiKeyStore({ client, tableName: table }).tenantOf(key)).toBe('acme');
    const items = JSON.stringify((await client.send(new ScanCommand({ TableName: table }))).Items);
    expect(items).toContain(hashApiKey(key));
    expect(items).not.toContain(key);
    client.destroy();
  });

  it('bad arguments exit 2 naming the fix; a missing table exits 1 and says which output to use', { timeout: 60_000 }, async () => {
    const bad = await mint('--tenant', 'no spaces', '--endpoint', endpoint());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --tenant is 1–64 letters, digits, _ . or -, starting with a letter or digit');
    expect(bad.stderr).toContain('error: --table is required: the JobsTableName output of the Tributary-<env>-State stack');
    expect(bad.stdout).toBe('');
    const missing = await mint('--tenant', 'acme', '--table', 'no_such_table', '--endpoint', endpoint());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFoundException.*is "no_such_table" the JobsTableName output, in this region\?/);
    expect(missing.stdout).toBe('');
  });
});
