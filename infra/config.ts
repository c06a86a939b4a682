import { z } from 'zod';

// CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

// One entry per environment in cdk.json's context, validated before any
// construct is built so that a typo fails `cdk synth` with the field's name.
export const EnvironmentConfig = z.strictObject({
  account: z.string().regex(/^\d{12}$/, 'account is a 12-digit AWS account id').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region looks like eu-west-1'),
  retainData: z.boolean().describe('keep tables on stack deletion and turn on deletion protection'),
  logRetentionDays: z.number().int().refine((d) => LOG_RETENTION_DAYS.includes(d), `logRetentionDays is one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(', ')}`),
  lagAlarmSeconds: z.number().int().min(1),
  retainedWalAlarmGiB: z.number().positive().default(20).describe('alarm when any slot keeps more WAL than this on its source'),
  alarmEmail: z.email().optional().describe('subscribed to the environment\'s alarm topic'),
  natGateways: z.number().int().min(1).max(3).default(1).describe('workers reach sources and brokers through NAT from private subnets'),
  workerStopTimeoutSeconds: z.number().int().min(30).max(120).default(120).describe('SIGTERM → SIGKILL grace for a worker to deliver, save and ack (Fargate allows at most 120 s)'),
  handOverAfterDays: z.number().int().min(1).max(360).default(330).describe('a state-machine execution hands its job to a fresh one at its first relaunch after this long (Standard executions end at one year)'),
  workerRestartDays: z.number().int().min(1).max(24).default(14).describe('a worker task is restarted gracefully after this long, which bounds every wait on it and rolls out new worker images'),
}).refine((c) => c.handOverAfterDays + c.workerRestartDays < 365, {
  path: ['handOverAfterDays'],
  message: 'handOverAfterDays + workerRestartDays must stay under 365: the last launch of an execution must end before its one-year limit',
});
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

export const Environments = z.record(z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'environment names are short lower-case words'), EnvironmentConfig);
export type Environments = z.infer<typeof Environments>;

export function parseEnvironments(raw: unknown): Environments {
  const parsed = Environments.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `tributary:environments.${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid cdk.json context:\n${detail}`);
  }
  return parsed.data;
}
