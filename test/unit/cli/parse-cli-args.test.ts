import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../cli/parse-cli-args.ts';
import { COMMANDS } from '../../../cli/commands.ts';
import { exitCodeFor, UsageError } from '../../../cli/exit-codes.ts';

const parse = (...argv: string[]) => parseCliArgs(argv, COMMANDS);
const usageErrorOf = (argv: string[]) => {
  try {
    parse(...argv);
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
};

describe('parseCliArgs', () => {
  it('takes global options before or after the command', () => {
    const a = parse('--url', 'http://x:1', 'status', 'j1', '--json');
    expect(a).toMatchObject({ kind: 'run', args: ['j1'], options: { url: 'http://x:1', json: true } });
    expect(a.kind === 'run' && a.command.name).toBe('status');
  });

  it('takes command options and short forms', () => {
    const a = parse('create', '-f', 'job.yaml', '--idempotency-key', 'k1');
    expect(a).toMatchObject({ kind: 'run', options: { file: 'job.yaml', 'idempotency-key': 'k1' } });
    expect(parse('status', 'j1', '-w', '--interval', '1')).toMatchObject({ options: { watch: true, interval: '1' } });
    expect(parse('precheck', 'j1', '--ack', 'a', '--ack', 'b')).toMatchObject({ options: { ack: ['a', 'b'] } });
  });

  it('answers help in each form', () => {
    expect(parse('--help')).toEqual({ kind: 'help', options: { help: true } });
    expect(parse('help', 'list')).toMatchObject({ kind: 'help', command: { name: 'list' } });
    expect(parse('status', '-h')).toMatchObject({ kind: 'help', command: { name: 'status' } });
  });

  it.each([
    [[], /no command given/],
    [['lst'], /unknown command "lst"/],
    [['list', '--watch'], /list takes no --watch option/],
    [['status'], /status expects <id>, got none/],
    [['start', 'a', 'b'], /start expects <id>, got "a" "b"/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
    [['create', '--file'], /argument missing/],
  ])('refuses %j as a usage error (exit 2)', (argv, message) => {
    const err = usageErrorOf(argv as string[]);
    expect(String((err as Error).message)).toMatch(message);
    expect(exitCodeFor(err)).toBe(2);
  });

  it('UsageError is the usage class', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
  });
});
