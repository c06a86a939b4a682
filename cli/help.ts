import type { Command } from './command.ts';
import { DEFAULT_URL, LOCAL_KEY_FILE } from './resolve-connection.ts';
import { EXIT } from './exit-codes.ts';

const GLOBAL = `Global options:
  --url <url>        the API (default $TRIBUTARY_URL, else ${DEFAULT_URL})
  --api-key <key>    the API key (default $TRIBUTARY_API_KEY, else ${LOCAL_KEY_FILE} if present)
  --json             print the API's JSON instead of text
  -h, --help         this help

Exit codes: ${EXIT.ok} ok, ${EXIT.apiError} the API refused or could not be reached, ${EXIT.usage} usage error, ${EXIT.precheckFailed} precheck failed.`;

const synopsis = (c: Command) => `tributary ${c.name}${c.args.map((a) => ` <${a}>`).join('')}`;

export function formatHelp(commands: readonly Command[], command?: Command): string {
  if (command) return [`Usage: ${synopsis(command)} [options]`, '', command.summary, ...(command.help ? ['', command.help] : []), '', GLOBAL].join('\n');
  const width = Math.max(...commands.map((c) => synopsis(c).length));
  return [
    'Usage: tributary <command> [options]',
    '',
    'Drives Tributary, PostgreSQL change-data-capture, over its HTTP API.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL,
    '',
    'Run "tributary help <command>" for a command\'s options.',
  ].join('\n');
}
