import type { Precheck } from '../precheck.ts';
import { sourceReachable } from './source-reachable.ts';
import { sourceAuthentication } from './source-authentication.ts';
import { sourceVersion } from './source-version.ts';
import { walLevel } from './wal-level.ts';
import { replicationPrivilege } from './replication-privilege.ts';
import { schemaUsagePrivilege } from './schema-usage-privilege.ts';
import { tableSelectPrivilege } from './table-select-privilege.ts';
import { sequenceSelectPrivilege } from './sequence-select-privilege.ts';
import { replicationConnection } from './replication-connection.ts';
import { replicationSlotsFree } from './replication-slots-free.ts';
import { walSendersFree } from './wal-senders-free.ts';
import { replicationSlot } from './replication-slot.ts';
import { publication } from './publication.ts';
import { heartbeatTable } from './heartbeat-table.ts';
import { longTransactions } from './long-transactions.ts';
import { preparedTransactions } from './prepared-transactions.ts';
import { walRetention } from './wal-retention.ts';
import { walSenderTimeout } from './wal-sender-timeout.ts';
import { logicalDecodingWorkMem } from './logical-decoding-work-mem.ts';
import { standby } from './standby.ts';
import { failoverSlots } from './failover-slots.ts';
import { tablesExist } from './tables-exist.ts';
import { objectsSelected } from './objects-selected.ts';
import { rowFilter } from './row-filter.ts';
import { tableKind } from './table-kind.ts';
import { primaryKey } from './primary-key.ts';
import { replicaIdentity } from './replica-identity.ts';
import { toastReplicaIdentity } from './toast-replica-identity.ts';
import { nameRules } from './name-rules.ts';
import { forbiddenColumnNames } from './forbidden-column-names.ts';
import { sequences } from './sequences.ts';
import { kafkaBrokers } from './kafka-brokers.ts';
import { kafkaTopics } from './kafka-topics.ts';
import { kafkaWrite } from './kafka-write.ts';
import { kafkaMessageSize } from './kafka-message-size.ts';
import { kafkaTransactions } from './kafka-transactions.ts';
import { destinationReachable } from './destination-reachable.ts';
import { destinationAuthentication } from './destination-authentication.ts';
import { destinationVersion } from './destination-version.ts';
import { destinationPrivileges } from './destination-privileges.ts';
import { destinationConflictingTables } from './destination-conflicting-tables.ts';
import { destinationFreeSpace } from './destination-free-space.ts';
import { destinationNames } from './destination-names.ts';

// THE list of prechecks, in the order results are reported: connection
// first, then server settings and capacity, then the selected tables, then
// the destination. docs/prechecks.md documents each row.
export const PRECHECKS: readonly Precheck[] = [
  sourceReachable,
  sourceAuthentication,
  sourceVersion,
  walLevel,
  replicationPrivilege,
  schemaUsagePrivilege,
  tableSelectPrivilege,
  sequenceSelectPrivilege,
  replicationConnection,
  replicationSlotsFree,
  walSendersFree,
  replicationSlot,
  publication,
  heartbeatTable,
  longTransactions,
  preparedTransactions,
  walRetention,
  walSenderTimeout,
  logicalDecodingWorkMem,
  standby,
  failoverSlots,
  objectsSelected,
  tablesExist,
  tableKind,
  primaryKey,
  replicaIdentity,
  rowFilter,
  toastReplicaIdentity,
  nameRules,
  forbiddenColumnNames,
  sequences,
  kafkaBrokers,
  kafkaTopics,
  kafkaWrite,
  kafkaMessageSize,
  kafkaTransactions,
  destinationReachable,
  destinationAuthentication,
  destinationVersion,
  destinationPrivileges,
  destinationConflictingTables,
  destinationFreeSpace,
  destinationNames,
];
