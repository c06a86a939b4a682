import type { StepDeps } from './step-deps.ts';

// Turns a step (input, deps) → output into a Lambda handler. The AWS clients
// are built once per container, on the first invocation, and imported lazily
// so that tests and the local mode can import a step without the AWS SDK.
let deps: Promise<StepDeps> | undefined;

export function awsStep<O>(step: (input: unknown, deps: StepDeps) => Promise<O>): (event: unknown) => Promise<O> {
  return async (event) => {
    deps ??= import('./aws-step-deps.ts').then((m) => m.awsStepDeps(process.env));
    return step(event, await deps);
  };
}
