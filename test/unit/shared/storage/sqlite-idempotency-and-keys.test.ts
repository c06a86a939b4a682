import { describeApiKeyContract, describeIdempotencyContract } from './idempotency-store-contract.ts';
import { createSqliteIdempotencyStore } from '../../../../shared/storage/local/sqlite-idempotency-store.ts';
import { createSqliteApiKeyStore } from '../../../../shared/auth/sqlite-api-key-store.ts';

describeIdempotencyContract('SQLite', () => createSqliteIdempotencyStore(':memory:'));
describeApiKeyContract('SQLite', () => createSqliteApiKeyStore(':memory:'));
