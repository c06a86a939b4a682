import { describe, expect, it } from 'vitest';
import { assessVersion } from '../../../../shared/prechecks/checks/source-version.ts';
import { assessWalRetention } from '../../../../shared/prechecks/checks/wal-retention.ts';
import { assessWalSenderTimeout } from '../../../../shared/prechecks/checks/wal-sender-timeout.ts';
import { assessDecodingMemory } from '../../../../shared/prechecks/checks/logical-decoding-work-mem.ts';
import { assessStandby } from '../../../../shared/prechecks/checks/standby.ts';
import { assessFailover } from '../../../../shared/prechecks/checks/failover-slots.ts';
import { assessSlot } from '../../../../shared/prechecks/checks/replication-slot.ts';
import { assessMessageSizes, estimateRecordBytes } from '../../../../shared/prechecks/checks/kafka-message-size.ts';
import { loginFailure } from '../../../../shared/prechecks/checks/source-authentication.ts';
import { quoteLiteral, formatBytes } from '../../../../shared/prechecks/fix-sql.ts';

const MB = 1024 * 1024;

describe('source-version', () => {
  it.each([
    [110022, '11.22', 'error'],
    [120000, '12.0', 'pass'],
    [170004, '17.4', 'pass'],
    [180001, '18.1', 'warning'],
  ])('%i → %s', (num, version, status) => {
    expect(assessVersion(num, version).status).toBe(status);
  });
  it('a newer major is an ignorable warning', () => {
    expect(assessVersion(180000, '18.0')).toMatchObject({ ignorable: true });
  });
});

describe('wal-retention', () => {
  const base = { major: 17, rate: { bytesPerSecond: MB, how: 'estimate: sampled' }, connectionRetryMinutes: 720 };
  it('unlimited retention passes and still says how much WAL a retry window produces', () => {
    const f = assessWalRetention({ ...base, keepSizeMb: -1 });
    expect(f.status).toBe('pass');
    expect(f.detail).toContain('~42 GB over the job\'s 720-minute connection retry window');
  });
  it('warns when the window produces more WAL than max_slot_wal_keep_size, with a size and a window that fit', () => {
    // 1 MB/s × 720 min = 720 × 60 MB = 42 GB; keep 10 GB
    const f = assessWalRetention({ ...base, keepSizeMb: 10 * 1024 });
    expect(f).toMatchObject({ status: 'warning', ignorable: true });
    expect(f.detail).toContain('max_slot_wal_keep_size = 10 GB is less than ~1.0 MB/s of WAL (estimate: sampled)');
    expect(f.fix).toContain(`ALTER SYSTEM SET max_slot_wal_keep_size = '${720 * 60 * 1.5}MB';\nSELECT pg_reload_conf();`);
    expect(f.fix).toContain("lower the job's connectionRetryMinutes to 170");
  });
  it('passes when the window fits', () => {
    expect(assessWalRetention({ ...base, keepSizeMb: 50 * 1024 }).status).toBe('pass');
  });
  it('PostgreSQL 12 has no such setting', () => {
    expect(assessWalRetention({ ...base, major: 12, keepSizeMb: -1 }).detail).toMatch(/^PostgreSQL 12 has no max_slot_wal_keep_size/);
  });
});

describe('wal-sender-timeout', () => {
  it.each([
    [0, 'warning'],
    [5_000, 'warning'],
    [10_000, 'pass'],
    [60_000, 'pass'],
  ])('%i ms → %s', (ms, status) => {
    const f = assessWalSenderTimeout(ms);
    expect(f.status).toBe(status);
    if (status === 'warning') expect(f.fix).toBe("ALTER SYSTEM SET wal_sender_timeout = '60s';\nSELECT pg_reload_conf();");
  });
});

describe('logical-decoding-work-mem', () => {
  it('warns below the 64 MB default', () => {
    const f = assessDecodingMemory({ major: 13, workMemKb: 1024, largest: { name: 'public.big', bytes: 5 * 1024 * MB } });
    expect(f).toMatchObject({ status: 'warning', ignorable: true });
    expect(f.detail).toContain('the largest selected table, public.big, is 5.0 GB');
  });
  it('passes at the default, noting when a rewrite of the largest table would spill', () => {
    const f = assessDecodingMemory({ major: 13, workMemKb: 65536, largest: { name: 'public.big', bytes: 5 * 1024 * MB } });
    expect(f.status).toBe('pass');
    expect(f.detail).toContain('would spill to disk');
  });
  it('passes any value from PostgreSQL 14, where the worker streams large transactions and spills them itself', () => {
    for (const workMemKb of [64, 65536]) {
      const f = assessDecodingMemory({ major: 14, workMemKb, largest: { name: 'public.big', bytes: 5 * 1024 * MB } });
      expect(f.status).toBe('pass');
      expect(f.detail).toContain('streamed to the worker while in progress');
    }
  });
});

