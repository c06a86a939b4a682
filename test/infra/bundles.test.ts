import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../infra/app.ts';
import { cdkContext } from './support/synth.ts';

// The other infra tests skip bundling; this one synthesizes one environment
// with it, as `cdk deploy` would, because CDK caches bundles by their options:
// a cache key that missed the entry once gave all nine functions the same code.
describe('Lambda bundles', () => {
  it('every function gets its own bundle, built from its own entry', { timeout: 120_000 }, () => {
    const outdir = mkdtempSync(join(tmpdir(), 'tributary-synth-'));
    try {
      const app = buildApp(new App({ outdir, context: { ...cdkContext, 'tributary:environments': { dev: cdkContext['tributary:environments'].dev } } }));
      app.synth();
      const template = Template.fromStack(app.node.findChild('Tributary-dev-ControlPlane') as Stack);
      const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Code: { S3Key: string }; Handler: string; Runtime: string } }>;
      const keys = functions.map((f) => f.Properties.Code.S3Key);
      expect(functions.length).toBeGreaterThanOrEqual(9);
      expect(new Set(keys).size).toBe(keys.length);
      for (const f of functions) expect(f.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
      for (const key of keys) expect(existsSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
