import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeWildcards, arnOf, nagArn } from '../nag.ts';
import { clusterArns, workerFamily } from '../names.ts';

export type JobSteps = Record<'prepareRun' | 'classifyExit' | 'stopWorker' | 'releaseSource' | 'finishRelease' | 'reportLeftovers' | 'runPrechecks', lambda.IFunction>;

export type JobStateMachineProps = {
  envName: string;
  stateMachineName: string;
  /** RunWorker's timeout: a worker is restarted gracefully after this long. */
  workerRestartDays: number;
  steps: JobSteps;
  cluster: ecs.ICluster;
  taskDefinition: ecs.FargateTaskDefinition;
  containerName: string;
  subnets: ec2.ISubnet[];
  securityGroup: ec2.ISecurityGroup;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
};

// The job lifecycle machine (ARCHITECTURE.md §4b): ONE definition, JSONPath
// only, which tests run unchanged on the local engine (aws-local-stepfunctions)
// with each Task bound by state name to a local handler. State names are part
// of that contract: rename one and test/infra/job-state-machine.test.ts says so.
//
//   PrepareRun → RunPrechecks (action "precheck": the API waits for its output)
//   PrepareRun → RunWorker (ECS RunTask .sync) → ClassifyExit → BackoffWait → PrepareRun …
//      │            │ timeout (periodic restart)     │ failed past window / fatal
//      │            ▼                                ▼
//      │       MarkRestart → StopWorker → PrepareRun   StopWorker → ReleaseSource → FinishRelease → JobFailed
//      └ past the hand-over deadline → StopWorker → HandOver (a fresh execution carries the state on)
//
// A .sync wait is free: a Standard workflow is billed per state transition,
// and a worker streaming for days is one transition. RunWorker times out after
// workerRestartDays (at most 24: the local engine's timers are setTimeout, which
// caps a delay at 2^31 ms), so PrepareRun runs at least that often and hands the
// job over once the execution is handOverAfterDays old: the one-year limit of a
// Standard execution is never reached, and the worker is never waited on twice.
export class JobStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: JobStateMachineProps) {
    super(scope, id);
    const { steps } = props;
    const invoke = (name: string, fn: lambda.IFunction, resultPath?: string) =>
      new tasks.LambdaInvoke(this, name, { lambdaFunction: fn, payloadResponseOnly: true, retryOnServiceExceptions: true, ...(resultPath ? { resultPath } : {}) });
    const decision = (value: string) => sfn.Condition.stringEquals('$.decision', value);

    const ended = new sfn.Succeed(this, 'Ended', { comment: 'stopped, released or failed while the machine waited; nothing left to do' });
    const stopped = new sfn.Succeed(this, 'Stopped');
    const released = new sfn.Succeed(this, 'Released');
    const handedOver = new sfn.Succeed(this, 'HandedOver');
    const jobFailed = new sfn.Fail(this, 'JobFailed', { error: 'JobFailed', cause: 'The job failed (fatal, or past its retry window); its source objects were removed. The job record has the error.' });
    const cleanupIncomplete = new sfn.Fail(this, 'CleanupIncomplete', { error: 'CleanupIncomplete', cause: 'Release could not finish; the job record lists what may remain on the source.' });

    const prepareRun = invoke('PrepareRun', steps.prepareRun);
    const classifyExit = invoke('ClassifyExit', steps.classifyExit);
    const stopWorker = invoke('StopWorker', steps.stopWorker);
    const releaseSource = invoke('ReleaseSource', steps.releaseSource, '$.released');
    const finishRelease = invoke('FinishRelease', steps.finishRelease);
    const reportLeftovers = invoke('ReportLeftovers', steps.reportLeftovers);
    const runPrechecks = invoke('RunPrechecks', steps.runPrechecks, '$.precheck');
    runPrechecks.next(new sfn.Succeed(this, 'Prechecked'));
    const backoffWait = new sfn.Wait(this, 'BackoffWait', { time: sfn.WaitTime.secondsPath('$.wait.seconds') });
    const markRestart = new sfn.Pass(this, 'MarkRestart', { result: sfn.Result.fromString('restart'), resultPath: '$.decision' });

