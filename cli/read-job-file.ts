import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { UsageError } from './exit-codes.ts';

// A job file holds the source password, so nothing here ever echoes its text:
// parse errors name only the line and column. yaml's "pretty" errors quote the
// offending source lines, and V8's JSON errors quote a snippet; both are cut.

export function readJobFile(path: string, readStdin: () => string = () => readFileSync(0, 'utf8')): Record<string, unknown> {
  let text: string;
  try {
    text = path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read job file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseJobFile(text, path === '-' ? 'stdin' : path);
}

export function parseJobFile(text: string, name: string): Record<string, unknown> {
  const ext = extname(name).toLowerCase();
  const asJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && text.trimStart().startsWith('{'));
  const value = asJson ? parseJson(text, name) : parseYaml(text, name);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${name} must hold one job: a mapping with source, destination and objects`);
  return value as Record<string, unknown>;
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message.replace(/,\s.*is not valid JSON$/s, '');
    throw new UsageError(`${name} is not valid JSON: ${message}`);
  }
}

function parseYaml(text: string, name: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length) {
    const where = (offset: number) => {
      const { line, col } = lineCounter.linePos(offset);
      return `${name}:${line}:${col}`;
    };
    throw new UsageError(`${name} is not valid YAML:\n${doc.errors.map((e) => `  ${where(e.pos[0])}: ${e.message}`).join('\n')}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }); // bounds alias expansion ("billion laughs")
  } catch (err) {
    throw new UsageError(`${name} is not a usable job: ${(err as Error).message}`);
  }
}
