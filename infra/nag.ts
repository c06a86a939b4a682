import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// cdk-nag 3 reports through CDK's own validation (Validations.of(app).addPlugins):
// an unacknowledged finding interrupts synthesis, so `cdk synth` and the infra
// tests fail on it. Every acknowledgement names one finding and carries its reason.
// A finding id is a rule ("AwsSolutions-ECS2") or one finding of a granular rule
// ("AwsSolutions-IAM5[Resource::*]"); it covers the construct and its children.
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges IAM5 (wildcard) for exactly these resource strings, as cdk-nag prints them. */
export function acknowledgeWildcards(scope: IConstruct, resources: string[], reason: string): void {
  for (const r of resources) acknowledge(scope, `AwsSolutions-IAM5[Resource::${r}]`, reason);
}

/** How cdk-nag prints `Fn::GetAtt [resource, Arn]`: "<LogicalId.Arn>". */
export function arnOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return `<${Stack.of(element).resolve(element.logicalId)}.Arn>`;
}

/** How cdk-nag prints an ARN built with Stack.formatArn: pseudo parameters in angle brackets. */
export const nagArn = (service: string, resource: string) => `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
