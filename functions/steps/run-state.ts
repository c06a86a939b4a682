import { z } from 'zod';

// The job state machine's data (infra/constructs/job-state-machine.ts): what an
// execution starts with, and the state every task handler receives and returns.
// The retry windows and the time each failure class first failed travel here,
// as data, so that a hand-over to a fresh execution carries them unchanged.
// Every handler parses its input with these schemas: a malformed state fails
// the step with the field's name instead of running on guesses.

const iso = z.iso.datetime({ offset: true });

export const RetryWindows = z.strictObject({
  connectionRetryMinutes: z.number().int().min(1).max(1440),
  otherRetryMinutes: z.number().int().min(1).max(1440),
});
export type RetryWindows = z.infer<typeof RetryWindows>;

/** When each class first failed in the current stretch of failures; null while the class is healthy. */
export const FirstFailures = z.strictObject({ connection: iso.nullable(), other: iso.nullable() });
export type FirstFailures = z.infer<typeof FirstFailures>;

// Not strict: PrepareRun also receives the whole state on each relaunch and keeps only these fields.
export const RunInput = z.object({
  jobId: z.string().min(1).max(36, 'jobId is at most 36 characters (ECS startedBy)'),
  action: z.enum(['run', 'release', 'precheck']).default('run'),
  /** Identifies one start of the job; hand-overs keep it, so execution names stay unique. */
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/).optional(),
  windows: RetryWindows.optional(),
  failures: FirstFailures.default({ connection: null, other: null }),
  attempt: z.number().int().min(0).default(0),
  /** 0 for the execution the API started, +1 per hand-over. */
  generation: z.number().int().min(0).default(0),
  handOverAt: iso.optional(),
});
export type RunInput = z.input<typeof RunInput>;

export const Decision = z.enum(['launch', 'retry', 'restart', 'handover', 'release', 'precheck', 'stopped', 'failed', 'end']);
export type Decision = z.infer<typeof Decision>;

export const RunState = z.object({
  jobId: z.string().min(1).max(36),
  action: z.enum(['run', 'release', 'precheck']),
  runId: z.string().min(1),
  windows: RetryWindows,
  failures: FirstFailures,
  attempt: z.number().int().min(0),
  generation: z.number().int().min(0),
  handOverAt: iso,
  decision: Decision,
  /** The RunWorker state's parameters, computed before each launch. */
  run: z.strictObject({
    cpu: z.string(),
    memoryMiB: z.string(),
    ackedLsnAtLaunch: z.string().nullable(),
    /** The job's own task definition (family or ARN): the deployed worker plus the job's secrets. */
    taskDefinition: z.string().min(1),
  }).optional(),
  /** Where a hand-over starts the next execution: a deterministic name keeps StartExecution idempotent. */
  handOver: z.strictObject({ name: z.string().max(80), input: z.record(z.string(), z.unknown()) }).optional(),
  wait: z.strictObject({ seconds: z.number().int().min(1) }).optional(),
  /** Set by the RunWorker state: { task } (the stopped task) on success, or the { Error, Cause } its Catch recorded. */
  exit: z.object({ task: z.unknown().optional(), Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  released: z.object({ slot: z.boolean(), publication: z.boolean(), heartbeatTable: z.boolean().optional() }).optional(),
  cleanupError: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type RunState = z.infer<typeof RunState>;

/** Parses a step's input, naming the step and the bad fields when it does not fit. */
export function parseStepInput<T extends z.ZodType>(schema: T, step: string, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  throw new InvalidStepInput(`${step}: invalid input: ${detail}`);
}

export class InvalidStepInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStepInput';
  }
}
