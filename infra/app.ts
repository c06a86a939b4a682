import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { parseEnvironments } from './config.ts';
import { StateStack } from './stacks/state-stack.ts';

// One stack set per environment in cdk.json. `cdk synth` needs no AWS
// account: stacks without an account are environment-agnostic.
export function buildApp(app = new App()): App {
  // The cdk CLI passes cdk.json's context in; `node infra/app.ts` alone reads it here.
  const raw = app.node.tryGetContext('tributary:environments') ?? JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context['tributary:environments'];
  const environments = parseEnvironments(raw);
  for (const [name, config] of Object.entries(environments)) {
    new StateStack(app, `Tributary-${name}-State`, {
      env: config.account ? { account: config.account, region: config.region } : undefined,
      config,
      terminationProtection: config.retainData,
    });
  }
  return app;
}

if (import.meta.main) buildApp(new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' })).synth();
