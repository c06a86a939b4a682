// A small client for the Tributary HTTP API: bearer auth, JSON in and out, and
// every non-2xx answer turned into an ApiError carrying its RFC 9457 problem.

export type FieldError = { field: string; message: string };
export type Problem = { type?: string; title?: string; status?: number; detail?: string; errors?: FieldError[]; [k: string]: unknown };

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** The API could not be reached at all (refused, DNS, timeout). */
export class ConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

export type RequestOptions = {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
  /** Names an endpoint older servers lack: a plain 404 for the route itself then reads "not available". */
  feature?: string;
};

export type HttpClient = {
  readonly baseUrl: string;
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<T>;
};

// Release stops a worker and drops the slot, which can wait for a walsender to end.
const TIMEOUT_MS = 120_000;

export function createHttpClient(opts: { url: string; apiKey?: string; fetch?: typeof fetch }): HttpClient {
  const baseUrl = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  return {
    baseUrl,
    async request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<T> {
      const query = new URLSearchParams(Object.entries(ro.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      const target = `${baseUrl}${path}${query.size ? `?${query}` : ''}`;
      const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...ro.headers };
      if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
      if (ro.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await doFetch(target, { method, headers, body: ro.body === undefined ? undefined : JSON.stringify(ro.body), signal: AbortSignal.timeout(TIMEOUT_MS) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (err as Error).message;
        throw new ConnectionError(`cannot reach the Tributary API at ${baseUrl} (${why}); is it running? Locally: npm start -- --only`, { cause: err });
      }
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      throw new ApiError(res.status, problemOf(res, text, contentType, `${method} ${path}`, ro.feature));
    },
  };
}

function problemOf(res: Response, text: string, contentType: string, call: string, feature?: string): Problem {
  const isProblem = /application\/(problem\+)?json/.test(contentType);
  if (res.status === 404 && feature && !contentType.includes('application/problem+json')) {
    // a job that does not exist is a problem+json 404; a bare 404 means the route is missing
    return { title: 'Not available on this server', status: 404, detail: `${feature} is not available on this server (${call} answered 404); it may run an older Tributary` };
  }
  if (isProblem) {
    try {
      return JSON.parse(text) as Problem;
    } catch {
      // fall through: a body that claims JSON but is not
    }
  }
  return { title: res.statusText || 'Request failed', status: res.status, detail: text.trim().slice(0, 500) || `${call} failed` };
}

/** Title, detail and every field error, for a human. */
export function formatProblem(err: ApiError): string {
  const p = err.problem;
  const lines = [`error: ${p.title ?? 'Request failed'} (HTTP ${err.status})`];
  const errors = Array.isArray(p.errors) ? p.errors : [];
  // a validation problem's detail is its field errors joined: listing both only repeats them
  const joined = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  if (p.detail && p.detail !== joined) lines.push(`  ${p.detail}`);
  for (const e of errors) lines.push(`  - ${e.field}: ${e.message}`);
  return lines.join('\n');
}
