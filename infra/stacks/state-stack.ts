import { Stack, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config.ts';

// The stateful half, deployed apart from the stateless stacks so that a
// redeploy of the API or the worker can never replace a table.
export class StateStack extends Stack {
  readonly jobsTable: dynamodb.TableV2;
  readonly secretsKey: kms.Key;

  constructor(scope: Construct, id: string, props: StackProps & { config: EnvironmentConfig }) {
    super(scope, id, props);
    const { retainData } = props.config;
    const removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Encrypts Tributary job passwords in Secrets Manager',
      enableKeyRotation: true,
      removalPolicy,
    });

    // Key design: one item per job, pk = job id; later issues add runs,
    // checkpoints and usage as further item types in the same table.
    this.jobsTable = new dynamodb.TableV2(this, 'Jobs', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retainData,
      removalPolicy,
    });
  }
}
