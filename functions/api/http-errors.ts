import type { Context } from 'hono';
import type { z } from 'zod';

// Every error response is RFC 9457 problem+json, and a validation error lists
// every bad field with its path, so a client can fix all of them at once.
export type Problem = { type: string; title: string; status: number; detail: string; errors?: Array<{ field: string; message: string }>; [k: string]: unknown };

export function problem(c: Context, p: Problem) {
  return c.body(JSON.stringify(p), p.status as 400, { 'content-type': 'application/problem+json' });
}

export function validationProblem(c: Context, error: z.ZodError, what: string) {
  const errors = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return problem(c, {
    type: 'https://tributary.dev/problems/validation',
    title: `Invalid ${what}`,
    status: 400,
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

export function notFound(c: Context, id: string) {
  return problem(c, { type: 'https://tributary.dev/problems/not-found', title: 'Job not found', status: 404, detail: `no job with id ${id}` });
}

export function conflict(c: Context, detail: string, extra: Record<string, unknown> = {}) {
  return problem(c, { type: 'https://tributary.dev/problems/conflict', title: 'Not allowed in the current state', status: 409, detail, ...extra });
}