    const runWorker = new sfn.CustomState(this, 'RunWorker', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::ecs:runTask.sync`,
        Parameters: {
          Cluster: props.cluster.clusterArn,
          // the job's own family (PrepareRun registers it from the latest deployed worker
          // revision plus the job's secrets: functions/steps/job-task-definition.ts)
          'TaskDefinition.$': '$.run.taskDefinition',
          LaunchType: 'FARGATE',
          'StartedBy.$': '$.jobId',
          PropagateTags: 'TASK_DEFINITION',
          Tags: [{ Key: 'tributary:job-id', 'Value.$': '$.jobId' }],
          NetworkConfiguration: {
            AwsvpcConfiguration: { Subnets: props.subnets.map((s) => s.subnetId), SecurityGroups: [props.securityGroup.securityGroupId], AssignPublicIp: 'DISABLED' },
          },
          Overrides: {
            'Cpu.$': '$.run.cpu',
            'Memory.$': '$.run.memoryMiB',
            ContainerOverrides: [{ Name: props.containerName, Environment: [{ Name: 'TRIBUTARY_JOB_ID', 'Value.$': '$.jobId' }] }],
          },
        },
        TimeoutSeconds: props.workerRestartDays * 86_400,
        ResultSelector: { 'task.$': '$' },
        ResultPath: '$.exit',
      },
    });
    runWorker.addCatch(markRestart, { errors: ['States.Timeout'], resultPath: '$.exit' });
    runWorker.addCatch(classifyExit, { errors: ['States.ALL'], resultPath: '$.exit' });

    const handOver = new sfn.CustomState(this, 'HandOver', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::states:startExecution`,
        Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', 'Name.$': '$.handOver.name', 'Input.$': '$.handOver.input' },
        ResultPath: null,
      },
    });
    handOver.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(5), maxAttempts: 5, backoffRate: 2 });
    // a retried StartExecution whose first try got through: the next execution runs already
    handOver.addCatch(handedOver, { errors: ['StepFunctions.ExecutionAlreadyExistsException'], resultPath: sfn.JsonPath.DISCARD });
    handOver.next(handedOver);

    const cleanupRetry = { errors: ['States.ALL'], interval: Duration.seconds(30), maxAttempts: 12, backoffRate: 2, maxDelay: Duration.minutes(15) };
    stopWorker.addRetry(cleanupRetry).addCatch(reportLeftovers, { resultPath: '$.cleanupError' });
    releaseSource.addRetry(cleanupRetry).addCatch(reportLeftovers, { resultPath: '$.cleanupError' });
    reportLeftovers.next(cleanupIncomplete);

    prepareRun.next(new sfn.Choice(this, 'AfterPrepare')
      .when(decision('launch'), runWorker)
      .when(sfn.Condition.or(decision('handover'), decision('release')), stopWorker)
      .when(decision('precheck'), runPrechecks)
      .otherwise(ended));
    runWorker.next(classifyExit);
    markRestart.next(stopWorker);
    classifyExit.next(new sfn.Choice(this, 'AfterExit')
      .when(decision('retry'), backoffWait.next(prepareRun))
      .when(decision('failed'), stopWorker)
      .when(decision('stopped'), stopped)
      .otherwise(ended));
    stopWorker.next(new sfn.Choice(this, 'AfterStop').when(decision('handover'), handOver).when(decision('restart'), prepareRun).otherwise(releaseSource));
    releaseSource.next(finishRelease);
    finishRelease.next(new sfn.Choice(this, 'AfterRelease').when(sfn.Condition.stringEquals('$.action', 'release'), released).otherwise(jobFailed));

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(prepareRun),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy }),
        level: sfn.LogLevel.ALL,
        // the state carries job ids and windows, never passwords; execution data helps when a job fails
        includeExecutionData: true,
      },
    });
    this.grantRunWorker(props);
  }

  // What RunTask .sync needs, and nothing wider: run only the worker's per-job
  // families (<worker family>-<job id>) in this cluster, pass only its two roles, watch and stop only tasks in this
  // cluster, and the managed EventBridge rule Step Functions uses for .sync.
  private grantRunWorker(props: JobStateMachineProps) {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    const cluster = clusterArns(this, props.envName);
    const clusterTasks = cluster.tasks;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:RunTask'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${workerFamily(props.envName)}-*:*` })],
      conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [clusterTasks] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:TagResource'], resources: [clusterTasks], conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } } }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [props.taskDefinition.taskRole.roleArn, props.taskDefinition.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' })],
    }));
    // hand-over: a new execution of this same machine (by name: its ARN would be a circular reference)
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: props.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    acknowledgeWildcards(role, [cluster.nagTasks, nagArn('ecs', `task-definition/${workerFamily(props.envName)}-*:*`)], 'ECS task ARNs exist only at run time: stop, describe and tag only tasks of the worker cluster; RunTask only revisions of the per-job worker families (registered at run time, one per job), in that cluster.');
    acknowledgeWildcards(role, ['*'], 'X-Ray and CloudWatch Logs vended-delivery APIs support no resource-level permissions (CDK\'s tracing and logging grants).');
    acknowledgeWildcards(role, Object.values(props.steps).map((fn) => `${arnOf(fn)}:*`), 'CDK\'s LambdaInvoke grant covers the step function and its versions (<arn>:*); nothing else.');
  }
}
