import { describe, it, expect } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { buildApp } from '../../infra/app.ts';

const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

describe('state stack per environment', () => {
  const app = buildApp(new App({ context }));

  it('builds one state stack for each environment in cdk.json', () => {
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(['Tributary-dev-State', 'Tributary-prod-State', 'Tributary-staging-State']);
  });

  it('prod keeps its data: PITR, deletion protection, retained table and key', () => {
    const t = Template.fromStack(app.node.findChild('Tributary-prod-State') as never);
    t.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true }],
      },
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  it('dev can be torn down', () => {
    const t = Template.fromStack(app.node.findChild('Tributary-dev-State') as never);
    t.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });

  it('a bad environment config fails with the field name', () => {
    const bad = { 'tributary:environments': { dev: { ...context['tributary:environments'].dev, region: 'Europe' } } };
    expect(() => buildApp(new App({ context: bad }))).toThrow(/tributary:environments\.dev\.region: region looks like eu-west-1/);
  });
});
