// Structured JSON logs, one line per event. Secrets never reach here: callers
// pass reports built from TributaryError, and `redact` masks anything that
// looks like a password field as a second line of defence.
export type Logger = {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
};

const SECRET_KEYS = /pass(word)?|secret|token|sasl/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : v;
  return out;
}

export function createLogger(base: Record<string, unknown> = {}, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const log = (level: string) => (msg: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...base, ...redact(fields) }, jsonSafe));
  return {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

function jsonSafe(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}
