import { parseArgs } from 'node:util';
import { UsageError } from './exit-codes.ts';

// Every option any command takes, parsed once by node:util parseArgs (strict:
// an unknown option is a usage error); each command then names which of them
// it accepts, so `list --watch` is refused rather than silently ignored.
export const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  file: { type: 'string', short: 'f' },
  'idempotency-key': { type: 'string' },
  status: { type: 'string' },
  tag: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
  interval: { type: 'string' },
  ack: { type: 'string', multiple: true },
} as const;

export type OptionName = keyof typeof OPTIONS;
type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { multiple: true } ? string[] : string;
export type CliOptions = { [K in OptionName]?: ValueOf<(typeof OPTIONS)[K]> };
export const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'api-key', 'json', 'help'];

/** What parsing needs to know of a command. */
export type CommandShape = { name: string; args: readonly string[]; options: readonly OptionName[] };

export type ParsedCli<C extends CommandShape> =
  | { kind: 'help'; command?: C; options: CliOptions }
  | { kind: 'run'; command: C; args: string[]; options: CliOptions };

export function parseCliArgs<C extends CommandShape>(argv: string[], commands: readonly C[]): ParsedCli<C> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const options = values as CliOptions;
  const [name, ...rest] = positionals;
  const find = (n: string) => {
    const command = commands.find((c) => c.name === n);
    if (!command) throw new UsageError(`unknown command "${n}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    return command;
  };
  if (name === undefined) {
    if (options.help) return { kind: 'help', options };
    throw new UsageError(`no command given; commands: ${commands.map((c) => c.name).join(', ')}`);
  }
  if (name === 'help') return { kind: 'help', command: rest[0] === undefined ? undefined : find(rest[0]), options };
  const command = find(name);
  if (options.help) return { kind: 'help', command, options };

  for (const given of Object.keys(options) as OptionName[]) {
    if (!GLOBAL_OPTIONS.includes(given) && !command.options.includes(given)) throw new UsageError(`${name} takes no --${given} option`);
  }
  if (rest.length !== command.args.length) {
    const expected = command.args.map((a) => `<${a}>`).join(' ') || 'no arguments';
    throw new UsageError(`${name} expects ${expected}, got ${rest.length ? rest.map((r) => `"${r}"`).join(' ') : 'none'}`);
  }
  return { kind: 'run', command, args: rest, options };
}
