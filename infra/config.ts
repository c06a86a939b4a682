import { z } from 'zod';

// One entry per environment in cdk.json's context, validated before any
// construct is built so that a typo fails `cdk synth` with the field's name.
export const EnvironmentConfig = z.strictObject({
  account: z.string().regex(/^\d{12}$/, 'account is a 12-digit AWS account id').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region looks like eu-west-1'),
  retainData: z.boolean().describe('keep tables on stack deletion and turn on deletion protection'),
  logRetentionDays: z.number().int().min(1).max(3653),
  lagAlarmSeconds: z.number().int().min(1),
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
