import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createDynamoClient } from '../../shared/storage/dynamo/dynamo-client.ts';
import { createDynamoApiKeyStore } from '../../shared/auth/dynamo-api-key-store.ts';

// An operator's command for a deployed environment: mints an API key for a
// tenant straight into the DynamoDB table the API authenticates against
// (through the same store, so only its SHA-256 is written) and prints the key
// once. It is how a tenant gets its first key: the HTTP API needs one already.
// Runs with the operator's AWS credentials (dynamodb:PutItem on the table).
//   node cli/admin/mint-api-key.ts --tenant acme --table <JobsTableName output of Tributary-<env>-State> [--region eu-west-1]
export const MintArgs = z.strictObject({
  tenant: z.string({ message: '--tenant is required, e.g. --tenant acme' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, '--tenant is 1–64 letters, digits, _ . or -, starting with a letter or digit'),
  table: z.string({ message: '--table is required: the JobsTableName output of the Tributary-<env>-State stack' }).regex(/^[A-Za-z0-9_.-]{3,255}$/, '--table is a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, '--region looks like eu-west-1').optional(),
  endpoint: z.url({ message: '--endpoint is a URL, e.g. http://127.0.0.1:8000 (DynamoDB Local)' }).optional(),
});
export type MintArgs = z.infer<typeof MintArgs>;

export async function mintApiKey(args: MintArgs): Promise<string> {
  const client = createDynamoClient({ endpoint: args.endpoint, region: args.region });
  try {
    return await createDynamoApiKeyStore({ client, tableName: args.table }).create(args.tenant);
  } finally {
    client.destroy();
  }
}

/** Exit code 0 with the key alone on stdout; 2 for bad arguments; 1 when DynamoDB refuses. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let parsed: MintArgs;
  try {
    const { values } = parseArgs({ args: argv, options: { tenant: { type: 'string' }, table: { type: 'string' }, region: { type: 'string' }, endpoint: { type: 'string' } }, strict: true });
    const result = MintArgs.safeParse(values);
    if (!result.success) {
      err(result.error.issues.map((i) => `error: ${i.message}`).join('\n'));
      return 2;
    }
    parsed = result.data;
  } catch (e) {
    err(`error: ${(e as Error).message}\nusage: node cli/admin/mint-api-key.ts --tenant <id> --table <jobs table> [--region <region>] [--endpoint <url>]`);
    return 2;
  }
  try {
    const key = await mintApiKey(parsed);
    err(`API key for tenant "${parsed.tenant}" (stored as its SHA-256 only; it cannot be shown again):`);
    out(key);
    return 0;
  } catch (e) {
    const name = (e as Error).name;
    err(`error: ${name}: ${(e as Error).message}${name === 'ResourceNotFoundException' ? ` (is "${parsed.table}" the JobsTableName output, in this region?)` : ''}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2), (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
