import { describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { ApiError, ConnectionError, createHttpClient, formatProblem } from '../../../cli/http-client.ts';
import { describeError, EXIT, exitCodeFor, UsageError } from '../../../cli/exit-codes.ts';

// A fetch that answers every call with one canned response and records the request.
function fakeFetch(status: number, body: string, contentType = 'application/problem+json', statusText = '') {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status, statusText, headers: { 'content-type': contentType } });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

const problemOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
};

describe('exit codes', () => {
  it('maps each outcome to its code', () => {
    expect(EXIT).toEqual({ ok: 0, apiError: 1, usage: 2, precheckFailed: 3 });
    expect(exitCodeFor(new UsageError('bad'))).toBe(2);
    expect(exitCodeFor(new ApiError(400, { title: 'Invalid job' }))).toBe(1);
    expect(exitCodeFor(new ApiError(401, { title: 'Unauthenticated' }))).toBe(1);
    expect(exitCodeFor(new ConnectionError('refused'))).toBe(1);
    expect(exitCodeFor(new Error('a bug'))).toBe(1);
  });
});

describe('http client errors', () => {
  it('sends the bearer key and query, and turns a validation problem into title plus each field', async () => {
    const body = { type: 'https://tributary.dev/problems/validation', title: 'Invalid job', status: 400, detail: 'source.port: Too big; destination: Required', errors: [{ field: 'source.port', message: 'Too big' }, { field: 'destination', message: 'Required' }] };
    const f = fakeFetch(400, JSON.stringify(body));
    const client = createHttpClient({ url: 'http://api.test/', apiKey: 'k-1', fetch: f.fn });
    const err = await problemOf(client.request('GET', '/jobs', { query: { status: 'streaming', tag: undefined } }));
    expect(f.calls[0].url).toBe('http://api.test/jobs?status=streaming');
    expect((f.calls[0].init.headers as Record<string, string>).authorization).toBe('Bearer k-1');
    expect(formatProblem(err)).toBe(['error: Invalid job (HTTP 400)', '  - source.port: Too big', '  - destination: Required'].join('\n'));
  });

  it('prints title and detail of a 401', async () => {
    const f = fakeFetch(401, JSON.stringify({ title: 'Unauthenticated', status: 401, detail: 'the API key is not valid' }));
    const err = await problemOf(createHttpClient({ url: 'http://api.test', apiKey: 'wrong', fetch: f.fn }).request('GET', '/jobs'));
    expect(describeError(err)).toBe('error: Unauthenticated (HTTP 401)\n  the API key is not valid');
    expect(JSON.parse(describeError(err, true))).toMatchObject({ status: 401 });
  });

  it('reads a bare 404 on an optional route as "not available", but a job 404 as the problem', async () => {
    const bare = fakeFetch(404, '404 Not Found', 'text/plain; charset=UTF-8');
    const missing = await problemOf(createHttpClient({ url: 'http://api.test', fetch: bare.fn }).request('POST', '/jobs/j1/precheck', { feature: 'precheck' }));
    expect(formatProblem(missing)).toContain('precheck is not available on this server (POST /jobs/j1/precheck answered 404)');

    const job = fakeFetch(404, JSON.stringify({ title: 'Job not found', status: 404, detail: 'no job with id j1' }));
    const notFound = await problemOf(createHttpClient({ url: 'http://api.test', fetch: job.fn }).request('POST', '/jobs/j1/precheck', { feature: 'precheck' }));
    expect(formatProblem(notFound)).toBe('error: Job not found (HTTP 404)\n  no job with id j1');
  });

  it('keeps a non-JSON error body as the detail', async () => {
    const f = fakeFetch(502, '<html>bad gateway</html>', 'text/html', 'Bad Gateway');
    const err = await problemOf(createHttpClient({ url: 'http://api.test', fetch: f.fn }).request('GET', '/jobs/j1'));
    expect(formatProblem(err)).toBe('error: Bad Gateway (HTTP 502)\n  <html>bad gateway</html>');
  });

  it('reports an unreachable API as a ConnectionError naming the URL (exit 1)', async () => {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    await new Promise((ok) => server.close(ok)); // nothing listens there now
    const err = await createHttpClient({ url: `http://127.0.0.1:${port}` }).request('GET', '/jobs').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(describeError(err)).toContain(`cannot reach the Tributary API at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(exitCodeFor(err)).toBe(1);
  });
});
