import { z } from 'zod';

// A job's alerting (SPEC.md §2, issue 7): when to alert and where to notify.
// On AWS each setting becomes a CloudWatch alarm on the metrics the worker
// publishes (shared/alerting/cloudwatch-alarms.ts); locally the same thresholds
// are evaluated from the job's reported metrics (shared/alerting/evaluate-alerts.ts).
export const Alerting = z.strictObject({
  onFailure: z.boolean().default(true).describe('alert when the job fails (fatal error, or past its retry window)'),
  // the worker measures lag from a heartbeat written every 5 s: a lower threshold would alarm on its own interval
  lagThresholdSeconds: z
    .number({ message: 'alerting.lagThresholdSeconds is a whole number of seconds, e.g. 300' })
    .int('alerting.lagThresholdSeconds is a whole number of seconds, e.g. 300')
    .min(10, 'alerting.lagThresholdSeconds is at least 10 (lag is measured from a heartbeat written every 5 s)')
    .max(86_400, 'alerting.lagThresholdSeconds is at most 86400 (one day)')
    .optional()
    .describe('alert when replication lag stays above this many seconds'),
  retainedWalThresholdMb: z
    .number({ message: 'alerting.retainedWalThresholdMb is a whole number of MiB, e.g. 10240' })
    .int('alerting.retainedWalThresholdMb is a whole number of MiB, e.g. 10240')
    .min(16, 'alerting.retainedWalThresholdMb is at least 16 (one WAL segment)')
    .max(16_777_216, 'alerting.retainedWalThresholdMb is at most 16777216 (16 TiB)')
    .optional()
    .describe("alert when the job's slot keeps more than this many MiB of WAL on the source"),
  notify: z
    .strictObject({
      snsTopicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'alerting.notify.snsTopicArn is an SNS topic ARN, e.g. "arn:aws:sns:eu-west-1:123456789012:orders-alerts"; leave it out to notify the environment\'s topic')
        .optional(),
    })
    .optional()
    .describe("where to notify; by default the environment's alarm topic (local mode: the log and the job's alerts)"),
});
export type Alerting = z.infer<typeof Alerting>;
