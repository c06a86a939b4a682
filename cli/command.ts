import type { HttpClient } from './http-client.ts';
import type { CliOptions, CommandShape } from './parse-cli-args.ts';

// What every command gets, so commands never touch process.* themselves and
// tests can run them with a fake client, clock and output.
export type CommandContext = {
  client: HttpClient;
  args: string[];
  options: CliOptions;
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** True when stdout is a terminal (a watch may then redraw in place). */
  interactive: boolean;
  /** Width to fit tables to: the terminal's, else 120. */
  columns: number;
};

export type Command = CommandShape & {
  summary: string;
  /** Extra lines for `tributary help <command>`. */
  help?: string;
  /** Resolves to the exit code; throws UsageError or ApiError for the others. */
  run(ctx: CommandContext): Promise<number>;
};

export const jobPath = (id: string, suffix = '') => `/jobs/${encodeURIComponent(id)}${suffix}`;
export const printJson = (ctx: CommandContext, value: unknown) => ctx.out(JSON.stringify(value, null, 2));
