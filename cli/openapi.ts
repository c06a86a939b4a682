import type { Command } from './command.ts';
import { printJson } from './command.ts';
import { EXIT } from './exit-codes.ts';

export const openapiCommand: Command = {
  name: 'openapi',
  args: [],
  options: [],
  summary: "print the server's OpenAPI 3.1 document (JSON)",
  async run(ctx) {
    printJson(ctx, await ctx.client.request('GET', '/openapi.json'));
    return EXIT.ok;
  },
};
