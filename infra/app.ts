import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { parseEnvironments } from './config.ts';
import { StateStack } from './stacks/state-stack.ts';
import { WorkerStack } from './stacks/worker-stack.ts';
import { ControlPlaneStack } from './stacks/control-plane-stack.ts';

// One stack set per environment in cdk.json: the stateful StateStack (tables,
// keys; termination-protected where data is kept), the WorkerStack (VPC, ECS
// cluster, Fargate task definition) and the stateless ControlPlaneStack (API,
// state machine, alarms). `cdk synth` needs no AWS account: stacks without an
// account are environment-agnostic. cdk-nag's AwsSolutions pack runs on every
// synth; test/infra/nag.test.ts fails on any finding left unsuppressed.
export function buildApp(app = new App()): App {
  // The cdk CLI passes cdk.json's context in; `node infra/app.ts` alone reads it here.
  const raw = app.node.tryGetContext('tributary:environments') ?? JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context['tributary:environments'];
  const environments = parseEnvironments(raw);
  for (const [envName, config] of Object.entries(environments)) {
    const env = config.account ? { account: config.account, region: config.region } : undefined;
    const state = new StateStack(app, `Tributary-${envName}-State`, { env, config, terminationProtection: config.retainData });
    const workers = new WorkerStack(app, `Tributary-${envName}-Workers`, { env, envName, config, jobsTable: state.jobsTable, secretsKey: state.secretsKey });
    new ControlPlaneStack(app, `Tributary-${envName}-ControlPlane`, { env, envName, config, jobsTable: state.jobsTable, secretsKey: state.secretsKey, workers });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}

if (import.meta.main) buildApp(new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' })).synth();
