import { describeUsageStoreContract } from './usage-store-contract.ts';
import { createSqliteUsageStore } from '../../../../shared/metering/sqlite-usage-store.ts';

describeUsageStoreContract('SQLite', () => createSqliteUsageStore(':memory:'));
