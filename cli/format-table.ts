// Plain-text tables in the style of kubectl and psql's aligned output: a header
// row, columns two spaces apart, numbers right-aligned. A column with a
// maxWidth wraps its cells at word boundaries instead of widening the table.

export type Column = { header: string; align?: 'left' | 'right'; maxWidth?: number };

const GAP = '  ';

export function formatTable(columns: Column[], rows: Array<Array<string | number | undefined>>): string {
  const cells = rows.map((row) => columns.map((col, i) => wrap(String(row[i] ?? ''), col.maxWidth)));
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((row) => Math.max(...row[i].map((l) => l.length)))));
  const line = (parts: string[]) =>
    parts
      .map((text, i) => (columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join(GAP)
      .trimEnd();
  const out = [line(columns.map((c) => c.header))];
  for (const row of cells) {
    const height = Math.max(...row.map((c) => c.length));
    for (let l = 0; l < height; l++) out.push(line(row.map((c) => c[l] ?? '')));
  }
  return out.join('\n');
}

/** Splits text into lines of at most `width` characters, breaking at spaces where possible. */
export function wrap(text: string, width?: number): string[] {
  const paragraphs = text.replace(/\t/g, ' ').split(/\r?\n/);
  if (!width || width < 1) return paragraphs;
  const lines: string[] = [];
  for (const paragraph of paragraphs) {
    let current = '';
    for (const word of paragraph.split(' ')) {
      if (!current) current = word;
      else if (current.length + 1 + word.length <= width) current += ` ${word}`;
      else {
        lines.push(current);
        current = word;
      }
      while (current.length > width) {
        lines.push(current.slice(0, width));
        current = current.slice(width);
      }
    }
    lines.push(current);
  }
  return lines;
}
