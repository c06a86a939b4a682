import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { buildApp } from '../../../infra/app.ts';

// The real app, as `cdk synth` builds it, minus Lambda bundling (esbuild runs
// in `npm run synth`; templates do not depend on the bundle's bytes).
export const cdkContext = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')).context;

export function synthApp(envs: string[] = Object.keys(cdkContext['tributary:environments'])): App {
  const all = cdkContext['tributary:environments'];
  const app = buildApp(new App({ context: { ...cdkContext, 'tributary:environments': Object.fromEntries(envs.map((e) => [e, all[e]])), 'aws:cdk:bundling-stacks': [] } }));
  app.synth(); // runs cdk-nag: throws on any unacknowledged finding
  return app;
}

export function templateOf(app: App, stackId: string): Template {
  return Template.fromStack(app.node.findChild(stackId) as Stack);
}
