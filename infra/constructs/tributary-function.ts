import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcards, arnOf } from '../nag.ts';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type TributaryFunctionProps = {
  /** Path from the repository root, e.g. "functions/steps/prepare-run.ts"; the module exports `handler`. */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  timeout?: Duration;
  memorySize?: number;
  vpc?: { vpc: ec2.IVpc; securityGroups: ec2.ISecurityGroup[] };
};

// One Lambda function as every Tributary function is built: Node 24 on arm64,
// bundled by scripts/bundle-function.ts (esbuild, ESM, the AWS SDK included so
// the version is the one we tested; the same bundle bench/api-latency.ts
// measures), its own log group with the environment's retention, and its own
// role holding nothing but the right to write that log group; each caller
// grants the rest, so every function's permissions are what its code uses.
export class TributaryFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TributaryFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}:*`] }));
    if (props.vpc) {
      // ENI management for a function in a VPC; these EC2 actions take no resource ARNs
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    this.fn = new lambda.Function(this, 'Function', {
      code: bundled(props.entry),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.vpc ? { vpc: props.vpc.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: props.vpc.securityGroups } : {}),
    });
    acknowledgeWildcards(this.role, [`${arnOf(logGroup)}:*`], 'Log streams are created at run time inside this function\'s own log group.');
    acknowledge(this.role, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords and, in a VPC, the EC2 network-interface actions support no resource-level permissions.');
  }
}

/** The handler's bundle as a Lambda asset, built at synth by our bundler in this Node process's runtime. */
function bundled(entry: string): lambda.Code {
  return lambda.Code.fromAsset(REPO_ROOT, {
    // the output's hash: the source folder is the whole repository, too big to fingerprint
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Docker is never used (local bundling below succeeds or throws), but
      // the command is what it would run, and it keys CDK's bundling cache:
      // without the entry in it, every function would get the first bundle
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      command: ['node', 'scripts/bundle-function.ts', entry, '/asset-output'],
      local: {
        tryBundle(outputDir) {
          const run = spawnSync(process.execPath, [`${REPO_ROOT}scripts/bundle-function.ts`, entry, outputDir], { stdio: 'inherit' });
          if (run.status !== 0) throw new Error(`bundling ${entry} failed (exit ${run.status}); run: node scripts/bundle-function.ts ${entry} /tmp/out`);
          return true;
        },
      },
    },
  });
}
