import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { buildApp } from '/work/main/infra/app.ts';
const ctx = JSON.parse(readFileSync('/work/main/cdk.json', 'utf8')).context;
const envs = process.argv[2] ? { [process.argv[2]]: ctx['tributary:environments'][process.argv[2]] } : ctx['tributary:environments'];
const app = buildApp(new App({ context: { 'tributary:environments': envs, 'aws:cdk:bundling-stacks': [] }, outdir: '/tmp/trib-synth' }));
const t = Date.now();
try { app.synth(); console.log('ok', Date.now() - t, 'ms'); } catch (e) { console.log(String((e as Error).message).slice(0, 30000)); }
