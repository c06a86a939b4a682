import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthedApiHarness, jobBody } from '../../../support/api-harness.ts';

// A fuzz-style sweep: 1,000 malformed bodies, derived from a valid job by a
// seeded generator (so a failure replays), must each get a 4xx — never a 5xx
// and never a write.
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const WEIRD: unknown[] = [null, true, -1, 0, 1e309, 2 ** 53 + 1, '', ' ', 'x'.repeat(10_000), '#{nope}', '\u0000', '"; DROP TABLE x; --', [], {}, [null], { $ne: 1 }, 'NaN', -0.5, '1e3'];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return WEIRD[Math.floor(random() * WEIRD.length)];
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  const keys = Object.keys(copy);
  const action = random();
  if (keys.length === 0 || action < 0.15) copy[`extra_${Math.floor(random() * 100)}`] = WEIRD[Math.floor(random() * WEIRD.length)];
  else {
    const key = keys[Math.floor(random() * keys.length)];
    if (action < 0.35) delete copy[key];
    else copy[key] = mutate(copy[key], random, depth + 1);
  }
  return copy;
}

let h: Awaited<ReturnType<typeof createAuthedApiHarness>>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

describe('1,000 malformed job bodies', () => {
  it('each gets a 4xx problem, none a 5xx, and nothing is stored', { timeout: 60_000 }, async () => {
    const random = rng(20261123);
    const statuses = new Map<number, number>();
    let valid = 0;
    for (let i = 0; i < 1000; i++) {
      const body = i % 10 === 9 ? JSON.stringify(mutate(jobBody(), random)).slice(0, Math.floor(random() * 200)) : JSON.stringify(mutate(jobBody(), random));
      const res = await h.call('POST', '/jobs', undefined, body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 201) {
        valid++; // a mutation can land on an optional field and still be a valid job
        continue;
      }
      expect(res.status, `body #${i}: ${body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `body #${i}: ${body.slice(0, 300)}`).toBeLessThan(500);
      expect(res.type).toBe('application/problem+json');
    }
    expect((await h.store.list()).length).toBe(valid);
    // objects may be left out (the whole database), so deleting it still leaves a valid job
    expect(valid).toBeLessThan(250);
    expect(statuses.get(400)).toBeGreaterThan(750);
  });
});
