import { z } from 'zod';

// A per-table row filter is SQL by nature (PostgreSQL 15+ publication
// `WHERE (…)`), so it cannot be checked by a schema alone: the precheck builds
// the publication with it in a rolled-back transaction on the source, which
// also enforces PostgreSQL's own limits (no user-defined functions, no
// subqueries, immutable built-ins only). This lexical check runs first, at the
// API edge: it guarantees the text stays one parenthesised expression, so it
// cannot close the WHERE (…) it is placed in nor add statements or comments.

/** The reason the text is not one self-contained expression, or undefined when it is. */
export function rowFilterShapeProblem(text: string): string | undefined {
  if (/^\s*where\b/i.test(text)) return 'write the condition without the WHERE keyword, e.g. "status <> \'draft\'"';
  // with standard_conforming_strings off a backslash escapes a quote, and the source would read the text differently
  if (text.includes('\\')) return 'rowFilter must not contain a backslash; write a quote inside a literal as two quotes (\'it\'\'s\')';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      // a literal or quoted identifier; a doubled quote is an escaped one
      if (ch === "'" && i > 0 && /[eE]/.test(text[i - 1]) && (i === 1 || !/[\w$]/.test(text[i - 2]))) {
        return "rowFilter must not use E'' strings (backslash escapes); write a standard '…' literal";
      }
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return `rowFilter has an unterminated ${ch === "'" ? 'string literal' : 'quoted identifier'}`;
        if (text[j] === ch) {
          if (text[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      i = j;
      continue;
    }
    if (ch === ';') return 'rowFilter is one boolean expression: remove the ";"';
    if ((ch === '-' && text[i + 1] === '-') || (ch === '/' && text[i + 1] === '*')) return 'rowFilter must not contain comments (-- or /* */)';
    if (ch === '$' && !/[\w]/.test(text[i - 1] ?? '')) return 'rowFilter must not use dollar quoting or parameters ($); write values as literals';
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return 'rowFilter has a ")" without its "("';
  }
  if (depth !== 0) return 'rowFilter has a "(" without its ")"';
  return undefined;
}

export const RowFilter = z
  .string()
  .trim()
  .min(1, 'rowFilter must not be empty; leave it out to sync every row')
  .max(4096, 'rowFilter is at most 4096 characters')
  .superRefine((text, ctx) => {
    const problem = rowFilterShapeProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe("PostgreSQL 15+ publication row filter: a boolean expression over the table's columns, without WHERE, e.g. \"region = 'eu' AND NOT archived\"; UPDATE/DELETE need its columns in the replica identity");
