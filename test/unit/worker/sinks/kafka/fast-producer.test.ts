import { describe, expect, it } from 'vitest';
import { findErrorBy, MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { guarded, OUT_OF_SEQUENCE } from '../../../../../worker/sinks/kafka/fast-producer.ts';

const answer = (error: Error | null) => {
  let seen: Error | null | undefined;
  guarded((e) => (seen = e))(error, undefined);
  return seen;
};

describe('lost-sequence guard', () => {
  for (const apiId of ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID']) {
    it(`turns ${apiId} into a final error the client neither retries nor "recovers" with a new producer id`, () => {
      const seen = answer(new MultipleErrors('Received response with error while executing API Produce(v11)', [new ProtocolError(apiId)]));
      expect((seen as { code?: string }).code).toBe(OUT_OF_SEQUENCE);
      expect(findErrorBy(seen!, 'canRetry', false)).toBeTruthy(); // not retried in place
      expect(findErrorBy(seen!, 'apiId', apiId)).toBeNull(); // invisible to the client's producer-state recovery
    });
  }

  it('passes every other answer through unchanged', () => {
    const network = new NetworkError('Connection closed');
    expect(answer(network)).toBe(network);
    const leader = new MultipleErrors('x', [new ProtocolError('NOT_LEADER_OR_FOLLOWER')]);
    expect(answer(leader)).toBe(leader);
    expect(answer(null)).toBeNull();
  });
});
