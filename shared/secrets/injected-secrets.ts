// On AWS a job's passwords reach its worker as ECS secrets: environment
// variables ECS fills from Secrets Manager at task start, declared in the
// job's own task definition (functions/steps/job-task-definition.ts). The
// worker (worker/main.ts) reads them once and removes them from its environment.
export const SOURCE_PASSWORD_ENV = 'TRIBUTARY_SOURCE_PASSWORD';
export const DESTINATION_PASSWORD_ENV = 'TRIBUTARY_DESTINATION_PASSWORD';
