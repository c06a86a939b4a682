import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../../worker/node-flags.ts';

describe('the worker\'s Node options', () => {
  it('are the same in the worker image as in the local launcher', () => {
    const dockerfile = readFileSync(new URL('../../../worker/Dockerfile', import.meta.url), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd, 'worker/Dockerfile has a JSON-form CMD').toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...WORKER_NODE_FLAGS, 'dist/worker/main.js']);
    for (const [name, value] of Object.entries(WORKER_ENV)) expect(dockerfile).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
  });

  it('cap both heap spaces, so the worker\'s memory does not follow the machine\'s', () => {
    expect(WORKER_NODE_FLAGS.some((f) => /^--max-old-space-size=\d+$/.test(f))).toBe(true);
    expect(WORKER_NODE_FLAGS.some((f) => /^--max-semi-space-size=\d+$/.test(f))).toBe(true);
  });
});
