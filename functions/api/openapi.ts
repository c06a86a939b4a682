import { z } from 'zod';
import { JobSpec } from '../../shared/job/job-spec.ts';
import { JOB_STATUSES } from '../../shared/job/job-status.ts';
import { ERROR_CODES } from '../../shared/errors/error-codes.ts';
import { ListJobsQuery } from './list-jobs.ts';

// The OpenAPI 3.1 document, generated from the same zod schemas the routes
// validate with, so the contract and the checks cannot drift apart.
const schema = (s: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

function jobSchema() {
  const spec = schema(JobSpec, 'output') as { properties: Record<string, any>; required?: string[] };
  const { password: _password, ...sourceProps } = spec.properties.source.properties;
  return {
    ...spec,
    properties: {
      ...spec.properties,
      source: { ...spec.properties.source, properties: sourceProps, required: (spec.properties.source.required as string[]).filter((r) => r !== 'password') },
      destination: { oneOf: (spec.properties.destination.oneOf as Array<Record<string, any>>).map(withoutPassword) },
      id: { type: 'string' },
      status: { type: 'string', enum: [...JOB_STATUSES] },
      slotName: { type: 'string' },
      publicationName: { type: 'string' },
      ackedLsn: { type: 'string', description: 'last LSN acknowledged to PostgreSQL after the sink acknowledged every change up to it' },
      error: { $ref: '#/components/schemas/ErrorReport' },
      retry: { type: 'object', properties: { errorClass: { enum: ['connection', 'other'] }, since: { type: 'string', format: 'date-time' }, until: { type: 'string', format: 'date-time' }, attempt: { type: 'integer' } } },
      metrics: { type: 'object', properties: { lagSeconds: { type: 'number' }, retainedWalBytes: { type: 'number' }, eventsDelivered: { type: 'integer' }, eventsPerSecond: { type: 'number' }, at: { type: 'string', format: 'date-time' } } },
      alerts: {
        type: 'array',
        description: "GET /jobs/{id} in the local mode: the job's alerting thresholds evaluated against its metrics and status (on AWS its CloudWatch alarms notify instead)",
        items: { type: 'object', required: ['alert', 'message'], properties: { alert: { enum: ['lag', 'retained-wal', 'failed'] }, message: { type: 'string' }, value: { type: 'number' }, threshold: { type: 'number' }, at: { type: 'string', format: 'date-time' } } },
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      version: { type: 'integer', description: 'optimistic-concurrency version; send it as If-Match on PATCH' },
    },
  };
}

/** A response never offers a password: the destination variant that has one (PostgreSQL) loses it. */
function withoutPassword(variant: Record<string, any>) {
  if (!variant.properties?.password) return variant;
  const { password: _password, ...properties } = variant.properties;
  return { ...variant, properties, required: (variant.required as string[]).filter((r) => r !== 'password') };
}

const problem = { description: 'RFC 9457 problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const job = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const action = (summary: string, ok: string) => ({
  post: { summary, parameters: [idParam], responses: { [ok]: job('the job after the action'), 404: problem, 409: problem } },
});

export function openApiDocument() {
  const query = schema(ListJobsQuery, 'input') as { properties: Record<string, unknown> };
  return {
    openapi: '3.1.0',
    info: { title: 'Tributary', version: '0.1.0', description: 'PostgreSQL change-data-capture jobs: create, run, observe, release.' },
    paths: {
      '/jobs': {
        post: { summary: 'Create a job', requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/JobSpec' } } } }, responses: { 201: job('created'), 400: problem } },
        get: {
          summary: 'List jobs',
          parameters: Object.entries(query.properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })),
          responses: { 200: { description: 'a page of jobs', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Job' } }, nextCursor: { type: 'string' } } } } } }, 400: problem },
        },
      },
      '/jobs/{id}': {
        get: { summary: 'Get a job, its status and metrics', parameters: [idParam], responses: { 200: job('the job'), 404: problem } },
        patch: {
          summary: 'Change a job (top-level fields replace stored ones; connection fields are fixed while running)',
          parameters: [idParam, { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 200: job('updated'), 400: problem, 404: problem, 409: problem, 412: problem },
        },
      },
      '/jobs/{id}/start': action('Start (launch a worker)', '202'),
      '/jobs/{id}/stop': action('Stop: deliver what was read, checkpoint, exit', '200'),
      '/jobs/{id}/release': action('Stop and remove the slot, publication and heartbeat table from the source', '200'),
    },
    components: {
      schemas: {
        JobSpec: schema(JobSpec, 'input'),
        Job: jobSchema(),
        ErrorReport: {
          type: 'object',
          properties: { code: { enum: Object.keys(ERROR_CODES) }, class: { enum: ['connection', 'other', 'fatal'] }, message: { type: 'string' }, remedy: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } },
        },
      },
    },
  };
}
