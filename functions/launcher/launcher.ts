// The launcher seam: ECS RunTask (Fargate) on AWS, a child process locally.
export interface Launcher {
  /** Starts a worker for the job; resolves once it is spawned, not when it is streaming. */
  launch(jobId: string): Promise<void>;
  /** Asks the worker to stop (it flushes and acknowledges first) and waits for it to exit. */
  stop(jobId: string): Promise<void>;
  isRunning(jobId: string): boolean;
}