describe('standby and failover slots', () => {
  it('a primary passes the standby check, full synchronization or not', () => {
    expect(assessStandby({ inRecovery: false, major: 15, hotStandbyFeedback: 'off', fullPhase: true }).status).toBe('pass');
  });
  it('a PostgreSQL 15 standby without feedback gets both problems and both fixes', () => {
    const f = assessStandby({ inRecovery: true, major: 15, hotStandbyFeedback: 'off', fullPhase: false });
    expect(f.status).toBe('error');
    expect(f.detail).toContain('PostgreSQL 15 cannot decode on a standby');
    expect(f.fix).toContain('ALTER SYSTEM SET hot_standby_feedback = on;');
  });
  it('a PostgreSQL 16 standby with feedback passes a streaming-only job, and says fixes run on the primary', () => {
    const f = assessStandby({ inRecovery: true, major: 16, hotStandbyFeedback: 'on', fullPhase: false });
    expect(f.status).toBe('pass');
    expect(f.detail).toContain('schema, role and grant fixes in this report run on the primary');
  });
  it('a standby refuses a job with a full synchronization: its watermarks need a WAL write', () => {
    const f = assessStandby({ inRecovery: true, major: 17, hotStandbyFeedback: 'on', fullPhase: true });
    expect(f).toMatchObject({
      status: 'error',
      ignorable: false,
      detail: 'the source is a standby: the job has a full synchronization, whose watermarks (pg_logical_emit_message) a standby cannot write',
      fix: 'Set startMode to {"type": "incremental"} (or syncTypes.full to false) and copy the existing rows another way, or point the job at the primary.',
    });
  });
  it('failover: nothing to do without standbys; a warning with the setting when standbys exist on 17', () => {
    expect(assessFailover({ major: 17, inRecovery: false, physicalSlots: [], physicalSenders: 0 }).status).toBe('pass');
    const f = assessFailover({ major: 17, inRecovery: false, physicalSlots: ['standby1'], physicalSenders: 1, synchronizedStandbySlots: '' });
    expect(f).toMatchObject({ status: 'warning', ignorable: true });
    expect(f.fix).toContain("ALTER SYSTEM SET synchronized_standby_slots = 'standby1';");
    expect(assessFailover({ major: 17, inRecovery: false, physicalSlots: ['s1'], physicalSenders: 1, synchronizedStandbySlots: 's1' }).status).toBe('pass');
    expect(assessFailover({ major: 16, inRecovery: false, physicalSlots: ['s1'], physicalSenders: 1 }).status).toBe('warning');
  });
});

describe('replication-slot', () => {
  const slot = { slot_type: 'logical', plugin: 'pgoutput', database: 'shop', active: false, active_pid: null, confirmed_flush_lsn: '0/16B3748' };
  it('free name, or ours and idle, passes', () => {
    expect(assessSlot('tributary_j1', 'shop', undefined).status).toBe('pass');
    expect(assessSlot('tributary_j1', 'shop', slot).detail).toContain('streaming resumes at 0/16B3748');
  });
  it('an active slot names the pid to terminate', () => {
    expect(assessSlot('tributary_j1', 'shop', { ...slot, active: true, active_pid: 4242 })).toMatchObject({ status: 'error', fix: expect.stringContaining('SELECT pg_terminate_backend(4242);') });
  });
  it('a foreign or invalidated slot is an error with the drop statement', () => {
    expect(assessSlot('s', 'shop', { ...slot, plugin: 'test_decoding' }).fix).toContain("SELECT pg_drop_replication_slot('s');");
    expect(assessSlot('s', 'shop', { ...slot, database: 'other' }).detail).toContain('a slot of database "other"');
    expect(assessSlot('s', 'shop', { ...slot, wal_status: 'lost' }).detail).toContain('is invalidated');
  });
});

describe('kafka-message-size', () => {
  it('estimates before + after + names + envelope', () => {
    expect(estimateRecordBytes(1000, ['id', 'body'])).toBe(2 * (1000 + 6 + 8) + 1024);
  });
  it('warns per table over its limit with the config command', () => {
    const f = assessMessageSizes(
      [
        { table: 'public.small', topic: 'shop.public.small', estimate: 2_000, limit: 1_048_588, limitFrom: 'topic max.message.bytes' },
        { table: 'public.docs', topic: 'shop.public.docs', estimate: 3 * MB, limit: 1_048_588, limitFrom: 'topic max.message.bytes' },
      ],
      'b1:9092',
    );
    expect(f).toMatchObject({ status: 'warning', ignorable: true });
    expect(f.fix).toBe("kafka-configs.sh --bootstrap-server b1:9092 --alter --entity-type topics --entity-name 'shop.public.docs' --add-config max.message.bytes=5242880");
  });
});

describe('login failures', () => {
  const source = { user: 'cdc', database: 'shop', host: 'db', sslmode: 'require' };
  it('a wrong password says where to change it, never showing one', () => {
    const f = loginFailure(Object.assign(new Error('password authentication failed for user "cdc"'), { code: '28P01' }), source);
    expect(f.fix).toBe(`Update the job's source.password, or set the password on the source: ALTER ROLE "cdc" WITH PASSWORD '<new password>';`);
  });
  it('a missing pg_hba.conf entry gives the exact line for the address the server saw', () => {
    const f = loginFailure(Object.assign(new Error('no pg_hba.conf entry for host "10.0.3.7", user "cdc", database "shop", no encryption'), { code: '28000' }), source);
    expect(f.fix).toContain('host "shop" "cdc" 10.0.3.7/32 scram-sha-256');
    expect(f.fix).toContain('SELECT pg_reload_conf();');
  });
  it('missing CONNECT gives the GRANT', () => {
    const f = loginFailure(Object.assign(new Error('permission denied for database "shop"'), { code: '42501' }), source);
    expect(f.fix).toBe('GRANT CONNECT ON DATABASE "shop" TO "cdc";');
  });
});

describe('fix helpers', () => {
  it('quotes literals and formats sizes', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(3 * MB)).toBe('3.0 MB');
  });
});
