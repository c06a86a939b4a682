import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceExistsException, ResourceNotFoundException, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createSecretsManagerStore } from '../../../../shared/secrets/aws/secrets-manager-store.ts';

const sm = mockClient(SecretsManagerClient);
const store = () => createSecretsManagerStore({ client: new SecretsManagerClient({ region: 'eu-west-1' }), prefix: 'tributary/dev/jobs/', kmsKeyId: 'key-arn', tags: { 'tributary:environment': 'dev' } });
const exists = () => new ResourceExistsException({ message: 'exists', $metadata: {} });
const missing = () => new ResourceNotFoundException({ message: 'gone', $metadata: {} });

beforeEach(() => sm.reset());

describe('Secrets Manager secret store', () => {
  it('put creates the secret under the prefix with the CMK and tags, and returns its name as the reference', async () => {
    sm.on(CreateSecretCommand).resolves({});
    expect(await store().put('j1/source-password', 's3cret')).toBe('tributary/dev/jobs/j1/source-password');
    expect(sm.commandCalls(CreateSecretCommand)[0].args[0].input).toEqual({
      Name: 'tributary/dev/jobs/j1/source-password', SecretString: 's3cret', KmsKeyId: 'key-arn', Tags: [{ Key: 'tributary:environment', Value: 'dev' }],
    });
  });

  it('put on an existing secret adds a version (a changed password)', async () => {
    sm.on(CreateSecretCommand).rejects(exists());
    sm.on(PutSecretValueCommand).resolves({});
    await store().put('j1/source-password', 'new');
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input).toEqual({ SecretId: 'tributary/dev/jobs/j1/source-password', SecretString: 'new' });
  });

  it('get reads the value; a reference outside the prefix is refused before any call', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 's3cret' });
    expect(await store().get('tributary/dev/jobs/j1/source-password')).toBe('s3cret');
    await expect(store().get('tributary/prod/jobs/j1/source-password')).rejects.toThrow(/not under tributary\/dev\/jobs\//);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('delete removes at once, and is idempotent', async () => {
    sm.on(DeleteSecretCommand).resolvesOnce({}).rejectsOnce(missing());
    await store().delete('tributary/dev/jobs/j1/source-password');
    await store().delete('tributary/dev/jobs/j1/source-password');
    expect(sm.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: 'tributary/dev/jobs/j1/source-password', ForceDeleteWithoutRecovery: true });
  });
});
