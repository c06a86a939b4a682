import { CfnOutput, Stack, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
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
    // The key serves Secrets Manager only: principals of this account may use it
    // through Secrets Manager (their IAM policies decide which secrets), not directly.
    this.secretsKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'UseThroughSecretsManagerOnly',
      principals: [new iam.AccountPrincipal(this.account)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com`, 'kms:CallerAccount': this.account } },
    }));

    // Key design (shared/storage/dynamo/dynamo-job-store.ts): pk = JOB#<id>, sk = JOB;
    // runs, checkpoints and usage go in the job's partition; API keys under APIKEY#<hash>.
    this.jobsTable = new dynamodb.TableV2(this, 'Jobs', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      // GET /jobs lists one tenant's jobs without a scan (shared/storage/dynamo/create-tables.ts TENANT_INDEX)
      globalSecondaryIndexes: [{ indexName: 'byTenant', partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING }, sortKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }],
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retainData,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy,
    });

    new CfnOutput(this, 'JobsTableName', { value: this.jobsTable.tableName });
    new CfnOutput(this, 'SecretsKeyArn', { value: this.secretsKey.keyArn });
  }
}
