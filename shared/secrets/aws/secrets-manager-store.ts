import {
  CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../secret-store.ts';

// The AWS secrets adapter. A job's password is one secret named
// <prefix><job id>/source-password (and /destination-password for a PostgreSQL
// destination); the name is the reference the job keeps.
// IAM does the scoping (infra/): the API may create, overwrite and delete
// secrets under the prefix but never read them; the worker may only read.
export type SecretsManagerStoreOptions = {
  /** e.g. "tributary/prod/jobs/": every secret this store touches lives under it. */
  prefix: string;
  /** Customer-managed KMS key (the StateStack's); Secrets Manager's own key when unset. */
  kmsKeyId?: string;
  client?: SecretsManagerClient;
  /** Tags on new secrets, e.g. the environment. */
  tags?: Record<string, string>;
};

export function createSecretsManagerStore(opts: SecretsManagerStoreOptions): SecretStore {
  const client = opts.client ?? new SecretsManagerClient({});
  const owned = (ref: string) => {
    if (!ref.startsWith(opts.prefix)) throw new Error(`secret reference "${ref}" is not under ${opts.prefix}; it belongs to another store or environment`);
    return ref;
  };

  return {
    async put(name, value) {
      const SecretId = `${opts.prefix}${name}`;
      try {
        await client.send(new CreateSecretCommand({
          Name: SecretId, SecretString: value, KmsKeyId: opts.kmsKeyId,
          Tags: Object.entries(opts.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        }));
      } catch (err) {
        // put is also "replace the password" (PATCH): the secret exists, so add a version
        if ((err as Error).name !== 'ResourceExistsException') throw err;
        await client.send(new PutSecretValueCommand({ SecretId, SecretString: value }));
      }
      return SecretId;
    },
    async get(ref) {
      const out = await client.send(new GetSecretValueCommand({ SecretId: owned(ref) }));
      if (out.SecretString === undefined) throw new Error(`secret ${ref} has no string value`);
      return out.SecretString;
    },
    async delete(ref) {
      try {
        // No recovery window: a released job's password must not linger (SPEC.md §3, §8).
        await client.send(new DeleteSecretCommand({ SecretId: owned(ref), ForceDeleteWithoutRecovery: true }));
      } catch (err) {
        if ((err as Error).name !== 'ResourceNotFoundException') throw err; // already gone: release is idempotent
      }
    },
  };
}
