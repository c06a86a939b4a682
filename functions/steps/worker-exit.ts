import type { RunState } from './run-state.ts';
import { REPLACED_EXIT } from '../../worker/worker-claim.ts';

// What the RunWorker state (ECS RunTask .sync) reports about the worker's
// end. On success it is the stopped task as ECS describes it; when the task
// failed (a container exited non-zero, or it never started) Step Functions
// fails the state with an error whose Cause holds that description as JSON,
// when it has one. Field names are PascalCase in Step Functions' output;
// camelCase is accepted too, as ECS's own API spells them.
export type WorkerExit = {
  /** The worker container's exit code; undefined when it never ran or ECS did not report one. */
  exitCode?: number;
  stoppedReason?: string;
  /** Step Functions' error name when the state failed (States.TaskFailed, States.Timeout, ECS.AmazonECSException…). */
  stateError?: string;
};

/** `replaced`: a newer worker had claimed the job (worker/worker-claim.ts); this run's worker left the job to it. */
export const WORKER_EXIT = { stopped: 0, connection: 75, failed: 1, replaced: REPLACED_EXIT } as const;

export function readWorkerExit(exit: RunState['exit'], containerName: string): WorkerExit {
  const task = (exit?.task ?? parseCause(exit?.Cause)) as Record<string, unknown> | undefined;
  const containers = (task?.Containers ?? task?.containers) as Array<Record<string, unknown>> | undefined;
  const worker = containers?.find((c) => (c.Name ?? c.name) === containerName) ?? containers?.[0];
  const code = worker?.ExitCode ?? worker?.exitCode;
  const reason = task?.StoppedReason ?? task?.stoppedReason;
  return {
    exitCode: typeof code === 'number' ? code : undefined,
    stoppedReason: typeof reason === 'string' ? reason : exit?.Cause?.slice(0, 500),
    stateError: exit?.Error,
  };
}

function parseCause(cause: string | undefined): unknown {
  if (!cause) return undefined;
  try {
    return JSON.parse(cause);
  } catch {
    return undefined;
  }
}
