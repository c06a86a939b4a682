import { describe, expect, it } from 'vitest';
import { parseJobFile, readJobFile } from '../../../cli/read-job-file.ts';
import { exitCodeFor, UsageError } from '../../../cli/exit-codes.ts';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect(exitCodeFor(err)).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('job files', () => {
  it('reads YAML (plain scalars stay strings, numbers stay numbers) and JSON', () => {
    expect(parseJobFile('source:\n  port: 5432\n  sslmode: disable\n', 'job.yaml')).toEqual({ source: { port: 5432, sslmode: 'disable' } });
    expect(parseJobFile('{"name": "a"}', 'job.json')).toEqual({ name: 'a' });
    expect(parseJobFile('  {"name": "a"}', 'stdin')).toEqual({ name: 'a' });
  });

  it('names line and column of a YAML error without quoting the file, which holds the password', () => {
    const message = refusal(() => parseJobFile('source:\n  password: s3cret-pw\n   user: [x\n', 'job.yaml'));
    expect(message).toMatch(/job\.yaml is not valid YAML:\n {2}job\.yaml:\d+:\d+: /);
    expect(message).not.toContain('s3cret-pw');
  });

  it('never quotes JSON text in an error either', () => {
    const message = refusal(() => parseJobFile('{"password": s3cret-pw}', 'job.json'));
    expect(message).toMatch(/^job\.json is not valid JSON: Unexpected token/);
    expect(message).not.toContain('s3cret-pw');
  });

  it('refuses a file that is not one mapping, duplicate keys, and a missing file', () => {
    expect(refusal(() => parseJobFile('- a\n- b\n', 'job.yaml'))).toMatch(/must hold one job/);
    expect(refusal(() => parseJobFile('name: a\nname: b\n', 'job.yaml'))).toMatch(/job\.yaml:2:1: Map keys must be unique/);
    expect(refusal(() => readJobFile('/nonexistent/job.yaml'))).toBe('cannot read job file /nonexistent/job.yaml: ENOENT');
  });

  it('refuses an alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    expect(refusal(() => parseJobFile(bomb, 'job.yaml'))).toMatch(/^job\.yaml is not a usable job: .*alias/i);
  });

  it('reads "-" from stdin', () => {
    expect(readJobFile('-', () => 'name: piped\n')).toEqual({ name: 'piped' });
  });
});
