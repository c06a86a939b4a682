import type { Command } from './command.ts';
import { createCommand } from './create.ts';
import { listCommand } from './list.ts';
import { statusCommand } from './status.ts';
import { precheckCommand } from './precheck.ts';
import { releaseCommand, startCommand, stopCommand } from './job-action.ts';
import { usageCommand } from './usage.ts';
import { openapiCommand } from './openapi.ts';

/** Every command, in the order `tributary help` lists them. */
export const COMMANDS: readonly Command[] = [createCommand, listCommand, statusCommand, precheckCommand, startCommand, stopCommand, releaseCommand, usageCommand, openapiCommand];
