import { describe, expect, it } from 'vitest';
import { refuseFullOnStandby } from '../../../../worker/replication/standby-source.ts';

describe('a standby source in the worker', () => {
  it('refuses a full synchronization (its watermarks need a WAL write) and allows a streaming-only job', () => {
    expect(() => refuseFullOnStandby({ full: false })).not.toThrow();
    expect(() => refuseFullOnStandby({ full: true })).toThrow(expect.objectContaining({ code: 'SourceIsStandby', errorClass: 'fatal', message: expect.stringContaining('set startMode to {"type":"incremental"}') }));
  });
});
