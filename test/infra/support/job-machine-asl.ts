import type { Template } from 'aws-cdk-lib/assertions';

// The job machine's ASL exactly as CloudFormation will deploy it: the
// DefinitionString's Fn::Join with every CloudFormation reference replaced by
// a plausible literal (Lambda ARNs named after their logical id). The local
// engine binds Tasks by state name, so these literals are never called.
export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'eu-west-1';

export function jobMachineDefinition(template: Template): { definition: Record<string, unknown>; stateMachineName: string } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Array<{ Properties: { DefinitionString: unknown; StateMachineName: string } }>;
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const { DefinitionString, StateMachineName } = machines[0].Properties;
  return { definition: JSON.parse(render(DefinitionString)), stateMachineName: StateMachineName };
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  if ('Fn::GetAtt' in v) {
    const [id] = v['Fn::GetAtt'] as [string, string];
    return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${id}`;
  }
  if ('Ref' in v) {
    const ref = v.Ref as string;
    return ({ 'AWS::Partition': 'aws', 'AWS::Region': FAKE_REGION, 'AWS::AccountId': FAKE_ACCOUNT } as Record<string, string>)[ref] ?? `ref-${ref}`;
  }
  if ('Fn::ImportValue' in v) return `import-${JSON.stringify(v['Fn::ImportValue']).replace(/\W+/g, '-')}`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
