/** Plain-text tables and JSON output shared by every command. */

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Renders rows of strings as a space-aligned table with a header line. */
export function renderTable(columns: Column[], rows: string[][]): string {
  // reduce, not Math.max(...rows): a spread of a very long list overflows the call stack.
  const widths = columns.map((column, i) => rows.reduce((width, row) => Math.max(width, (row[i] ?? '').length), column.header.length));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toFixed(digits);
}
