#!/usr/bin/env node
// The `tributary` command: parse, pick the command, run it, exit with its code.
// Everything else lives in cli/.
import { COMMANDS } from '../cli/commands.ts';
import { parseCliArgs } from '../cli/parse-cli-args.ts';
import { resolveConnection } from '../cli/resolve-connection.ts';
import { createHttpClient } from '../cli/http-client.ts';
import { describeError, exitCodeFor, EXIT } from '../cli/exit-codes.ts';
import { formatHelp } from '../cli/help.ts';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const err = (text: string) => void process.stderr.write(`${text}\n`);
const argv = process.argv.slice(2);

try {
  const parsed = parseCliArgs(argv, COMMANDS);
  if (parsed.kind === 'help') {
    out(formatHelp(COMMANDS, parsed.command));
    process.exitCode = EXIT.ok;
  } else {
    const { options } = parsed;
    const client = createHttpClient(resolveConnection(options, process.env, process.cwd()));
    process.exitCode = await parsed.command.run({
      client,
      args: parsed.args,
      options,
      json: options.json ?? false,
      out,
      err,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      interactive: process.stdout.isTTY === true,
      columns: process.stdout.columns ?? 120,
    });
  }
} catch (error) {
  err(describeError(error, argv.includes('--json')));
  process.exitCode = exitCodeFor(error);
}
